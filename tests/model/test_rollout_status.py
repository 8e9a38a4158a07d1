"""kubectl's rollout status lines for Deployments."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.model.rollout import deployment_status


def dep(want: int = 3, generation: int = 2, observed: int = 2,
        conditions: list[dict[str, Any]] | None = None, revision: str | None = None,
        **status: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "web", "generation": generation}
    if revision:
        meta["annotations"] = {"deployment.kubernetes.io/revision": revision}
    return {"metadata": meta, "spec": {"replicas": want},
            "status": {"observedGeneration": observed, "conditions": conditions or [], **status}}


@pytest.mark.parametrize(("d", "message", "done"), [
    (dep(observed=1), "Waiting for deployment spec update to be observed...", False),
    (dep(updatedReplicas=1, replicas=4, availableReplicas=3),
     'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...', False),
    (dep(updatedReplicas=3, replicas=4, availableReplicas=3),
     'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...', False),
    (dep(updatedReplicas=3, replicas=3, availableReplicas=2),
     'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...', False),
    (dep(updatedReplicas=3, replicas=3, availableReplicas=3),
     'deployment "web" successfully rolled out', True),
    (dep(want=0), 'deployment "web" successfully rolled out', True),
])
def test_messages(d: dict[str, Any], message: str, done: bool) -> None:
    result = deployment_status(d)
    assert (result.message, result.done, result.error) == (message, done, None)


def test_deadline_exceeded_is_an_error() -> None:
    d = dep(updatedReplicas=1, replicas=4, conditions=[
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}])
    result = deployment_status(d)
    assert result.error == 'deployment "web" exceeded its progress deadline' and not result.done
    # not yet observed: the old verdict does not count
    assert deployment_status(dict(d, status=dict(d["status"], observedGeneration=1))).error is None


def test_revision_pin() -> None:
    assert deployment_status(dep(revision="3", updatedReplicas=3, replicas=3, availableReplicas=3),
                             revision=3).done
    assert deployment_status(dep(revision="2"), revision=3).error == (
        "desired revision (3) is different from the running revision (2)")
