"""The object verbs: get, list, create, update, delete and deletecollection (patch: `patching.py`).

Each handler turns a `Call` into the cluster call the API server would make and its answer into
the API's shape: the object, a `<Kind>List` with the list's resourceVersion and continue token, a
Table or PartialObjectMetadata when the client asked for one (`negotiate.py`), 201 for a create,
202 for a delete that leaves the object terminating (200 with the last state for a dry run).
"""

from __future__ import annotations

from typing import Any

import orjson

from kapply.cluster.protocol import ChangeFeed, CheckedDeletes, PagedLists
from kapply.model.selectors import parse as parse_selector
from kapply.serve import bodies, tables
from kapply.serve.call import Call, Reply, encode, reply
from kapply.serve.negotiate import Output
from kapply.serve.status import ApiError, bad_request, success_status

Obj = dict[str, Any]


def namespace_of(call: Call) -> str:
    return call.target.namespace or "" if call.target.resource.namespaced else ""


def shaped(call: Call, obj: Obj, status: int = 200) -> Reply:
    """One object as the client asked: itself, a one-row Table, or its PartialObjectMetadata."""
    out = call.output
    res = call.target.resource
    if res.info.custom and obj.get("apiVersion") != res.info.api_version:  # conversion "None": the
        obj = dict(obj, apiVersion=res.info.api_version)  # version asked for, the same fields
    if out.shape == "Table":
        meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        doc = tables.table(res.kind, [obj], call.cluster.now(), meta, include_object(call), out.version,
                           info=res.info)
        return reply(status, doc, out, call.warnings)
    if out.shape in ("PartialObjectMetadata", "PartialObjectMetadataList"):
        return reply(status, tables.partial_metadata(obj, out.version), out, call.warnings)
    return reply(status, obj, out, call.warnings)


def include_object(call: Call) -> str:
    value = call.query.get("includeObject") or "Metadata"
    if value not in tables.INCLUDE:
        raise bad_request(
            f'includeObject: Unsupported value: "{value}": supported values: "Metadata", "None", "Object"'
        )
    return value


def get_object(call: Call) -> Obj:
    res = call.target.resource
    return call.cluster.get(res.kind, namespace_of(call), call.target.name, group=res.group)


def get(call: Call) -> Reply:
    return shaped(call, get_object(call))


def label_selector(call: Call) -> Any:
    text = call.query.get("labelSelector")
    return parse_selector(text) if text else None


def list_objects(call: Call) -> Reply:
    """A list page (limit / continue) with the list's resourceVersion, in the asked shape."""
    res, query = call.target.resource, call.query
    limit = query.integer("limit", 0) or 0
    if limit < 0:
        raise bad_request(f"limit: Invalid value: {limit}: must be greater than or equal to 0")
    selector = label_selector(call)
    fields = query.get("fieldSelector") or None
    token = query.get("continue")
    match = query.get("resourceVersionMatch")
    if match and match not in ("Exact", "NotOlderThan"):
        raise bad_request(
            f'resourceVersionMatch: Unsupported value: "{match}": supported values: "Exact", "NotOlderThan"'
        )
    cluster = call.cluster
    namespace = call.target.namespace if res.namespaced else None
    if isinstance(cluster, PagedLists):
        page = cluster.list_page(res.kind, namespace, selector, fields, limit, token, shared=True,
                                 group=res.group)
        items, rv, cont, remaining = page.items, page.resource_version, page.continue_token, page.remaining
    else:
        if token:
            raise bad_request("continue is not supported by this cluster")
        items = cluster.list(res.kind, namespace, selector, fields, group=res.group)
        rv, cont, remaining = (
            str(cluster.resource_version()) if hasattr(cluster, "resource_version") else "",
            "",
            None,
        )
    check_exact(query, match, rv)
    meta: Obj = {"resourceVersion": rv}
    if cont:
        meta["continue"] = cont
    if remaining is not None:
        meta["remainingItemCount"] = remaining
    return list_reply(call, items, meta)


def check_exact(query: Any, match: str, rv: str) -> None:
    """resourceVersionMatch=Exact: only the current version can be read (older states are gone)."""
    wanted = query.get("resourceVersion")
    if match == "Exact" and wanted and wanted != rv:
        raise ApiError(410, "Expired", f"too old resource version: {wanted} ({rv})", {})


def list_reply(call: Call, items: list[Obj], meta: Obj) -> Reply:
    out, res = call.output, call.target.resource
    if out.shape == "Table":
        doc = tables.table(res.kind, items, call.cluster.now(), meta, include_object(call), out.version,
                           info=res.info)
        return reply(200, doc, out)
    if out.shape in ("PartialObjectMetadata", "PartialObjectMetadataList"):
        doc = {
            "kind": "PartialObjectMetadataList",
            "apiVersion": f"meta.k8s.io/{out.version}",
            "metadata": meta,
            "items": [tables.partial_metadata(o, out.version) for o in items],
        }
        return reply(200, doc, out)
    return Reply(200, list_bytes(res, items, meta, out))


def list_bytes(res: Any, items: list[Obj], meta: Obj, out: Output) -> bytes:
    """`{"kind": "PodList", ...}`: items encoded as they come (no copy of a big list)."""
    if out.format == "yaml":
        return encode(
            {
                "kind": f"{res.kind}List",
                "apiVersion": res.info.api_version,
                "metadata": meta,
                "items": [dict(o, kind=res.kind, apiVersion=res.info.api_version) for o in items],
            },
            out,
        )
    head = orjson.dumps({"kind": f"{res.kind}List", "apiVersion": res.info.api_version, "metadata": meta})
    return head[:-1] + b',"items":[' + b",".join(encode(o) for o in items) + b"]}"


