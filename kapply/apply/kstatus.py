"""kstatus' rules for the workloads whose controllers the embedded cluster runs (pure functions).

A port of sigs.k8s.io/cli-utils pkg/kstatus/status (status.go checkGenericProperties, core.go
stsConditions, daemonsetConditions, jobConditions, pvcConditions, alwaysReady, and Compute's
`Resource is current` for a kind without a rule, such as an autoscaler), with its messages:
first the object being deleted, then the generation the controller observed, then the kind's
own rule.
Each rule answers `Status(status, message)` with status Current, InProgress, Failed or
Terminating; `readiness.py` turns that into the Readiness `apply --wait` reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

Obj = dict[str, Any]
CURRENT, IN_PROGRESS, FAILED, TERMINATING = "Current", "InProgress", "Failed", "Terminating"


class Status(NamedTuple):
    status: str
    message: str


def _int(obj: Obj, path: str, default: int) -> int:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    try:
        return int(cur)
    except (TypeError, ValueError):
        return default


def _str(obj: Obj, path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return ""
        cur = cur[part]
    return str(cur)


def _conditions(obj: Obj) -> list[Obj]:
    found = (obj.get("status") or {}).get("conditions")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def generic(obj: Obj) -> Status | None:
    """checkGenericProperties: deletion, the observed generation, Reconciling / Stalled conditions."""
    meta = obj.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        return Status(TERMINATING, "Resource scheduled for deletion")
    status = obj.get("status") or {}
    if "generation" in meta and "observedGeneration" in status:
        generation = _int(obj, "metadata.generation", 0)
        observed = _int(obj, "status.observedGeneration", 0)
        if observed != generation:
            kind = obj.get("kind", "")
            return Status(IN_PROGRESS, f"{kind} generation is {generation}, but latest observed generation "
                                       f"is {observed}")
    for cond in _conditions(obj):
        if cond.get("type") == "Reconciling" and cond.get("status") == "True":
            return Status(IN_PROGRESS, str(cond.get("message") or ""))
        if cond.get("type") == "Stalled" and cond.get("status") == "True":
            return Status(FAILED, str(cond.get("message") or ""))
    return None


def stateful_set(obj: Obj) -> Status:
    """stsConditions."""
    if _str(obj, "spec.updateStrategy.type") == "OnDelete":
        return Status(CURRENT, "StatefulSet is using the ondelete update strategy")
    spec_replicas = _int(obj, "spec.replicas", 1)
    ready = _int(obj, "status.readyReplicas", 0)
    current = _int(obj, "status.currentReplicas", 0)
    updated = _int(obj, "status.updatedReplicas", 0)
    replicas = _int(obj, "status.replicas", 0)
    partition = _int(obj, "spec.updateStrategy.rollingUpdate.partition", -1)
    if spec_replicas > replicas:
        return Status(IN_PROGRESS, f"Replicas: {replicas}/{spec_replicas}")
    if spec_replicas > ready:
        return Status(IN_PROGRESS, f"Ready: {ready}/{spec_replicas}")
    if replicas > spec_replicas:
        return Status(IN_PROGRESS, f"Pending termination: {replicas - spec_replicas}")
    if partition != -1:
        if updated < spec_replicas - partition:
            return Status(IN_PROGRESS, f"updated: {updated}/{spec_replicas - partition}")
        return Status(CURRENT, f"Partition rollout complete. updated: {updated}")
    if spec_replicas > current:
        return Status(IN_PROGRESS, f"current: {current}/{spec_replicas}")
    if _str(obj, "status.currentRevision") != _str(obj, "status.updateRevision"):
        return Status(IN_PROGRESS, "Waiting for updated revision to match current")
    return Status(CURRENT, f"All replicas scheduled as expected. Replicas: {replicas}")


def daemon_set(obj: Obj) -> Status:
    """daemonsetConditions (checkGenerationSet first: the controller always sets both)."""
    kind = obj.get("kind", "DaemonSet")
    if "generation" not in (obj.get("metadata") or {}):
        return Status(IN_PROGRESS, f"{kind} metadata.generation not found")
    if "observedGeneration" not in (obj.get("status") or {}):
        return Status(IN_PROGRESS, f"{kind} status.observedGeneration not found")
    desired = _int(obj, "status.desiredNumberScheduled", -1)
    current = _int(obj, "status.currentNumberScheduled", 0)
    updated = _int(obj, "status.updatedNumberScheduled", 0)
    available = _int(obj, "status.numberAvailable", 0)
    ready = _int(obj, "status.numberReady", 0)
    if desired == -1:
        return Status(IN_PROGRESS, "Missing .status.desiredNumberScheduled")
    if desired > current:
        return Status(IN_PROGRESS, f"Current: {current}/{desired}")
    if desired > updated:
        return Status(IN_PROGRESS, f"Updated: {updated}/{desired}")
    if desired > available:
        return Status(IN_PROGRESS, f"Available: {available}/{desired}")
    if desired > ready:
        return Status(IN_PROGRESS, f"Ready: {ready}/{desired}")
    return Status(CURRENT, f"All replicas scheduled as expected. Replicas: {desired}")


def job(obj: Obj) -> Status:
    """jobConditions: Current once started (and when complete or suspended), Failed when failed."""
    parallelism = _int(obj, "spec.parallelism", 1)
    completions = _int(obj, "spec.completions", parallelism)
    succeeded = _int(obj, "status.succeeded", 0)
    active = _int(obj, "status.active", 0)
    failed = _int(obj, "status.failed", 0)
    for cond in _conditions(obj):
        held = cond.get("status") == "True"
        if cond.get("type") == "Complete" and held:
            return Status(CURRENT, f"Job Completed. succeeded: {succeeded}/{completions}")
        if cond.get("type") == "Failed" and held:
            return Status(FAILED, f"Job Failed. failed: {failed}/{completions}")
        if cond.get("type") == "Suspended" and held:
            return Status(CURRENT, "Job is suspended")
    if not _str(obj, "status.startTime"):
        return Status(IN_PROGRESS, "Job not started")
    return Status(CURRENT, f"Job in progress. success:{succeeded}, active: {active}, failed: {failed}")


def crd(obj: Obj) -> Status:
    """crdConditions: Current once Established, Failed when the names are not accepted."""
    for cond in _conditions(obj):
        if cond.get("type") == "NamesAccepted" and cond.get("status") == "False":
            return Status(FAILED, str(cond.get("message") or ""))
        if cond.get("type") == "Established":
            if cond.get("status") == "False" and cond.get("reason") != "Installing":
                return Status(FAILED, str(cond.get("message") or ""))
            if cond.get("status") == "True":
                return Status(CURRENT, "CRD is established")
    return Status(IN_PROGRESS, "Install in progress")


def ready_condition(obj: Obj) -> Status:
    """A custom resource after the generic checks: its Ready condition, else current."""
    for cond in _conditions(obj):
        if cond.get("type") == "Ready":
            if cond.get("status") == "True":
                return Status(CURRENT, str(cond.get("message") or "Resource is Ready"))
            why = cond.get("message") or cond.get("reason") or "Resource is not Ready"
            return Status(IN_PROGRESS, str(why))
    return Status(CURRENT, "Resource is current")


def always_ready(obj: Obj) -> Status:
    return Status(CURRENT, "Resource is always ready")


def persistent_volume_claim(obj: Obj) -> Status:
    """pvcConditions: Current once Bound."""
    phase = _str(obj, "status.phase") or "unknown"
    if phase != "Bound":
        return Status(IN_PROGRESS, f"PVC is not Bound. phase: {phase}")
    return Status(CURRENT, "PVC is Bound")


def current(obj: Obj) -> Status:
    """A kind without a rule of its own (an autoscaler) is current once the generic checks pass."""
    return Status(CURRENT, "Resource is current")


RULES: dict[str, Callable[[Obj], Status]] = {
    "StatefulSet": stateful_set,
    "DaemonSet": daemon_set,
    "Job": job,
    "CronJob": always_ready,
    "PersistentVolumeClaim": persistent_volume_claim,
    "HorizontalPodAutoscaler": current,
    "CustomResourceDefinition": crd,
}


def compute(obj: Obj) -> Status | None:
    """status.Compute for the kinds in RULES; None for other kinds."""
    rule = RULES.get(str(obj.get("kind", "")))
    if rule is None:
        return None
    return generic(obj) or rule(obj)
