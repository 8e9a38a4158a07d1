"""Request bodies: decoding (JSON or YAML), and `fieldValidation` of unknown and duplicate fields.

As the API server's strict decoding: with Strict an unknown field (`spec.replicaz`) or a duplicate
one is a 400 BadRequest naming each; with Warn (the default) they are dropped and each becomes a
`Warning` response header, which kubectl prints; with Ignore they are dropped silently. Values of
the wrong type and every semantic rule are the cluster's 422 Invalid whatever the directive.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from kapply.model.paths import format_path
from kapply.serve import protobuf
from kapply.serve.call import Call
from kapply.serve.negotiate import check_body_type
from kapply.serve.status import bad_request
from kapply.validate.unknown_fields import drop_fields, unknown_fields

Obj = dict[str, Any]
PROTOBUF = "application/vnd.kubernetes.protobuf"
OBJECT_TYPES = ("application/json", "application/yaml", PROTOBUF)


class _Duplicates(list[str]):
    pass


def _pairs(found: _Duplicates) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                found.append(key)
            out[key] = value
        return out

    return hook


class _UniqueLoader(yaml.SafeLoader):
    """Records duplicate mapping keys instead of silently keeping the last."""

    duplicates: list[str]


def _construct_mapping(loader: _UniqueLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in out:
            loader.duplicates.append(str(key))
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_UniqueLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse(body: bytes, media: str, what: str = "the object") -> tuple[Any, list[str]]:
    """(document, duplicate keys) of a JSON or YAML body; 400 when it does not parse."""
    duplicates = _Duplicates()
    if not body.strip():
        raise bad_request(f"{what} is empty: the request needs a body")
    try:
        if media == "application/json":
            return json.loads(body, object_pairs_hook=_pairs(duplicates)), duplicates
        loader = _UniqueLoader(body.decode("utf-8"))
        loader.duplicates = duplicates
        try:
            return loader.get_single_data(), duplicates
        finally:
            loader.dispose()
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"error decoding {what}: {exc}") from None
    except yaml.YAMLError as exc:
        raise bad_request(f"error converting YAML to JSON: {exc}".replace("\n", " ")) from None


def parse_body(call: Call) -> tuple[Any, list[str]]:
    """(document, duplicate keys) of an object body in JSON, YAML or Kubernetes protobuf."""
    # No Content-Type means the first media type served, JSON (NegotiateInputSerializerForMediaType).
    media = check_body_type(call.content_type or "application/json", OBJECT_TYPES)
    if media == PROTOBUF:
        return protobuf.decode(call.body), []
    return parse(call.body, media)


def decode_object(call: Call) -> Obj:
    """The object of a create or update, checked against the URL's resource."""
    doc, duplicates = parse_body(call)
    res = call.target.resource
    if not isinstance(doc, dict):
        raise bad_request(f"the object provided is unrecognized (must be of type {res.kind})")
    # A body without kind or apiVersion takes them from the URL, as the API server's decoder
    # defaults them from the endpoint's group-version-kind; given ones must match it.
    kind = doc.setdefault("kind", res.kind) or res.kind
    api_version = doc.setdefault("apiVersion", res.info.api_version) or res.info.api_version
    doc["kind"], doc["apiVersion"] = kind, api_version
    if kind != res.kind:
        raise bad_request(
            f"the object provided is unrecognized (must be of type {res.kind}): "
            f"couldn't get version/kind; json parse error: kind {kind} is not {res.kind}"
        )
    if api_version != res.info.api_version:
        raise bad_request(
            f"the API version in the data ({api_version}) does not match the expected API "
            f"version ({res.info.api_version})"
        )
    validate_fields(call, doc, duplicates)
    return doc


def validate_fields(call: Call, doc: Obj, duplicates: list[str], patch: bool = False) -> None:
    """Apply the fieldValidation directive to `doc` (a whole object, or a patch of one)."""
    directive = call.field_validation
    if directive == "Ignore" and not patch:
        drop_fields(doc, unknown_fields(doc))
        return
    res = call.target.resource
    probe = doc if not patch else {"apiVersion": res.info.api_version, "kind": res.kind, **doc}
    unknown = unknown_fields(probe)
    problems = [f'unknown field "{format_path(p)}"' for p in unknown]
    problems += [f'duplicate field "{d}"' for d in duplicates]
    if not problems:
        return
    if directive == "Strict":
        version = res.version
        raise bad_request(
            f'{res.kind} in version "{version}" cannot be handled as a {res.kind}: strict '
            f"decoding error: {', '.join(problems)}"
        )
    drop_fields(probe, unknown)
    if patch:
        for key in list(doc):
            if key not in probe:
                del doc[key]
    if directive == "Warn":
        call.warnings.extend(problems)
