"""The Recreate strategy: all old pods gone first, then the new ReplicaSet at full size.

Mirrors pkg/controller/deployment/recreate.go: scale every old ReplicaSet to 0; wait until none
of their pods is left (Terminating pods count, as the controller watches pod deletions); only
then create the new ReplicaSet (if needed) and scale it to spec.replicas.
"""

from __future__ import annotations

from collections.abc import Sequence

from kapply.cluster.sim.controllers.base import Context, Obj
from kapply.cluster.sim.controllers.deployment import conditions as cond
from kapply.cluster.sim.controllers.deployment import util
from kapply.cluster.sim.controllers.deployment.progress import sync_rollout_status
from kapply.cluster.sim.controllers.deployment.sync import (
    cleanup_deployment,
    find_same,
    get_all_replica_sets_and_sync_revision,
    refresh,
    scale_and_record,
)


def old_pods_running(new_rs: Obj | None, old_rss: Sequence[Obj], pod_map: dict[str, list[Obj]]) -> bool:
    """Any pod of an old ReplicaSet not yet in a terminal phase (oldPodsRunning)."""
    if util.actual_replica_count(old_rss) > 0:
        return True
    new_uid = new_rs["metadata"].get("uid") if new_rs is not None else None
    for uid, pods in pod_map.items():
        if uid == new_uid:
            continue
        if any((p.get("status") or {}).get("phase") not in ("Failed", "Succeeded") for p in pods):
            return True
    return False


def rollout_recreate(ctx: Context, d: Obj, rs_list: Sequence[Obj], pod_map: dict[str, list[Obj]]) -> None:
    """One pass of a Recreate rollout (rolloutRecreate)."""
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, d, rs_list, create=False)
    scaled = False
    for rs in util.active(old_rss):
        scaled = scale_and_record(ctx, rs, 0, d)[0] or scaled
    if scaled or old_pods_running(new_rs, old_rss, pod_map):
        fresh = refresh(ctx, [*old_rss, new_rs])
        sync_rollout_status(ctx, fresh, find_same(fresh, new_rs), d)
        return
    if new_rs is None:
        new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, d, rs_list, create=True)
        if new_rs is None:
            return
    scale_and_record(ctx, new_rs, util.spec_replicas(d), d)
    if cond.deployment_complete(d, d.get("status") or {}):
        cleanup_deployment(ctx, old_rss, d)
    fresh = refresh(ctx, [*old_rss, new_rs])
    sync_rollout_status(ctx, fresh, find_same(fresh, new_rs), d)
