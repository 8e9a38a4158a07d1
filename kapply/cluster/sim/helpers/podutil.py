"""Pod facts every controller asks the same way: ready, available, active, when it became ready.

Mirrors k8s.io/kubernetes pkg/api/v1/pod (IsPodReady, IsPodAvailable, GetPodReadyCondition) and
controller.FilterActivePods. The ReplicaSet controller counts with these, the Deployment
controller reads the counts back from ReplicaSet status, and the endpoints and node helpers
reuse them so "ready" means one thing in the whole simulation. Also the RFC 3339 timestamp
helpers the status writers share (virtual time is epoch seconds in code, strings in objects).
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.clock import parse_rfc3339, rfc3339

Obj = dict[str, Any]


def format_time(epoch: float) -> str:
    """Kubernetes' metav1.Time form: `2026-01-02T03:04:05Z` (second precision)."""
    return rfc3339(epoch)


def parse_time(value: str | None) -> float | None:
    """Epoch seconds of an RFC 3339 timestamp; None when empty or malformed."""
    if not value:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        return None


def ready_condition(pod: Obj) -> Obj | None:
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond
    return None


def is_pod_ready(pod: Obj) -> bool:
    """The pod's Ready condition is True."""
    cond = ready_condition(pod)
    return cond is not None and cond.get("status") == "True"


def ready_since(pod: Obj) -> float | None:
    """When the pod last became ready (the Ready condition's lastTransitionTime), if ready."""
    if not is_pod_ready(pod):
        return None
    return parse_time((ready_condition(pod) or {}).get("lastTransitionTime"))


def is_pod_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    """Ready for more than minReadySeconds (strictly, as IsPodAvailable)."""
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds == 0:
        return True
    since = ready_since(pod)
    return since is not None and since + min_ready_seconds < now


def becomes_available_at(pod: Obj, min_ready_seconds: int) -> float | None:
    """The first whole second at which a ready pod counts as available; None if not ready."""
    since = ready_since(pod)
    if since is None:
        return None
    return since + min_ready_seconds + 1


def is_terminating(pod: Obj) -> bool:
    return bool(pod.get("metadata", {}).get("deletionTimestamp"))


def is_pod_active(pod: Obj) -> bool:
    """Not Succeeded, not Failed, not being deleted (controller.IsPodActive)."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not is_terminating(pod)


def max_container_restarts(pod: Obj) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    return max((int(s.get("restartCount") or 0) for s in statuses), default=0)
