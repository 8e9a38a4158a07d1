"""Is a rollout done? kubectl's rollout status rules as a pure function of the object.

Mirrors kubectl's DeploymentStatusViewer (polymorphichelpers/rollout_status.go): the controller
must have observed the latest generation; then a ProgressDeadlineExceeded condition is a
failure, and the rollout waits until every replica is updated, old replicas are gone and all
updated replicas are available. `kapply rollout status` prints these messages while it waits;
`apply --wait` asks the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TIMED_OUT_REASON = "ProgressDeadlineExceeded"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


@dataclass(frozen=True)
class RolloutStatus:
    message: str  # kubectl's line, without the newline ("" when failed)
    done: bool
    error: str | None = None  # set when the rollout failed (exceeded its progress deadline)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def deployment_status(deployment: dict[str, Any], revision: int = 0) -> RolloutStatus:
    """kubectl's verdict on a Deployment's rollout (pin `revision` > 0 to require that revision)."""
    meta = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    name = meta.get("name", "")
    if revision > 0:
        current = (meta.get("annotations") or {}).get(REVISION_ANNOTATION)
        try:
            running = int(current) if current is not None else None
        except ValueError:
            running = None
        if running is None:
            return RolloutStatus("", False, f'cannot get the revision of deployment "{name}"')
        if running != revision:
            return RolloutStatus("", False, f"desired revision ({revision}) is different from the running "
                                            f"revision ({running})")
    if _int(meta.get("generation")) > _int(status.get("observedGeneration")):
        return RolloutStatus("Waiting for deployment spec update to be observed...", False)
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Progressing" and cond.get("reason") == TIMED_OUT_REASON:
            return RolloutStatus("", False, f'deployment "{name}" exceeded its progress deadline')
    replicas = spec.get("replicas")
    updated = _int(status.get("updatedReplicas"))
    total = _int(status.get("replicas"))
    available = _int(status.get("availableReplicas"))
    if replicas is not None and updated < _int(replicas):
        return RolloutStatus(f'Waiting for deployment "{name}" rollout to finish: {updated} out of '
                             f"{_int(replicas)} new replicas have been updated...", False)
    if total > updated:
        return RolloutStatus(f'Waiting for deployment "{name}" rollout to finish: {total - updated} old '
                             "replicas are pending termination...", False)
    if available < updated:
        return RolloutStatus(f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} '
                             "updated replicas are available...", False)
    return RolloutStatus(f'deployment "{name}" successfully rolled out', True)
