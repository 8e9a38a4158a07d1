"""What every Deployment sync pass shares: finding the new ReplicaSet, scaling, status, cleanup.

Mirrors pkg/controller/deployment/sync.go. `d` is the controller's working copy of the
Deployment: status changes are made on it and written with `write_status` (annotations first
through the main resource, then the /status subresource), which refreshes its metadata so
later writes in the same pass do not conflict. The strategies (`rolling.py`, `recreate.py`) and
`progress.py` build on these helpers; the arithmetic is in `util.py` and `revisions.py`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from kapply.cluster.sim.controllers.base import Context, Obj, controller_of
from kapply.cluster.sim.controllers.deployment import conditions as cond
from kapply.cluster.sim.controllers.deployment import revisions as rev
from kapply.cluster.sim.controllers.deployment import util
from kapply.cluster.sim.helpers.refmanager import controller_ref
from kapply.errors import AlreadyExistsError, ClusterError, NotFoundError
from kapply.model.jsoncopy import deep_copy


def name_of(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


def write_status(ctx: Context, d: Obj) -> None:
    """Persist `d`'s annotations and status (UpdateStatus in Kubernetes carries both)."""
    meta = d["metadata"]
    stored = ctx.get("Deployment", meta.get("namespace", ""), meta["name"])
    if stored is None:
        raise NotFoundError(f'deployments.apps "{meta["name"]}" not found')
    if (stored["metadata"].get("annotations") or {}) != (meta.get("annotations") or {}):
        new = deep_copy(stored)
        new["metadata"]["annotations"] = deep_copy(meta.get("annotations") or {})
        stored = ctx.update(new)
    if stored.get("status") != d.get("status"):
        # The /status subresource takes only the status from the body (and the identity and
        # resourceVersion to check), so the rest is shared with the stored object, not copied.
        stored = ctx.update_status({**stored, "status": deep_copy(d.get("status") or {})})
    d["metadata"] = deep_copy(stored["metadata"])


# --- scaling -------------------------------------------------------------------------------

def scale_replica_set(ctx: Context, rs: Obj, new_scale: int, d: Obj, operation: str) -> Obj:
    """Set replicas (and the replicas annotations); records `ScalingReplicaSet` when the size changes."""
    replicas = util.spec_replicas(d)
    maximum = replicas + util.max_surge(d)
    size_changed = util.spec_replicas(rs) != new_scale
    if not size_changed and not util.replicas_annotations_need_update(rs, replicas, maximum):
        return rs
    old_scale = util.spec_replicas(rs)
    new = deep_copy(rs)
    new["spec"]["replicas"] = new_scale
    util.set_replicas_annotations(new, replicas, maximum)
    updated = ctx.update(new)
    if size_changed:
        ctx.record_event(d, "Normal", "ScalingReplicaSet",
                         f"Scaled {operation} replica set {name_of(rs)} from {old_scale} to {new_scale}")
    return updated


def scale_and_record(ctx: Context, rs: Obj, new_scale: int, d: Obj) -> tuple[bool, Obj]:
    """scaleReplicaSetAndRecordEvent: (whether it scaled, the ReplicaSet after)."""
    if util.spec_replicas(rs) == new_scale:
        return False, rs
    operation = "up" if util.spec_replicas(rs) < new_scale else "down"
    return True, scale_replica_set(ctx, rs, new_scale, d, operation)


def scale(ctx: Context, d: Obj, new_rs: Obj | None, old_rss: Sequence[Obj]) -> None:
    """Kubernetes' `scale()`: a resize (not a template change) spread over the ReplicaSets."""
    plan = util.proportional_scale(d, new_rs, old_rss)
    proportional = (util.active_or_latest(new_rs, old_rss) is None and not util.is_saturated(d, new_rs))
    if not proportional:
        for rs, size in plan:
            scale_and_record(ctx, rs, size, d)
        return
    # One direction for the whole event, as Kubernetes words it (the sign of replicas to add).
    growing = sum(size for _, size in plan) > util.replica_count(rs for rs, _ in plan)
    for rs, size in plan:
        scale_replica_set(ctx, rs, size, d, "up" if growing else "down")


def is_scaling_event(d: Obj, new_rs: Obj | None, old_rss: Sequence[Obj]) -> bool:
    """An active ReplicaSet was sized for a different spec.replicas than the Deployment's now."""
    for rs in util.active([*old_rss, new_rs]):
        desired = util.desired_replicas_annotation(rs)
        if desired is not None and desired != util.spec_replicas(d):
            return True
    return False


# --- the new ReplicaSet ------------------------------------------------------------------------

