"""Rolling a Deployment back to an earlier revision, as `kubectl rollout undo` does.

apps/v1 has no server-side rollback: kubectl finds the ReplicaSet of the wanted revision (the
previous one by default), copies its pod template (minus the pod-template-hash label) and its
annotations back into the Deployment, and the controller rolls out that template as a new
revision. Pure: the caller reads the Deployment and its ReplicaSets and writes the result.
Messages are kubectl's (`rolled back`, `skipped rollback (current template already matches
revision N)`, `unable to find specified revision N in history`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kapply.cluster.sim.controllers.base import controller_of
from kapply.cluster.sim.controllers.deployment import revisions as rev
from kapply.errors import KapplyError

Obj = dict[str, Any]

ROLLED_BACK = "rolled back"
SKIPPED = "skipped rollback"


class RollbackError(KapplyError):
    """The rollback cannot be done (paused, no such revision, no history)."""


@dataclass(frozen=True)
class RollbackResult:
    message: str  # "rolled back" or "skipped rollback (...)"
    deployment: Obj | None  # the Deployment to write; None when skipped


def owned_replica_sets(deployment: Obj, replica_sets: Sequence[Obj]) -> list[Obj]:
    """The ReplicaSets this Deployment controls."""
    uid = deployment["metadata"].get("uid")
    return [rs for rs in replica_sets if (controller_of(rs) or {}).get("uid") == uid]


def revision_replica_set(deployment: Obj, replica_sets: Sequence[Obj], to_revision: int) -> Obj:
    """The ReplicaSet of `to_revision`, or of the previous revision when it is 0 (deploymentRevision)."""
    latest: tuple[int, Obj | None] = (-1, None)
    previous: tuple[int, Obj | None] = (-1, None)
    for rs in owned_replica_sets(deployment, replica_sets):
        value = rev.revision(rs)
        if value is None:
            continue
        if to_revision == 0:
            if latest[0] < value:
                previous, latest = latest, (value, rs)
            elif previous[0] < value:
                previous = (value, rs)
        elif value == to_revision:
            return rs
    if to_revision > 0:
        raise RollbackError(f"unable to find specified revision {to_revision} in history")
    if previous[1] is None:
        raise RollbackError(f'no rollout history found for deployment "{deployment["metadata"]["name"]}"')
    return previous[1]


def rollback(deployment: Obj, replica_sets: Sequence[Obj], to_revision: int = 0) -> RollbackResult:
    """What `kubectl rollout undo [--to-revision N]` does to this Deployment."""
    if to_revision < 0:
        raise RollbackError(f"unable to find specified revision {to_revision} in history")
    if (deployment.get("spec") or {}).get("paused"):
        raise RollbackError("you cannot rollback a paused deployment; resume it first with "
                            "'kapply rollout resume' and try again")
    rs = revision_replica_set(deployment, replica_sets, to_revision)
    template = rs["spec"].get("template") or {}
    if rev.equal_ignore_hash(template, deployment["spec"].get("template")):
        number = rev.revision(rs) if to_revision == 0 else to_revision
        return RollbackResult(f"{SKIPPED} (current template already matches revision {number})", None)
    new = copy.deepcopy(deployment)
    restored = rev.template_without_hash(template)
    restored.setdefault("metadata", {})
    new["spec"]["template"] = restored
    new["metadata"]["annotations"] = rev.rollback_annotations(deployment, rs)
    return RollbackResult(ROLLED_BACK, new)
