"""Subresources: `status` (the whole object; writes change only its status), `scale` (an
autoscaling/v1 Scale view of spec.replicas), `log` (text/plain, see `logstream.py` for follow)
and `eviction` (a policy/v1 Eviction, as `kubectl drain` posts them).
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.protocol import Subresources
from kapply.model.scale import ScalePaths, custom_scale_paths, scale_paths
from kapply.model.scale import scale_of as model_scale_of
from kapply.serve import bodies, crud
from kapply.serve.call import Call, Reply, reply
from kapply.serve.negotiate import Output
from kapply.serve.patching import decode_patch, unsupported
from kapply.serve.status import ApiError, bad_request, success_status

Obj = dict[str, Any]


def _abilities(call: Call) -> Any:
    if not isinstance(call.cluster, Subresources):
        raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
    return call.cluster


# ---- status ---------------------------------------------------------------------------------------


def status(call: Call, verb: str) -> Reply:
    if verb == "get":
        return crud.shaped_write(call, crud.get_object(call), 200)
    cluster = _abilities(call)
    res = call.target.resource
    if verb == "update":
        obj = crud.checked_object(call, named=True)
        written = cluster.write_status(obj, dry_run=call.dry_run, field_manager=call.field_manager)
        return crud.shaped_write(call, written, 200)
    patch_type, doc = decode_patch(call)
    if patch_type == "apply":
        raise unsupported(patch_type, ("json", "merge", "strategic"))
    patched = cluster.patch_status(
        res.kind,
        crud.namespace_of(call),
        call.target.name,
        doc,
        patch_type,
        dry_run=call.dry_run,
        field_manager=call.field_manager,
        group=res.group,
    )
    return crud.shaped_write(call, patched, 200)


# ---- scale ----------------------------------------------------------------------------------------


def custom_paths(res: Any) -> ScalePaths | None:
    """The scale paths a custom kind's CRD declares (None for built-in kinds)."""
    declared = res.info.scale if res.info.custom else None
    if declared is None:
        return None
    return custom_scale_paths(declared.spec_replicas, declared.status_replicas, declared.label_selector)


def scale_of(obj: Obj, paths: ScalePaths | None = None) -> Obj:
    """The Scale of an object (`paths`: a custom kind's, else the one scale table's)."""
    meta = obj["metadata"]
    scale_meta = {
        k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta
    }
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    paths = paths or scale_paths(group, str(obj.get("kind", "")))
    if paths is None:
        raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
    found = model_scale_of(obj, paths)  # the one scale table (kapply.model.scale)
    status: Obj = {"replicas": found.status_replicas}
    if found.selector_text:
        status["selector"] = found.selector_text
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": found.spec_replicas},
        "status": status,
    }


def _replicas(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(f"spec.replicas: must be an integer, not {value!r}")
    return value


def scale(call: Call, verb: str) -> Reply:
    res = call.target.resource
    out = Output(call.output.format)
    paths = custom_paths(res)
    if verb == "get":
        return reply(200, scale_of(crud.get_object(call), paths), out)
    if verb == "update":
        doc, _ = bodies.parse_body(call)
        if not isinstance(doc, dict) or doc.get("kind") != "Scale":
            raise bad_request("the object provided is unrecognized (must be of type Scale)")
        meta = doc.get("metadata") or {}
        if meta.get("name") != call.target.name:
            raise bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the "
                f"URL ({call.target.name})"
            )
        change: Obj = {"spec": {"replicas": _replicas((doc.get("spec") or {}).get("replicas", 0))}}
    else:
        patch_type, doc = decode_patch(call)
        current = scale_of(crud.get_object(call), paths)
        change = {"spec": {"replicas": _patched_replicas(patch_type, doc, current)}}
        meta = doc.get("metadata") or {} if isinstance(doc, dict) else {}
    if meta.get("resourceVersion"):
        change["metadata"] = {"resourceVersion": str(meta["resourceVersion"])}
    if change["spec"]["replicas"] < 0:
        raise ApiError(
            422,
            "Invalid",
            f'Scale.autoscaling "{call.target.name}" is invalid: spec.replicas: '
            f"Invalid value: {change['spec']['replicas']}: must be greater than or equal to 0",
            {
                "name": call.target.name,
                "group": "autoscaling",
                "kind": "Scale",
                "causes": [
                    {
                        "reason": "FieldValueInvalid",
                        "field": "spec.replicas",
                        "message": f"Invalid value: {change['spec']['replicas']}: must be "
                        "greater than or equal to 0",
                    }
                ],
            },
        )
    if paths is not None:  # the replicas go where the CRD's specReplicasPath says
        write: Obj = {}
        cur = write
        *parents, last = paths.spec_replicas.split(".")
        for part in parents:
            cur = cur.setdefault(part, {})
        cur[last] = change["spec"]["replicas"]
        if "metadata" in change:
            write["metadata"] = change["metadata"]
        change = write
    updated = call.cluster.patch(
        res.kind,
        crud.namespace_of(call),
        call.target.name,
        change,
        "merge",
        dry_run=call.dry_run,
        field_manager=call.field_manager,
        group=res.group,
    )
    return reply(200, scale_of(updated, paths), out)