def new_replica_set_manifest(d: Obj, template_hash: str) -> Obj:
    """The ReplicaSet a Deployment creates for its current template (replicas still 0)."""
    template = deep_copy(d["spec"].get("template") or {})
    t_meta = template.setdefault("metadata", {})
    t_meta["labels"] = {**(t_meta.get("labels") or {}), rev.POD_TEMPLATE_HASH_LABEL: template_hash}
    selector = deep_copy(d["spec"].get("selector") or {})
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}),
                               rev.POD_TEMPLATE_HASH_LABEL: template_hash}
    spec: Obj = {"replicas": 0, "selector": selector, "template": template}
    if d["spec"].get("minReadySeconds"):
        spec["minReadySeconds"] = d["spec"]["minReadySeconds"]
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{name_of(d)}-{template_hash}",
                         "namespace": d["metadata"].get("namespace", ""),
                         "labels": dict(t_meta["labels"]),
                         "ownerReferences": [controller_ref(d)]},
            "spec": spec}


def _sync_existing_new_rs(ctx: Context, d: Obj, rs: Obj, new_revision: str) -> Obj:
    # Only the annotations and the top of the spec may change: copy those; the whole object only
    # when it is written (the API takes ownership of what it is given).
    meta = rs["metadata"]
    copy_rs = {**rs, "metadata": {**meta, "annotations": dict(meta.get("annotations") or {})},
               "spec": dict(rs["spec"])}
    changed = rev.set_new_replica_set_annotations(d, copy_rs, new_revision, exists=True)
    min_ready = d["spec"].get("minReadySeconds") or 0
    if changed or (copy_rs["spec"].get("minReadySeconds") or 0) != min_ready:
        if min_ready:
            copy_rs["spec"]["minReadySeconds"] = min_ready
        else:
            copy_rs["spec"].pop("minReadySeconds", None)
        return ctx.update(deep_copy(copy_rs))
    needs_update = rev.set_deployment_revision(d, copy_rs["metadata"]["annotations"].get(
        rev.REVISION_ANNOTATION, ""))
    status = d.setdefault("status", {})
    if cond.has_progress_deadline(d) and cond.get_condition(status, cond.PROGRESSING) is None:
        cond.set_condition(status, cond.new_condition(
            cond.PROGRESSING, "True", cond.FOUND_NEW_RS, f'Found new replica set "{name_of(rs)}"', ctx.now))
        needs_update = True
    if needs_update:
        write_status(ctx, d)
    return copy_rs


def get_all_replica_sets_and_sync_revision(ctx: Context, d: Obj, rs_list: Sequence[Obj],
                                           create: bool) -> tuple[Obj | None, list[Obj]]:
    """(new ReplicaSet or None, all old ReplicaSets); creates the new one when `create`."""
    _, all_old = rev.find_old_replica_sets(d, rs_list)
    existing = rev.find_new_replica_set(d, rs_list)
    new_revision = str(rev.max_revision(all_old) + 1)
    if existing is not None:
        return _sync_existing_new_rs(ctx, d, existing, new_revision), all_old
    if not create:
        return None, all_old
    return _create_new_rs(ctx, d, all_old, new_revision), all_old


def _create_new_rs(ctx: Context, d: Obj, all_old: list[Obj], new_revision: str) -> Obj | None:
    status = d.setdefault("status", {})
    collision = status.get("collisionCount")
    template_hash = rev.pod_template_hash(d["spec"].get("template") or {}, collision)
    manifest = new_replica_set_manifest(d, template_hash)
    manifest["spec"]["replicas"] = util.new_rs_new_replicas(d, [*all_old, manifest], manifest)
    rev.set_new_replica_set_annotations(d, manifest, new_revision, exists=False)
    namespace = d["metadata"].get("namespace", "")
    already_exists = False
    try:
        created = ctx.create(manifest)
    except AlreadyExistsError:
        found = ctx.get("ReplicaSet", namespace, manifest["metadata"]["name"])
        ref = controller_of(found) if found is not None else None
        if found is not None and ref is not None and ref.get("uid") == d["metadata"].get("uid") \
                and rev.equal_ignore_hash(d["spec"].get("template"), found["spec"].get("template")):
            created, already_exists = found, True
        else:
            # A hash collision: bump collisionCount; the status write re-queues the Deployment.
            status["collisionCount"] = int(collision or 0) + 1
            write_status(ctx, d)
            return None
    except ClusterError as exc:
        message = f'Failed to create new replica set "{manifest["metadata"]["name"]}": {exc}'
        if cond.has_progress_deadline(d):
            cond.set_condition(status, cond.new_condition(cond.PROGRESSING, "False", cond.FAILED_RS_CREATE,
                                                          message, ctx.now))
            write_status(ctx, d)
        ctx.record_event(d, "Warning", cond.FAILED_RS_CREATE, message)
        return None
    replicas = util.spec_replicas(created)
    if not already_exists and replicas > 0:
        ctx.record_event(d, "Normal", "ScalingReplicaSet",
                         f"Scaled up replica set {name_of(created)} from 0 to {replicas}")
    needs_update = rev.set_deployment_revision(d, new_revision)
    if not already_exists and cond.has_progress_deadline(d):
        cond.set_condition(status, cond.new_condition(
            cond.PROGRESSING, "True", cond.NEW_REPLICA_SET, f'Created new replica set "{name_of(created)}"',
            ctx.now))
        needs_update = True
    if needs_update:
        write_status(ctx, d)
    return created


