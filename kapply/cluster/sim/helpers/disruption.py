"""PodDisruptionBudget arithmetic, shared by the disruption controller (its status) and the eviction
subresource (its check), as pkg/controller/disruption/disruption.go and
pkg/registry/core/pod/storage/eviction.go compute them.

- The budget's pods: those in its namespace its selector matches (a null selector matches none,
  an empty one all).
- expectedPods and desiredHealthy: `minAvailable: N` wants N of the pods there are; a percentage,
  or `maxUnavailable`, is of the scale of the pods' controllers (a Deployment's, a bare
  ReplicaSet's, a ReplicationController's, a StatefulSet's replicas), rounded up; a pod without a
  controller, or with one that has no scale, fails the sync for those.
- currentHealthy: Ready pods not being deleted, nor evicted within the last two minutes
  (disruptedPods); disruptionsAllowed = currentHealthy - desiredHealthy, never below 0, 0 while
  no pod is expected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kapply.cluster.sim.controllers.base import controller_of
from kapply.cluster.sim.helpers.podutil import is_pod_ready, parse_time
from kapply.model.intstr import scaled_value
from kapply.model.selectors import Selector, from_label_selector

Obj = dict[str, Any]
DELETION_TIMEOUT = 120.0  # seconds an evicted pod stays counted as disrupted (DeletionTimeout)
BUDGET_CAUSE = "DisruptionBudget"  # policyv1.DisruptionBudgetCause


class NoControllerError(Exception):
    """A pod's controller has no scale the budget can be computed from."""


def selector_of(pdb: Obj) -> Selector | None:
    """The budget's selector; None (matches nothing) when it has none."""
    sel = (pdb.get("spec") or {}).get("selector")
    return None if sel is None else from_label_selector(sel)


def selects(pdb: Obj, pod: Obj) -> bool:
    if (pdb.get("metadata") or {}).get("namespace") != (pod.get("metadata") or {}).get("namespace"):
        return False
    sel = selector_of(pdb)
    return sel is not None and sel.matches((pod.get("metadata") or {}).get("labels"))


@dataclass(frozen=True)
class Budget:
    expected: int
    desired: int
    healthy: int
    disrupted: dict[str, str]  # pod name -> when it was evicted (RFC 3339)
    recheck: float | None  # when a disrupted pod stops counting as such


def expected_scale(pods: list[Obj], scale_of: Callable[[Obj, Obj], int | None]) -> int:
    """The sum of the scales of the pods' controllers (each counted once)."""
    seen: dict[str, int] = {}
    for pod in pods:
        ref = controller_of(pod)
        if ref is None:
            continue  # unmanaged: left out (the controller warns about it)
        uid = str(ref.get("uid", ""))
        if uid in seen:
            continue
        scale = scale_of(pod, ref)
        if scale is None:
            raise NoControllerError(f'found no controllers for pod "{pod["metadata"]["name"]}"')
        seen[uid] = scale
    return sum(seen.values())


def budget(pdb: Obj, pods: list[Obj], now: float, scale_of: Callable[[Obj, Obj], int | None]) -> Budget:
    """What the disruption controller writes into the budget's status (NoControllerError when a
    percentage or maxUnavailable cannot be resolved)."""
    spec = pdb.get("spec") or {}
    max_unavailable, min_available = spec.get("maxUnavailable"), spec.get("minAvailable")
    expected = desired = 0
    if max_unavailable is not None:
        expected = expected_scale(pods, scale_of)
        desired = max(0, expected - scaled_value(max_unavailable, expected, True))
    elif isinstance(min_available, int):
        expected, desired = len(pods), min_available
    elif isinstance(min_available, str):
        expected = expected_scale(pods, scale_of)
        desired = scaled_value(min_available, expected, True)
    known = ((pdb.get("status") or {}).get("disruptedPods") or {})
    disrupted: dict[str, str] = {}
    recheck: float | None = None
    for pod in pods:
        name = pod["metadata"]["name"]
        if pod["metadata"].get("deletionTimestamp") or name not in known:
            continue
        when = parse_time(known[name])
        if when is not None and when + DELETION_TIMEOUT >= now:
            disrupted[name] = known[name]
            due = when + DELETION_TIMEOUT
            recheck = due if recheck is None else min(recheck, due)
    healthy = sum(1 for p in pods if not p["metadata"].get("deletionTimestamp")
                  and p["metadata"]["name"] not in disrupted and is_pod_ready(p))
    return Budget(expected, desired, healthy, disrupted, recheck)


def allowed(b: Budget) -> int:
    """disruptionsAllowed of a budget."""
    return 0 if b.expected <= 0 else max(0, b.healthy - b.desired)
