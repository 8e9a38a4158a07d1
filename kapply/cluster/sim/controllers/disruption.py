"""The disruption controller (pkg/controller/disruption): every PodDisruptionBudget's status.

For each budget: its pods, the scale of their controllers, how many are healthy; written as
`expectedPods`, `desiredHealthy`, `currentHealthy`, `disruptionsAllowed`, `disruptedPods` (the
pods the eviction subresource let go in the last two minutes, not yet deleted),
`observedGeneration` and the `DisruptionAllowed` condition (`SufficientPods` /
`InsufficientPods`; `SyncFailed` with disruptionsAllowed 0 when the expected count cannot be
computed). The arithmetic is `kapply.cluster.sim.helpers.disruption`, which the eviction
subresource (`kapply.cluster.sim.eviction`) shares.

Keys are `namespace/name` of a budget, or `ns:namespace` (re-sync the namespace's budgets) for a
pod or a workload scale that changed; a timer re-syncs a budget when a disrupted pod stops
counting as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, controller_of, split_key
from kapply.cluster.sim.helpers import conditions
from kapply.cluster.sim.helpers import disruption as d
from kapply.cluster.sim.helpers.podutil import is_pod_ready
from kapply.model.jsoncopy import deep_copy

Obj = dict[str, Any]
PDB = "PodDisruptionBudget"
SCALED = ("ReplicaSet", "ReplicationController", "StatefulSet", "Deployment")


def _pod_matters(change: Change) -> bool:
    """A pod change that can move a budget: added, deleted, relabelled, readiness, deletion."""
    if change.type != "MODIFIED" or change.old is None:
        return True
    new, old = change.obj["metadata"], change.old["metadata"]
    return (new.get("labels") != old.get("labels")
            or bool(new.get("deletionTimestamp")) != bool(old.get("deletionTimestamp"))
            or is_pod_ready(change.obj) != is_pod_ready(change.old))


def _replicas(obj: Obj | None) -> int | None:
    if obj is None:
        return None
    value = (obj.get("spec") or {}).get("replicas", 1)
    return value if isinstance(value, int) else 1


def controller_scale(ctx: Context, pod: Obj, ref: Obj) -> int | None:
    """The finders: a Deployment (through its ReplicaSet), a ReplicaSet, a ReplicationController, a
    StatefulSet; None for any other controller."""
    ns = pod["metadata"].get("namespace", "")
    kind, name, uid = ref.get("kind"), str(ref.get("name", "")), ref.get("uid")
    if kind not in ("ReplicaSet", "ReplicationController", "StatefulSet"):
        return None
    owner = ctx.get(str(kind), ns, name)
    if owner is None or owner["metadata"].get("uid") != uid:
        return None
    if kind == "ReplicaSet":
        above = controller_of(owner)
        if above is not None and above.get("kind") == "Deployment":
            deployment = ctx.get("Deployment", ns, str(above.get("name", "")))
            if deployment is not None and deployment["metadata"].get("uid") == above.get("uid"):
                return _replicas(deployment)
    return _replicas(owner)


def set_condition(status: Obj, allowed: bool, now: float, reason: str = "", message: str = "",
                  generation: int = 0) -> None:
    """apimeta.SetStatusCondition of DisruptionAllowed (the transition time kept while unchanged)."""
    reason = reason or ("SufficientPods" if allowed else "InsufficientPods")
    status["conditions"] = conditions.set_condition(list(status.get("conditions") or ()), "DisruptionAllowed",
                                                    "True" if allowed else "False", reason, message, now,
                                                    observedGeneration=generation)


class DisruptionController:
    """Computes PodDisruptionBudget statuses."""

    name = "disruption"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == PDB and change.type != "DELETED":
            return (f"{change.namespace}/{change.name}",)
        if change.kind == "Pod" and _pod_matters(change):
            return (f"ns:{change.namespace}",)
        if change.kind in SCALED and _replicas(change.obj) != _replicas(change.old):
            return (f"ns:{change.namespace}",)
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith("ns:"):
            for pdb in ctx.list(PDB, key[3:]):
                self._sync(ctx, pdb)
            return
        namespace, name = split_key(key)
        pdb = ctx.get(PDB, namespace, name)
        if pdb is not None:
            self._sync(ctx, pdb)

    def _sync(self, ctx: Context, pdb: Obj) -> None:
        ns = pdb["metadata"].get("namespace", "")
        sel = d.selector_of(pdb)
        pods = [] if sel is None else ctx.list("Pod", ns, sel)
        generation = int(pdb["metadata"].get("generation", 1))
        if not pods:
            ctx.record_event(pdb, "Normal", "NoPods", "No matching pods found")
        new = deep_copy(pdb)
        old_status = pdb.get("status") or {}
        try:
            b = d.budget(pdb, pods, ctx.now, lambda pod, ref: controller_scale(ctx, pod, ref))
        except (d.NoControllerError, ValueError) as exc:
            ctx.record_event(pdb, "Warning", "CalculateExpectedPodCountFailed",
                             f"Failed to calculate the number of expected pods: {exc}")
            status = dict(old_status, disruptionsAllowed=0)
            observed = int(old_status.get("observedGeneration", 0))
            set_condition(status, False, ctx.now, "SyncFailed", str(exc), observed)
            if status != old_status:
                new["status"] = status
                ctx.update_status(new)
            return
        status: Obj = {"disruptionsAllowed": d.allowed(b), "currentHealthy": b.healthy,
                       "desiredHealthy": b.desired, "expectedPods": b.expected,
                       "observedGeneration": generation}
        if b.disrupted:
            status["disruptedPods"] = b.disrupted
        if old_status.get("conditions"):
            status["conditions"] = old_status["conditions"]
        set_condition(status, status["disruptionsAllowed"] > 0, ctx.now, generation=generation)
        if status != old_status:
            new["status"] = status
            ctx.update_status(new)
        if b.recheck is not None:
            ctx.requeue_at(b.recheck, f"{ns}/{pdb['metadata']['name']}")
