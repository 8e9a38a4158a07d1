"""Rollout progress: the Progressing condition and the progress-deadline timer.

Mirrors pkg/controller/deployment/progress.go. After each rolling or recreate step the status is
recomputed; progress (pods updated, ready, available, old ones gone) refreshes the Progressing
condition's lastUpdateTime, completion sets NewReplicaSetAvailable, and no progress for longer
than spec.progressDeadlineSeconds sets ProgressDeadlineExceeded. Kubernetes re-queues a stuck
Deployment for the moment its deadline passes; here that is a persisted timer (`ctx.requeue_at`)
on the virtual clock, so `cluster advance 10m` reaches the verdict without polling.
"""

from __future__ import annotations

from collections.abc import Sequence

from kapply.cluster.sim.controllers.base import Context, Obj, ns_key
from kapply.cluster.sim.controllers.deployment import conditions as cond
from kapply.cluster.sim.controllers.deployment.sync import calculate_status, name_of, write_status


def rollout_status(d: Obj, all_rss: Sequence[Obj | None], new_rs: Obj | None, now: float) -> Obj:
    """The status after a rollout step, Progressing condition included (pure part of syncRolloutStatus)."""
    status = calculate_status(all_rss, new_rs, d, now)
    if not cond.has_progress_deadline(d):
        cond.remove_condition(status, cond.PROGRESSING)
    current = cond.get_condition(d.get("status"), cond.PROGRESSING)
    complete_before = (status.get("replicas", 0) == status.get("updatedReplicas", 0)
                       and current is not None and current.get("reason") == cond.NEW_RS_AVAILABLE)
    if cond.has_progress_deadline(d) and not complete_before:
        subject = f'ReplicaSet "{name_of(new_rs)}"' if new_rs is not None else f'Deployment "{name_of(d)}"'
        if cond.deployment_complete(d, status):
            message = f"{subject} has successfully progressed."
            cond.set_condition(status, cond.new_condition(
                cond.PROGRESSING, "True", cond.NEW_RS_AVAILABLE, message, now))
        elif cond.deployment_progressing(d, status):
            condition = cond.new_condition(cond.PROGRESSING, "True", cond.REPLICA_SET_UPDATED,
                                           f"{subject} is progressing.", now)
            if current is not None:
                if current.get("status") == "True":
                    condition["lastTransitionTime"] = current.get("lastTransitionTime")
                cond.remove_condition(status, cond.PROGRESSING)
            cond.set_condition(status, condition)
        elif cond.deployment_timed_out(d, status, now):
            cond.set_condition(status, cond.new_condition(
                cond.PROGRESSING, "False", cond.TIMED_OUT, f"{subject} has timed out progressing.", now))
    failure = replica_failure(all_rss, new_rs)
    if failure is not None:
        cond.set_condition(status, failure)
    else:
        cond.remove_condition(status, cond.REPLICA_FAILURE)
    if not status.get("conditions"):
        status.pop("conditions", None)
    return status


def replica_failure(all_rss: Sequence[Obj | None], new_rs: Obj | None) -> Obj | None:
    """The ReplicaFailure condition of the new ReplicaSet, else of an old one (getReplicaFailures)."""
    ordered = [new_rs, *[rs for rs in all_rss if rs is not new_rs]]
    for rs in ordered:
        if rs is None:
            continue
        found = cond.get_condition(rs.get("status"), cond.REPLICA_FAILURE)
        if found is not None:
            return {"type": cond.REPLICA_FAILURE, "status": found.get("status"),
                    "lastUpdateTime": found.get("lastTransitionTime"),
                    "lastTransitionTime": found.get("lastTransitionTime"),
                    "reason": found.get("reason"), "message": found.get("message")}
    return None


def sync_rollout_status(ctx: Context, all_rss: Sequence[Obj | None], new_rs: Obj | None, d: Obj) -> None:
    """Write the rollout status if it changed, else arm the progress-deadline timer (syncRolloutStatus)."""
    status = rollout_status(d, all_rss, new_rs, ctx.now)
    if status == (d.get("status") or {}):
        requeue_stuck_deployment(ctx, d, status)
        return
    d["status"] = status
    write_status(ctx, d)


def requeue_stuck_deployment(ctx: Context, d: Obj, status: Obj) -> float | None:
    """Schedule a progress check for when the deadline passes; returns when, or None."""
    current = cond.get_condition(d.get("status"), cond.PROGRESSING)
    if not cond.has_progress_deadline(d) or current is None:
        return None
    if cond.deployment_complete(d, status) or current.get("reason") == cond.TIMED_OUT:
        return None
    if status.get("replicas", 0) == status.get("updatedReplicas", 0) and \
            current.get("reason") == cond.NEW_RS_AVAILABLE:
        # rolled out, then lost availability: rollout_status never times such a Deployment out,
        # so a timer could not change it (Kubernetes' rate-limited requeue would spin; pod
        # changes re-sync it anyway)
        return None
    deadline = cond.progress_deadline_at(d, d.get("status") or {})
    if deadline is None:
        return None
    # Kubernetes adds a second to avoid skew; lastUpdateTime has whole seconds, so the check
    # then sees the deadline strictly passed.
    when = max(deadline + 1, ctx.now + 1)
    ctx.requeue_at(when, ns_key(d))
    return when
