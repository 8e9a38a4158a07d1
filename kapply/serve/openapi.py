"""OpenAPI v3: `/openapi/v3` (one entry per group-version) and `/openapi/v3/api/v1`,
`/openapi/v3/apis/GROUP/VERSION` (one OpenAPI 3.0 document each), as the API server publishes them.

Built from the shipped strict schemas (`schemas/vX.Y/definitions.json`) plus what they strip and
kubectl needs (`docs.json.gz`: descriptions and group-version-kinds): `kubectl explain` finds a
kind's schema by its `x-kubernetes-group-version-kind` and prints the descriptions; kubectl's
`--validate` finds the `fieldValidation` parameter on each resource's PATCH operation and then
lets the server validate. Schemas are converted to OpenAPI 3.0's dialect: one type (never
"null"), `$ref` under `#/components/schemas/`, a `$ref` with siblings wrapped in `allOf`, strict
`additionalProperties: false` dropped. Documents are built on first request and cached; each
group-version's URL carries a hash of its document, as the API server's does.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from typing import Any

from kapply.serve import resources
from kapply.serve.resources import Resource
from kapply.validate.schema import default_validator

Obj = dict[str, Any]
REF = "#/components/schemas/"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_ENVELOPES = ("Status", "DeleteOptions", "WatchEvent", "Patch", "APIResourceList")
_TYPE_META = {
    "apiVersion": "APIVersion defines the versioned schema of this representation of an object.",
    "kind": "Kind is a string value representing the REST resource this object represents.",
}


@cache
def _sources() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(definitions, descriptions, gvks) of the shipped schemas."""
    builtin = default_validator().builtin
    docs = json.loads(gzip.decompress((builtin.directory / "docs.json.gz").read_bytes()))
    return builtin.definitions, docs["descriptions"], docs["gvk"]


def convert(schema: Any) -> Any:
    """One JSON Schema node of the strict schemas in OpenAPI 3.0's dialect."""
    if not isinstance(schema, dict):
        return schema
    out: Obj = {}
    for key, value in schema.items():
        if key == "$ref":
            out[key] = REF + value.rsplit("/", 1)[-1]
        elif key == "type":
            types = [value] if isinstance(value, str) else [t for t in value if t != "null"]
            if types:
                out[key] = types[0]
        elif key == "properties":
            out[key] = {name: convert(sub) for name, sub in value.items()}
        elif key == "additionalProperties":
            if isinstance(value, dict):
                out[key] = convert(value)
        elif key in ("items", "not"):
            out[key] = convert(value)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [convert(sub) for sub in value]
        else:
            out[key] = value
    if "$ref" in out and len(out) > 1:
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out


def component(name: str) -> Obj:
    definitions, descriptions, gvks = _sources()
    schema = convert(definitions[name])
    docs = descriptions.get(name, {})
    if docs.get(""):
        schema = {"description": docs[""], **schema}
    for field, sub in (schema.get("properties") or {}).items():
        if field in ("apiVersion", "kind"):
            sub.pop("enum", None)  # the strict schemas' own addition; the API server's has none
        if docs.get(field):
            sub["description"] = docs[field]
            if "$ref" in sub:  # OpenAPI 3.0: no siblings beside a $ref
                sub["allOf"] = [{"$ref": sub.pop("$ref")}]
    if name in gvks:
        schema["x-kubernetes-group-version-kind"] = [
            {"group": g, "version": v, "kind": k} for g, v, k in gvks[name]
        ]
    return schema


def _refs(schema: Any, found: set[str]) -> None:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _refs(value, found)


def definition_of(group: str, version: str, kind: str) -> str | None:
    """The definition name carrying this group-version-kind."""
    _, _, gvks = _sources()
    return next((name for name, kinds in gvks.items() if [group, version, kind] in kinds), None)


def _param(name: str, where: str, description: str, kind: str = "string", required: bool = False) -> Obj:
    param: Obj = {
        "name": name,
        "in": where,
        "description": description,
        "schema": {"type": kind, "uniqueItems": True},
    }
    if required:
        param["required"] = True
    return param


_DRY_RUN = _param(
    "dryRun",
    "query",
    "When present, indicates that modifications should not be persisted. "
    "Valid values are: - All: all dry run stages will be processed",
)
_FIELD_MANAGER = _param(
    "fieldManager",
    "query",
    "fieldManager is a name associated with the actor or entity that is making these changes.",
)
_FIELD_VALIDATION = _param(
    "fieldValidation",
    "query",
    "fieldValidation instructs the server on how to handle "
    "objects in the request containing unknown or duplicate fields. Valid values are: "
    "Ignore, Warn (the default), Strict.",
)
_FORCE = _param("force", "query", 'Force is going to "force" Apply requests.', "boolean")
_PRETTY = _param("pretty", "query", "If 'true', then the output is pretty printed.")


def _operation(res: Resource, action: str, schema_ref: str, body: bool, params: list[Obj]) -> Obj:
    op: Obj = {
        "description": f"{action} {res.kind}",
        "operationId": f"{action}{res.kind}",
        "parameters": params,
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": {"$ref": REF + schema_ref}}},
            },
            "401": {"description": "Unauthorized"},
        },
        "tags": [f"{res.group or 'core'}_{res.version}"],
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": res.group, "kind": res.kind, "version": res.version},
    }
    if body:
        content = (
            ["application/json", "application/yaml"]
            if action != "patch"
            else [
                "application/apply-patch+yaml",
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/strategic-merge-patch+json",
            ]
        )
        op["requestBody"] = {
            "required": True,
            "content": {
                c: {"schema": {"$ref": REF + (schema_ref if action != "patch" else META + "Patch")}}
                for c in content
            },
        }
    return op


