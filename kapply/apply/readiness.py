"""Per-kind readiness: is an applied object done, and did it succeed? (STYLE.md 5)

Deployments follow `kubectl rollout status` (kapply.model.rollout); Pods are ready when their
Ready condition is True and fail when they end Failed; ReplicaSets and ReplicationControllers
when every desired replica is ready; StatefulSets, DaemonSets, Jobs, CronJobs, claims (Bound),
autoscalers and CRDs (Established) follow kstatus (`kstatus.py`: a failed Job fails the wait); a
LoadBalancer Service is done at once (its external IP is reported when the pool assigns one, but
is not waited for: minikube users often have none). A kind the cluster runs nothing for
(`acts_on` says no: an Ingress without an ingress controller, a custom resource: no operator runs
inside) is done at once and reported as not acted on: never waited for, never ready; unless its
status shows that something outside acts on it (conditions or an observed generation, an operator
through `kapply serve`), when kstatus' generic rules decide (observedGeneration, Reconciling /
Stalled, then Ready).
Everything else is done when it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kapply.apply import kstatus
from kapply.model.kinds import REGISTRY

Obj = dict[str, Any]


@dataclass(frozen=True)
class Readiness:
    done: bool
    ok: bool
    message: str
    inert: bool = False  # nothing in the cluster acts on this kind: neither waited for nor ready


def readiness(obj: Obj, acts_on: Callable[[str], bool] | None = None) -> Readiness:
    kind = str(obj.get("kind", ""))
    if acts_on is not None and not acts_on(kind):
        if not _reported(obj):
            return Readiness(True, True, f"not acted on: this cluster runs no controller for {kind} objects",
                             inert=True)
        return _custom(obj)  # something outside acts on it
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    info = REGISTRY.lookup_kind(group, kind) if obj.get("apiVersion") else REGISTRY.by_kind(kind)
    return RULES[info.readiness if info is not None else "custom"](obj)


def _from_kstatus(computed: kstatus.Status) -> Readiness:
    done = computed.status in (kstatus.CURRENT, kstatus.FAILED)
    return Readiness(done, computed.status != kstatus.FAILED, computed.message)


def _kstatus(obj: Obj) -> Readiness:
    computed = kstatus.compute(obj)
    return _exists(obj) if computed is None else _from_kstatus(computed)


def _custom(obj: Obj) -> Readiness:
    """A custom resource something acts on: kstatus' generic rules, then its Ready condition."""
    return _from_kstatus(kstatus.generic(obj) or kstatus.ready_condition(obj))


def _exists(obj: Obj) -> Readiness:
    return Readiness(True, True, "exists")


def _reported(obj: Obj) -> bool:
    """Whether something wrote what kstatus reads (conditions, an observed generation): an operator
    outside the cluster (through `kapply serve`) acts on a custom resource."""
    status = obj.get("status")
    return isinstance(status, dict) and bool(status.get("conditions") or "observedGeneration" in status)


def _deployment(obj: Obj) -> Readiness:
    from kapply.model.rollout import deployment_status

    status = deployment_status(obj)
    if status.error:
        return Readiness(True, False, status.error)
    return Readiness(status.done, True, status.message)


def _pod(obj: Obj) -> Readiness:
    status = obj.get("status") or {}
    phase = status.get("phase", "Pending")
    if phase == "Succeeded":
        return Readiness(True, True, "pod completed")
    if phase == "Failed":
        return Readiness(True, False, f"pod failed: {status.get('reason') or status.get('message') or ''}")
    conditions = status.get("conditions") or ()
    if any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
        return Readiness(True, True, "pod is ready")
    statuses = status.get("containerStatuses") or ()
    waiting = [cs.get("state", {}).get("waiting", {}).get("reason") for cs in statuses]
    reasons = ", ".join(r for r in waiting if r)
    return Readiness(False, True, f"pod is {reasons or phase}")


def _replicas(obj: Obj) -> Readiness:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    want = spec.get("replicas", 1)
    ready = status.get("readyReplicas", 0)
    observed = status.get("observedGeneration", 0) >= obj.get("metadata", {}).get("generation", 0)
    if observed and ready >= want and status.get("replicas", 0) == want:
        return Readiness(True, True, f"{ready}/{want} replicas ready")
    return Readiness(False, True, f"{ready}/{want} replicas ready")


# The rule of each `KindInfo.readiness` name (the registry says which a kind follows).
RULES: dict[str, Callable[[Obj], Readiness]] = {
    "rollout": _deployment,
    "pod": _pod,
    "replicas": _replicas,
    "kstatus": _kstatus,
    "custom": _custom,
    "exists": _exists,
}