def checked_object(call: Call, named: bool) -> Obj:
    """The request's object, its identity checked against the URL: the name (of an update), and
    the namespace, which the URL's sets when the body has none."""
    obj = bodies.decode_object(call)
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise bad_request("metadata: must be an object")
    if named and meta.get("name") != call.target.name:
        raise bad_request(
            f"the name of the object ({meta.get('name')}) does not match the name on the URL "
            f"({call.target.name})"
        )
    if call.target.resource.namespaced:
        given = meta.get("namespace")
        if given and given != call.target.namespace:
            raise bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        meta["namespace"] = call.target.namespace
    return obj


def create(call: Call) -> Reply:
    obj = checked_object(call, named=False)
    created = call.cluster.create(obj, dry_run=call.dry_run, field_manager=call.field_manager)
    return shaped_write(call, created, 201)


def shaped_write(call: Call, obj: Obj, status: int) -> Reply:
    """The answer to a write: the object (writes ignore Table requests, as the API server)."""
    out = Output(call.output.format)
    return reply(status, obj, out, call.warnings)


def update(call: Call) -> Reply:
    obj = checked_object(call, named=True)
    updated = call.cluster.update(obj, dry_run=call.dry_run, field_manager=call.field_manager)
    return shaped_write(call, updated, 200)


def delete_options(call: Call) -> Obj:
    """The DeleteOptions of a delete: its body (kubectl sends one) and the query parameters."""
    options: Obj = {}
    if call.body.strip():
        doc, _ = bodies.parse(
            call.body,
            "application/json" if call.body.lstrip()[:1] == b"{" else "application/yaml",
            "the delete options",
        )
        if not isinstance(doc, dict):
            raise bad_request("the delete options must be an object")
        options = doc
    query = call.query
    if query.has("gracePeriodSeconds"):
        options["gracePeriodSeconds"] = query.integer("gracePeriodSeconds")
    if query.get("propagationPolicy"):
        options["propagationPolicy"] = query.get("propagationPolicy")
    if query.has("orphanDependents"):
        options["orphanDependents"] = query.flag("orphanDependents")
    if query.get("dryRun"):
        options["dryRun"] = query.all("dryRun")
    return options


def _delete_args(call: Call, options: Obj) -> tuple[float | None, str, bool]:
    grace = options.get("gracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
        raise bad_request("gracePeriodSeconds: must be an integer")
    if grace is not None and grace < 0:
        grace = None  # -1: the object's own default
    policy = options.get("propagationPolicy")
    if options.get("orphanDependents") is not None:
        if policy:
            raise ApiError(
                422,
                "Invalid",
                'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: '
                'Invalid value: "' + str(policy) + '": orphanDependents and deletionPropagation '
                "cannot be both set",
                {"kind": "DeleteOptions", "group": "meta.k8s.io"},
            )
        policy = "Orphan" if options["orphanDependents"] else "Background"
    dry_values = options.get("dryRun") or []
    if isinstance(dry_values, str):
        dry_values = [dry_values]
    for value in dry_values:
        if value != "All":
            raise ApiError(
                422,
                "Invalid",
                'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: '
                f'"{value}": supported values: "All"',
                {"kind": "DeleteOptions", "group": "meta.k8s.io"},
            )
    return (float(grace) if grace is not None else None), str(policy or "Background"), bool(dry_values)


def delete(call: Call) -> Reply:
    res = call.target.resource
    options = delete_options(call)
    grace, policy, dry = _delete_args(call, options)
    pre = options.get("preconditions") or {}
    ns, name = namespace_of(call), str(call.target.name)
    cluster = call.cluster
    before = cluster.get(res.kind, ns, name, group=res.group)
    if isinstance(cluster, CheckedDeletes):
        left = cluster.delete_checked(
            res.kind, ns, name, grace, policy, dry, pre.get("uid"), pre.get("resourceVersion"),
            group=res.group,
        )
    else:
        if pre:
            raise bad_request("delete preconditions are not supported by this cluster")
        left = cluster.delete(res.kind, ns, name, grace, policy, dry, group=res.group)
    if left is not None or dry:  # terminating (graceful, finalizers, foreground): its state now
        status = 202 if options.get("orphanDependents") is False else 200
        return shaped_write(call, left or before, status)
    if res.kind == "Pod":
        return shaped_write(call, before, 200)  # the pod store answers with the deleted pod
    details: Obj = {"name": name, "kind": res.plural, "uid": before["metadata"].get("uid", "")}
    if res.group:
        details["group"] = res.group
    return reply(200, success_status(details), Output(call.output.format))


def delete_collection(call: Call) -> Reply:
    res = call.target.resource
    cluster = call.cluster
    if not isinstance(cluster, CheckedDeletes):
        raise ApiError(405, "MethodNotAllowed", "deletecollection is not supported by this cluster", {})
    grace, policy, dry = _delete_args(call, delete_options(call))
    gone = cluster.delete_collection(
        res.kind,
        call.target.namespace,
        label_selector(call),
        call.query.get("fieldSelector") or None,
        grace,
        policy,
        dry,
        group=res.group,
    )
    doc = {
        "kind": f"{res.kind}List",
        "apiVersion": res.info.api_version,
        "metadata": {
            "resourceVersion": str(cluster.resource_version()) if isinstance(cluster, ChangeFeed) else ""
        },
        "items": gone,
    }
    return reply(200, doc, Output(call.output.format))
