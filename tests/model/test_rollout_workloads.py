"""kubectl's rollout status lines for StatefulSets and DaemonSets (kubectl
polymorphichelpers/rollout_status.go and the cases of its rollout_status_test.go)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.model.rollout import ONLY_ROLLING_UPDATE, daemon_set_status, rollout_status, stateful_set_status


def sts(generation: int = 1, observed: int = 1, replicas: int = 3, strategy: dict[str, Any] | None = None,
        **status: Any) -> dict[str, Any]:
    return {"kind": "StatefulSet", "metadata": {"name": "foo", "generation": generation},
            "spec": {"replicas": replicas, "updateStrategy": strategy or {"type": "RollingUpdate"}},
            "status": {"observedGeneration": observed, **status}}


PARTITIONED = {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}


@pytest.mark.parametrize(("obj", "message", "done"), [
    (sts(generation=2, observed=1), "Waiting for statefulset spec update to be observed...", False),
    (sts(observed=0), "Waiting for statefulset spec update to be observed...", False),
    (sts(readyReplicas=1), "Waiting for 2 pods to be ready...", False),
    (sts(strategy=PARTITIONED, readyReplicas=3, updatedReplicas=1),
     "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...", False),
    (sts(strategy=PARTITIONED, readyReplicas=3, updatedReplicas=2),
     "partitioned roll out complete: 2 new pods have been updated...", True),
    (sts(readyReplicas=3, updatedReplicas=2, currentRevision="foo", updateRevision="bar"),
     "waiting for statefulset rolling update to complete 2 pods at revision bar...", False),
    (sts(readyReplicas=3, currentReplicas=3, currentRevision="foo", updateRevision="foo"),
     "statefulset rolling update complete 3 pods at revision foo...", True),
])
def test_stateful_set(obj: dict[str, Any], message: str, done: bool) -> None:
    result = stateful_set_status(obj)
    assert (result.message, result.done, result.error) == (message, done, None)


def test_on_delete_has_no_rollout_status() -> None:
    assert stateful_set_status(sts(strategy={"type": "OnDelete"})).error == ONLY_ROLLING_UPDATE
    ds = {"kind": "DaemonSet", "metadata": {"name": "foo"}, "spec": {"updateStrategy": {"type": "OnDelete"}}}
    assert daemon_set_status(ds).error == ONLY_ROLLING_UPDATE


def ds(generation: int = 1, observed: int = 1, **status: Any) -> dict[str, Any]:
    return {"kind": "DaemonSet", "metadata": {"name": "foo", "generation": generation},
            "spec": {"updateStrategy": {"type": "RollingUpdate"}},
            "status": {"observedGeneration": observed, **status}}


@pytest.mark.parametrize(("obj", "message", "done"), [
    (ds(desiredNumberScheduled=1, updatedNumberScheduled=0),
     'Waiting for daemon set "foo" rollout to finish: 0 out of 1 new pods have been updated...', False),
    (ds(desiredNumberScheduled=1, updatedNumberScheduled=1, numberAvailable=0),
     'Waiting for daemon set "foo" rollout to finish: 0 of 1 updated pods are available...', False),
    (ds(desiredNumberScheduled=1, updatedNumberScheduled=1, numberAvailable=1),
     'daemon set "foo" successfully rolled out', True),
    (ds(generation=2, observed=1), "Waiting for daemon set spec update to be observed...", False),
])
def test_daemon_set(obj: dict[str, Any], message: str, done: bool) -> None:
    result = rollout_status(obj)
    assert (result.message, result.done) == (message, done)