def _patched_replicas(patch_type: str, doc: Any, obj: Obj) -> int:
    """spec.replicas after a patch of the Scale (the only field of it a patch can change)."""
    current = int((obj.get("spec") or {}).get("replicas", 1))
    if patch_type in ("merge", "strategic", "apply"):
        spec = doc.get("spec") if isinstance(doc, dict) else None
        if not isinstance(spec, dict) or "replicas" not in spec:
            return current
        return _replicas(spec["replicas"])
    for op in doc:
        if op.get("path") == "/spec/replicas":
            if op.get("op") in ("replace", "add"):
                current = _replicas(op.get("value"))
            elif op.get("op") == "test" and op.get("value") != current:
                raise ApiError(
                    422, "Invalid", "the server rejected our request due to an error in our request", {}
                )
            else:
                raise bad_request(f"unsupported operation {op.get('op')!r} on /spec/replicas of a Scale")
        elif op.get("op") != "test":
            raise bad_request(f"a Scale can only change /spec/replicas, not {op.get('path')!r}")
    return current


# ---- log ------------------------------------------------------------------------------------------


def _invalid_log_option(call: Call, option: str, value: int, rule: str) -> ApiError:
    return ApiError(
        422,
        "Invalid",
        f'PodLogOptions "{call.target.name}" is invalid: {option}: Invalid value: {value}: {rule}',
        {},
    )


def log_options(call: Call) -> dict[str, Any]:
    query = call.query
    tail = query.integer("tailLines")
    if tail is not None and tail < 0:
        raise _invalid_log_option(call, "tailLines", tail, "must be greater than or equal to 0")
    limit = query.integer("limitBytes")
    if limit is not None and limit < 1:
        raise _invalid_log_option(call, "limitBytes", limit, "must be greater than 0")
    return {
        "container": query.get("container") or None,
        "previous": query.flag("previous"),
        "tail": tail,
        "timestamps": query.flag("timestamps"),
        "limit": limit,
        "follow": query.flag("follow"),
    }


def log_text(call: Call, options: dict[str, Any]) -> str:
    """The log as the options shape it (tail, timestamps, byte limit)."""
    text = _abilities(call).pod_log(
        call.target.namespace or "default", call.target.name, options["container"], options["previous"]
    )
    lines = text.splitlines(keepends=True)
    if options["tail"] is not None:
        lines = lines[len(lines) - options["tail"] :] if options["tail"] else []
    if options["timestamps"]:
        lines = [_stamped(line) for line in lines]
    text = "".join(lines)
    if options["limit"] is not None:
        text = text.encode()[: options["limit"]].decode(errors="ignore")
    return text


def _stamped(line: str) -> str:
    """`2026-11-28T09:19:40Z msg` -> `2026-11-28T09:19:40.000000000Z 2026-...Z msg` (kubelet's prefix)."""
    head = line.split(" ", 1)[0]
    if len(head) == 20 and head.endswith("Z") and head[10] == "T":
        return f"{head[:-1]}.000000000Z {line}"
    return line


def log(call: Call) -> Reply:
    return Reply(200, log_text(call, log_options(call)).encode(), "text/plain")


# ---- eviction -------------------------------------------------------------------------------------


def evict(call: Call) -> Reply:
    cluster = _abilities(call)
    doc, _ = bodies.parse_body(call)
    if not isinstance(doc, dict) or doc.get("kind") != "Eviction":
        raise bad_request("the object provided is unrecognized (must be of type Eviction)")
    name = (doc.get("metadata") or {}).get("name")
    if name != call.target.name:
        raise bad_request(f"name in URL does not match name in Eviction object: {call.target.name} != {name}")
    options = doc.get("deleteOptions") or {}
    grace = options.get("gracePeriodSeconds")
    dry = bool(options.get("dryRun")) or call.dry_run
    cluster.evict(
        call.target.namespace or "default",
        name,
        float(grace) if isinstance(grace, int) and grace >= 0 else None,
        dry,
    )
    body = success_status({})
    del body["details"]
    body["code"] = 201
    return reply(201, body, Output(call.output.format))
