"""The RollingUpdate strategy: one step per pass, scale the new ReplicaSet up *or* the old ones down.

Mirrors pkg/controller/deployment/rolling.go. Worked example (10 replicas, maxSurge 3,
maxUnavailable 2): the new ReplicaSet may grow while all ReplicaSets hold fewer than 13 pods;
old ReplicaSets may shrink while more than 8 pods are available, unhealthy old pods first, oldest
ReplicaSet first. Each write re-queues the Deployment (its ReplicaSets report back), so the
rollout advances as pods become available, never faster.

Simulation detail: a ReplicaSet whose latest spec its controller has not yet observed is
counted with at most spec.replicas available pods, what it will have once it has (Kubernetes
relies on informer timing for the same guarantee).
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


def available(rs: Obj | None) -> int:
    """availableReplicas, capped by spec.replicas while the ReplicaSet's controller catches up."""
    if rs is None:
        return 0
    count = util.status_int(rs, "availableReplicas")
    observed = util.status_int(rs, "observedGeneration")
    if observed < int(rs["metadata"].get("generation") or 0):
        count = min(count, util.spec_replicas(rs))
    return count


def rollout_rolling(ctx: Context, d: Obj, rs_list: Sequence[Obj]) -> None:
    """One pass of a rolling update (rolloutRolling)."""
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, d, rs_list, create=True)
    if new_rs is None:
        return  # creation failed or collided: the status write re-queues us
    all_rss = [*old_rss, new_rs]
    if reconcile_new_replica_set(ctx, all_rss, new_rs, d) \
            or reconcile_old_replica_sets(ctx, all_rss, util.active(old_rss), new_rs, d):
        _sync_status(ctx, old_rss, new_rs, d)
        return
    if cond.deployment_complete(d, d.get("status") or {}):
        cleanup_deployment(ctx, old_rss, d)
    _sync_status(ctx, old_rss, new_rs, d)


def _sync_status(ctx: Context, old_rss: Sequence[Obj], new_rs: Obj, d: Obj) -> None:
    fresh = refresh(ctx, [*old_rss, new_rs])
    sync_rollout_status(ctx, fresh, find_same(fresh, new_rs), d)


def reconcile_new_replica_set(ctx: Context, all_rss: Sequence[Obj], new_rs: Obj, d: Obj) -> bool:
    """Scale the new ReplicaSet towards spec.replicas within maxSurge; True if it scaled."""
    replicas = util.spec_replicas(d)
    current = util.spec_replicas(new_rs)
    if current == replicas:
        return False
    if current > replicas:
        return scale_and_record(ctx, new_rs, replicas, d)[0]
    return scale_and_record(ctx, new_rs, util.new_rs_new_replicas(d, all_rss, new_rs), d)[0]


def max_scaled_down(all_rss: Sequence[Obj], new_rs: Obj, d: Obj) -> int:
    """How many old pods may go now without breaking minAvailable, counting the new RS's unavailable."""
    min_available = util.spec_replicas(d) - util.max_unavailable(d)
    new_unavailable = util.spec_replicas(new_rs) - available(new_rs)
    return util.replica_count(all_rss) - min_available - new_unavailable


def reconcile_old_replica_sets(ctx: Context, all_rss: Sequence[Obj], old_rss: Sequence[Obj], new_rs: Obj,
                               d: Obj) -> bool:
    """Scale old ReplicaSets down: unhealthy replicas first, then within maxUnavailable; True if any."""
    if util.replica_count(old_rss) == 0:
        return False
    limit = max_scaled_down(all_rss, new_rs, d)
    if limit <= 0:
        return False
    old_rss, cleaned = cleanup_unhealthy_replicas(ctx, list(old_rss), d, limit)
    scaled = scale_down_old_replica_sets(ctx, [*old_rss, new_rs], old_rss, d)
    return cleaned + scaled > 0


def cleanup_unhealthy_replicas(ctx: Context, old_rss: list[Obj], d: Obj, limit: int) -> tuple[list[Obj], int]:
    """Drop old replicas that are not available, oldest ReplicaSet first, at most `limit`."""
    old_rss = util.by_creation(old_rss)
    total = 0
    for i, rs in enumerate(old_rss):
        if total >= limit:
            break
        replicas = util.spec_replicas(rs)
        if replicas == 0 or replicas == available(rs):
            continue
        count = min(limit - total, replicas - available(rs))
        _, old_rss[i] = scale_and_record(ctx, rs, replicas - count, d)
        total += count
    return old_rss, total


def scale_down_old_replica_sets(ctx: Context, all_rss: Sequence[Obj], old_rss: Sequence[Obj], d: Obj) -> int:
    """Scale old ReplicaSets down while more than minAvailable pods are available, oldest first."""
    min_available = util.spec_replicas(d) - util.max_unavailable(d)
    available_count = sum(available(rs) for rs in all_rss)
    if available_count <= min_available:
        return 0
    wanted = available_count - min_available
    total = 0
    for rs in util.by_creation(old_rss):
        if total >= wanted:
            break
        replicas = util.spec_replicas(rs)
        if replicas == 0:
            continue
        count = min(replicas, wanted - total)
        scale_and_record(ctx, rs, replicas - count, d)
        total += count
    return total
