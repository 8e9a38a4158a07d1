"""Is a rollout done? kubectl's rollout status rules as a pure function of the object.

Mirrors kubectl's status viewers (polymorphichelpers/rollout_status.go). Deployments: the
controller must have observed the latest generation; then a ProgressDeadlineExceeded condition
is a failure, and the rollout waits until every replica is updated, old replicas are gone and
all updated replicas are available (`apply --wait` asks the same question). StatefulSets wait
for ready pods, then for the partitioned roll out; DaemonSets for updated, then available pods;
both only for the RollingUpdate strategy. `kapply rollout status` prints these messages.
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


ONLY_ROLLING_UPDATE = "rollout status is only available for RollingUpdate strategy type"


def stateful_set_status(sts: dict[str, Any]) -> RolloutStatus:
    """kubectl's StatefulSetStatusViewer."""
    meta, spec, status = sts.get("metadata") or {}, sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return RolloutStatus("", True, ONLY_ROLLING_UPDATE)
    observed = _int(status.get("observedGeneration"))
    if observed == 0 or _int(meta.get("generation")) > observed:
        return RolloutStatus("Waiting for statefulset spec update to be observed...", False)
    replicas = spec.get("replicas")
    ready, updated = _int(status.get("readyReplicas")), _int(status.get("updatedReplicas"))
    if replicas is not None and ready < _int(replicas):
        return RolloutStatus(f"Waiting for {_int(replicas) - ready} pods to be ready...", False)
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if replicas is not None and partition is not None and updated < _int(replicas) - _int(partition):
            return RolloutStatus(f"Waiting for partitioned roll out to finish: {updated} out of "
                                 f"{_int(replicas) - _int(partition)} new pods have been updated...", False)
        return RolloutStatus(f"partitioned roll out complete: {updated} new pods have been updated...", True)
    if status.get("updateRevision") != status.get("currentRevision"):
        return RolloutStatus(f"waiting for statefulset rolling update to complete {updated} pods at revision "
                             f"{status.get('updateRevision')}...", False)
    return RolloutStatus(f"statefulset rolling update complete {_int(status.get('currentReplicas'))} pods at "
                         f"revision {status.get('currentRevision')}...", True)


def daemon_set_status(ds: dict[str, Any]) -> RolloutStatus:
    """kubectl's DaemonSetStatusViewer."""
    meta, spec, status = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    name = meta.get("name", "")
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        return RolloutStatus("", True, ONLY_ROLLING_UPDATE)
    if _int(meta.get("generation")) > _int(status.get("observedGeneration")):
        return RolloutStatus("Waiting for daemon set spec update to be observed...", False)
    desired = _int(status.get("desiredNumberScheduled"))
    updated, available = _int(status.get("updatedNumberScheduled")), _int(status.get("numberAvailable"))
    if updated < desired:
        return RolloutStatus(f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} '
                             "new pods have been updated...", False)
    if available < desired:
        return RolloutStatus(f'Waiting for daemon set "{name}" rollout to finish: {available} of {desired} '
                             "updated pods are available...", False)
    return RolloutStatus(f'daemon set "{name}" successfully rolled out', True)


def rollout_status(obj: dict[str, Any], revision: int = 0) -> RolloutStatus:
    """The status viewer of the object's kind (Deployment, StatefulSet or DaemonSet)."""
    kind = obj.get("kind")
    if kind == "StatefulSet":
        return stateful_set_status(obj)
    if kind == "DaemonSet":
        return daemon_set_status(obj)
    return deployment_status(obj, revision)