# --- status and cleanup --------------------------------------------------------------------

def calculate_status(all_rss: Sequence[Obj | None], new_rs: Obj | None, d: Obj, now: float) -> Obj:
    """The Deployment status the ReplicaSets add up to, with the Available condition (calculateStatus)."""
    old = d.get("status") or {}
    available = util.available_replica_count(all_rss)
    total = util.replica_count(all_rss)
    values = {
        "observedGeneration": int(d["metadata"].get("generation") or 0),
        "replicas": util.actual_replica_count(all_rss),
        "updatedReplicas": util.actual_replica_count([new_rs]),
        "readyReplicas": util.ready_replica_count(all_rss),
        "availableReplicas": available,
        "unavailableReplicas": max(0, total - available),
    }
    status: Obj = {k: v for k, v in values.items() if v}  # zeros are omitted, as the API serialises
    status["conditions"] = deep_copy(old.get("conditions") or [])
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    if available >= util.spec_replicas(d) - util.max_unavailable(d):
        condition = cond.new_condition(cond.AVAILABLE, "True", cond.MINIMUM_REPLICAS_AVAILABLE,
                                       "Deployment has minimum availability.", now)
    else:
        condition = cond.new_condition(cond.AVAILABLE, "False", cond.MINIMUM_REPLICAS_UNAVAILABLE,
                                       "Deployment does not have minimum availability.", now)
    cond.set_condition(status, condition)
    return status


def sync_deployment_status(ctx: Context, all_rss: Sequence[Obj | None], new_rs: Obj | None, d: Obj) -> None:
    """Write the computed status when it differs (syncDeploymentStatus)."""
    status = calculate_status(all_rss, new_rs, d, ctx.now)
    if status != (d.get("status") or {}):
        d["status"] = status
        write_status(ctx, d)


def cleanup_deployment(ctx: Context, old_rss: Sequence[Obj], d: Obj) -> None:
    """Delete the oldest empty ReplicaSets beyond revisionHistoryLimit (cleanupDeployment)."""
    if not cond.has_revision_history_limit(d):
        return
    alive = [rs for rs in old_rss if not rs["metadata"].get("deletionTimestamp")]
    diff = len(alive) - int(d["spec"]["revisionHistoryLimit"])
    if diff <= 0:
        return
    for rs in rev.by_revision(alive)[:diff]:
        status = rs.get("status") or {}
        if int(status.get("replicas") or 0) != 0 or util.spec_replicas(rs) != 0 \
                or int(rs["metadata"].get("generation") or 0) > int(status.get("observedGeneration") or 0):
            continue
        with contextlib.suppress(NotFoundError):
            ctx.delete("ReplicaSet", rs["metadata"].get("namespace", ""), name_of(rs))


def sync(ctx: Context, d: Obj, rs_list: Sequence[Obj]) -> None:
    """Reconcile a scaling event or a paused Deployment: no new ReplicaSet, just sizes (sync)."""
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, d, rs_list, create=False)
    scale(ctx, d, new_rs, old_rss)
    if d["spec"].get("paused"):
        cleanup_deployment(ctx, old_rss, d)
    fresh = refresh(ctx, [*old_rss, new_rs])
    sync_deployment_status(ctx, fresh, find_same(fresh, new_rs), d)


def refresh(ctx: Context, rss: Sequence[Obj | None]) -> list[Obj]:
    """The current version of each ReplicaSet (after this pass's writes), dropping deleted ones."""
    out = []
    for rs in rss:
        if rs is None:
            continue
        current = ctx.get("ReplicaSet", rs["metadata"].get("namespace", ""), name_of(rs))
        if current is not None:
            out.append(current)
    return out


def find_same(rss: Sequence[Obj], rs: Obj | None) -> Obj | None:
    if rs is None:
        return None
    return next((r for r in rss if name_of(r) == name_of(rs)), None)


def check_paused_conditions(ctx: Context, d: Obj) -> bool:
    """Record DeploymentPaused / DeploymentResumed on the Progressing condition; True if written."""
    if not cond.has_progress_deadline(d):
        return False
    status = d.setdefault("status", {})
    current = cond.get_condition(status, cond.PROGRESSING)
    if current is not None and current.get("reason") == cond.TIMED_OUT:
        return False
    paused_exists = current is not None and current.get("reason") == cond.PAUSED
    if d["spec"].get("paused") and not paused_exists:
        condition = cond.new_condition(cond.PROGRESSING, "Unknown", cond.PAUSED, "Deployment is paused",
                                       ctx.now)
    elif not d["spec"].get("paused") and paused_exists:
        condition = cond.new_condition(cond.PROGRESSING, "Unknown", cond.RESUMED, "Deployment is resumed",
                                       ctx.now)
    else:
        return False
    cond.set_condition(status, condition)
    write_status(ctx, d)
    return True
