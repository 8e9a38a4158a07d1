"""Deployment conditions and the progress arithmetic behind them, as pure functions.

Mirrors the condition half of pkg/controller/deployment/util/deployment_util.go: the
`Available` condition (MinimumReplicasAvailable / MinimumReplicasUnavailable) and the
`Progressing` condition whose reasons tell a rollout's story (NewReplicaSetCreated,
FoundNewReplicaSet, ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded).
`now` is always passed in: `progress.py` gives the virtual clock, tests give numbers.
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.controllers.deployment.util import spec_replicas
from kapply.cluster.sim.helpers.podutil import format_time, parse_time

Obj = dict[str, Any]

AVAILABLE = "Available"
PROGRESSING = "Progressing"
REPLICA_FAILURE = "ReplicaFailure"

# Reasons (deploymentutil constants).
REPLICA_SET_UPDATED = "ReplicaSetUpdated"
FAILED_RS_CREATE = "ReplicaSetCreateError"
NEW_REPLICA_SET = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"

MAX_INT32 = 2**31 - 1


def new_condition(type_: str, status: str, reason: str, message: str, now: float) -> Obj:
    """NewDeploymentCondition: both timestamps at `now`."""
    stamp = format_time(now)
    return {"type": type_, "status": status, "lastUpdateTime": stamp, "lastTransitionTime": stamp,
            "reason": reason, "message": message}


def get_condition(status: Obj | None, type_: str) -> Obj | None:
    for cond in (status or {}).get("conditions") or ():
        if cond.get("type") == type_:
            return cond
    return None


def set_condition(status: Obj, condition: Obj) -> None:
    """SetDeploymentCondition: same status and reason -> no-op; same status keeps the transition time."""
    current = get_condition(status, condition["type"])
    if current is not None and current.get("status") == condition["status"] \
            and current.get("reason") == condition["reason"]:
        return
    if current is not None and current.get("status") == condition["status"]:
        condition = {**condition, "lastTransitionTime": current.get("lastTransitionTime")}
    others = [c for c in status.get("conditions") or () if c.get("type") != condition["type"]]
    status["conditions"] = [*others, condition]


def remove_condition(status: Obj, type_: str) -> None:
    if "conditions" in status:
        status["conditions"] = [c for c in status["conditions"] or () if c.get("type") != type_]


def has_progress_deadline(deployment: Obj) -> bool:
    value = (deployment.get("spec") or {}).get("progressDeadlineSeconds")
    return value is not None and int(value) != MAX_INT32


def has_revision_history_limit(deployment: Obj) -> bool:
    value = (deployment.get("spec") or {}).get("revisionHistoryLimit")
    return value is not None and int(value) != MAX_INT32


def _generation(deployment: Obj) -> int:
    return int(deployment.get("metadata", {}).get("generation") or 0)


def deployment_complete(deployment: Obj, status: Obj) -> bool:
    """All desired replicas updated and available, no old pods, generation observed."""
    replicas = spec_replicas(deployment)
    return (int(status.get("updatedReplicas") or 0) == replicas
            and int(status.get("replicas") or 0) == replicas
            and int(status.get("availableReplicas") or 0) == replicas
            and int(status.get("observedGeneration") or 0) >= _generation(deployment))


def deployment_progressing(deployment: Obj, new_status: Obj) -> bool:
    """New pods scaled up or became ready/available, or old pods went away, since the last status."""
    old = deployment.get("status") or {}

    def n(s: Obj, key: str) -> int:
        return int(s.get(key) or 0)

    old_old = n(old, "replicas") - n(old, "updatedReplicas")
    new_old = n(new_status, "replicas") - n(new_status, "updatedReplicas")
    return (n(new_status, "updatedReplicas") > n(old, "updatedReplicas")
            or new_old < old_old
            or n(new_status, "readyReplicas") > n(old, "readyReplicas")
            or n(new_status, "availableReplicas") > n(old, "availableReplicas"))


def progress_deadline_at(deployment: Obj, status: Obj) -> float | None:
    """When the Progressing condition's lastUpdateTime plus the deadline passes; None if no deadline."""
    if not has_progress_deadline(deployment):
        return None
    cond = get_condition(status, PROGRESSING)
    if cond is None:
        return None
    since = parse_time(cond.get("lastUpdateTime"))
    if since is None:
        return None
    return since + int(deployment["spec"]["progressDeadlineSeconds"])


def deployment_timed_out(deployment: Obj, new_status: Obj, now: float) -> bool:
    """DeploymentTimedOut: no progress reported for longer than progressDeadlineSeconds."""
    if not has_progress_deadline(deployment):
        return False
    cond = get_condition(new_status, PROGRESSING)
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
        return False
    if cond.get("reason") == TIMED_OUT:
        return True
    deadline = progress_deadline_at(deployment, new_status)
    return deadline is not None and deadline < now
