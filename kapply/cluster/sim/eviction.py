"""The eviction subresource (pkg/registry/core/pod/storage/eviction.go): a pod's delete that its
PodDisruptionBudget must allow. `kapply serve` (kubectl drain's evictions) and `kapply node drain`
both evict through here.

A pod that is Pending, finished, or already being deleted is deleted at once; so is one no budget
selects. More than one budget is an error (500). A not-ready pod goes at once when its budget's
`unhealthyPodEvictionPolicy` is AlwaysAllow, or (IfHealthyBudget, the default) when the budget
is met without it. Otherwise the budget must allow a disruption: its status must be current (else
429 `... is still being processed by the server.`) and `disruptionsAllowed` above 0 (else 429
`Cannot evict pod as it would violate the pod's disruption budget.`, with the cause `The
disruption budget web needs 2 healthy pods and has 2 currently`); then one disruption is taken
(`disruptionsAllowed` - 1, the pod recorded in `disruptedPods`) and the pod is deleted gracefully.
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.clock import rfc3339
from kapply.cluster.sim.controllers.disruption import set_condition
from kapply.cluster.sim.helpers.disruption import BUDGET_CAUSE, selects
from kapply.cluster.sim.helpers.podutil import is_pod_ready
from kapply.errors import ClusterError, ForbiddenError, TooManyRequestsError
from kapply.model.jsoncopy import deep_copy

Obj = dict[str, Any]
VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."


def _can_ignore_budget(pod: Obj) -> bool:
    """canIgnorePDB: a pod that disrupts nothing more by going."""
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or bool(pod["metadata"].get("deletionTimestamp"))


def evict(api: Any, namespace: str, name: str, grace_seconds: float | None = None) -> None:
    """Evict one pod through `api` (a SimAPI, inside a session)."""
    pod = api.read("Pod", namespace, name)
    if _can_ignore_budget(pod):
        api.delete("Pod", namespace, name, grace_seconds)
        return
    budgets = [b for b in api.list("PodDisruptionBudget", namespace) if selects(b, pod)]
    if len(budgets) > 1:
        raise ClusterError("Internal error occurred: This pod has more than one PodDisruptionBudget, which "
                           "the eviction subresource does not support.")
    if not budgets:
        api.delete("Pod", namespace, name, grace_seconds)
        return
    pdb = budgets[0]
    status = pdb.get("status") or {}
    policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy") or "IfHealthyBudget"
    if not is_pod_ready(pod):
        desired, healthy = int(status.get("desiredHealthy", 0)), int(status.get("currentHealthy", 0))
        if policy == "AlwaysAllow" or (healthy >= desired and desired > 0):
            api.delete("Pod", namespace, name, grace_seconds)
            return
    _take_disruption(api, pdb, name)
    api.delete("Pod", namespace, name, grace_seconds)


def _take_disruption(api: Any, pdb: Obj, pod_name: str) -> None:
    """checkAndDecrement: refuse (429) or record one disruption in the budget's status."""
    meta, status = pdb["metadata"], pdb.get("status") or {}
    budget = meta["name"]
    if int(status.get("observedGeneration", 0)) < int(meta.get("generation", 1)):
        raise TooManyRequestsError(f"{VIOLATION} The disruption budget {budget} is still being processed by "
                                   "the server.", retry_after=10)
    allowed = int(status.get("disruptionsAllowed", 0))
    if allowed < 0:
        raise ForbiddenError("pdb disruptions allowed is negative")
    if allowed == 0:
        desired, healthy = int(status.get("desiredHealthy", 0)), int(status.get("currentHealthy", 0))
        cause = f"The disruption budget {budget} needs {desired} healthy pods and has {healthy} currently"
        raise TooManyRequestsError(VIOLATION, [(BUDGET_CAUSE, cause)])
    new = deep_copy(pdb)
    new_status = new.setdefault("status", {})
    new_status["disruptionsAllowed"] = allowed - 1
    if allowed - 1 == 0:
        set_condition(new_status, False, api.now, generation=int(status.get("observedGeneration", 0)))
    new_status["disruptedPods"] = {**(status.get("disruptedPods") or {}), pod_name: rfc3339(api.now)}
    api.update_status(new)