def _paths(res: Resource, definition: str, list_definition: str | None) -> dict[str, Obj]:
    prefix = f"/apis/{res.group}/{res.version}" if res.group else f"/api/{res.version}"
    scope = f"{prefix}/namespaces/{{namespace}}/{res.plural}" if res.namespaced else f"{prefix}/{res.plural}"
    write = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]
    item: Obj = {
        "get": _operation(res, "get", definition, False, []),
        "put": _operation(res, "put", definition, True, write),
        "patch": _operation(res, "patch", definition, True, [*write, _FORCE]),
        "delete": _operation(res, "delete", META + "Status", True, [_DRY_RUN]),
        "parameters": [_param("name", "path", f"name of the {res.kind}", required=True), _PRETTY],
    }
    collection: Obj = {
        "post": _operation(res, "post", definition, True, write),
        "delete": _operation(res, "deletecollection", META + "Status", True, [_DRY_RUN]),
        "parameters": [_PRETTY],
    }
    if list_definition:
        collection["get"] = _operation(res, "list", list_definition, False, [])
    if res.namespaced:
        namespace = _param(
            "namespace", "path", "object name and auth scope, such as for teams and projects", required=True
        )
        item["parameters"].insert(1, namespace)
        collection["parameters"].insert(0, namespace)
    paths = {scope: collection, f"{scope}/{{name}}": item}
    for sub in res.subresources:
        if sub.name == "status":
            paths[f"{scope}/{{name}}/status"] = {
                "get": _operation(res, "get", definition, False, []),
                "put": _operation(res, "put", definition, True, write),
                "patch": _operation(res, "patch", definition, True, [*write, _FORCE]),
                "parameters": item["parameters"],
            }
    return paths


def custom_definition(res: Resource) -> tuple[str, Obj] | None:
    """A custom kind's component, as the apiextensions server publishes it: the CRD version's schema
    with apiVersion, kind and metadata, named by the reversed group (`com.example.stable.v1.CronTab`)."""
    schema = resources.custom_schema(res.group, res.version, res.kind)
    if schema is None:
        return None
    name = ".".join([*reversed(res.group.split(".")), res.version, res.kind])
    body = convert(json.loads(json.dumps(schema)))
    props = dict(body.get("properties") or {})
    props.setdefault("apiVersion", {"type": "string", "description": _TYPE_META["apiVersion"]})
    props.setdefault("kind", {"type": "string", "description": _TYPE_META["kind"]})
    props["metadata"] = {"allOf": [{"$ref": REF + META + "ObjectMeta"}]}
    body["properties"] = props
    body["x-kubernetes-group-version-kind"] = [{"group": res.group, "kind": res.kind, "version": res.version}]
    return name, body


def group_version_document(group: str, version: str) -> bytes | None:
    """The OpenAPI 3.0 document of one served group-version, encoded; None when not served."""
    return _document(group, version, resources.generation if group not in resources.GROUP_ORDER else 0)


@cache
def _document(group: str, version: str, generation: int) -> bytes | None:
    served = resources.in_group_version(group, version)
    if not served:
        return None
    paths: dict[str, Obj] = {}
    wanted = {META + name for name in _ENVELOPES}
    custom: dict[str, Obj] = {}
    for res in served:
        if res.info.custom:
            published = custom_definition(res)
            if published is not None:
                custom[published[0]] = published[1]
                wanted.add(META + "ObjectMeta")
                paths.update(_paths(res, published[0], None))
            continue
        definition = definition_of(res.group, res.version, res.kind)
        if definition is None:
            continue
        list_definition = definition_of(res.group, res.version, f"{res.kind}List")
        wanted.update(filter(None, (definition, list_definition)))
        paths.update(_paths(res, definition, list_definition))
    definitions, _, _ = _sources()
    schemas: dict[str, Obj] = dict(custom)
    pending = sorted(n for n in wanted if n in definitions)
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        schemas[name] = component(name)
        found: set[str] = set()
        _refs(schemas[name], found)
        pending.extend(sorted(n for n in found - set(schemas) if n in definitions))
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.34.0"},
        "paths": paths,
        "components": {"schemas": dict(sorted(schemas.items()))},
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def _key(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def index() -> bytes:
    """`/openapi/v3`: every group-version's document URL, with the hash of its content."""
    return _index(resources.generation)


@cache
def _index(generation: int) -> bytes:
    paths: Obj = {}
    for group, version in resources.group_versions():
        doc = group_version_document(group, version)
        if doc is None:
            continue
        digest = hashlib.sha512(doc).hexdigest()[:128].upper()
        paths[_key(group, version)] = {
            "serverRelativeURL": f"/openapi/v3/{_key(group, version)}?hash={digest}"
        }
    return json.dumps({"paths": paths}, separators=(",", ":")).encode()


def document(path: str) -> bytes | None:
    """The document at /openapi/v3/<path> ("api/v1", "apis/apps/v1"), None when unknown."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "api":
        return group_version_document("", parts[1])
    if len(parts) == 3 and parts[0] == "apis":
        return group_version_document(parts[1], parts[2])
    return None
