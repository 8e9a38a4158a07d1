"""kstatus' rules for StatefulSets, DaemonSets, Jobs and CronJobs (cli-utils pkg/kstatus/status
core.go and status.go: the generic observedGeneration check first, then each kind's rule and
message), and how readiness turns them into `apply --wait` states."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.apply import kstatus
from kapply.apply.readiness import readiness


def sts(spec_replicas: int = 3, partition: int | None = None, strategy: str = "RollingUpdate",
        generation: int = 1, **status: Any) -> dict[str, Any]:
    update: dict[str, Any] = {"type": strategy}
    if partition is not None:
        update["rollingUpdate"] = {"partition": partition}
    return {"kind": "StatefulSet", "metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": spec_replicas, "updateStrategy": update}, "status": status}


@pytest.mark.parametrize(("obj", "expected"), [
    (sts(strategy="OnDelete"), ("Current", "StatefulSet is using the ondelete update strategy")),
    (sts(replicas=1), ("InProgress", "Replicas: 1/3")),
    (sts(replicas=3, readyReplicas=2), ("InProgress", "Ready: 2/3")),
    (sts(spec_replicas=2, replicas=3, readyReplicas=3), ("InProgress", "Pending termination: 1")),
    (sts(partition=1, replicas=3, readyReplicas=3, updatedReplicas=1), ("InProgress", "updated: 1/2")),
    (sts(partition=0, replicas=3, readyReplicas=3, updatedReplicas=3),
     ("Current", "Partition rollout complete. updated: 3")),
    (sts(replicas=3, readyReplicas=3, currentReplicas=2), ("InProgress", "current: 2/3")),
    (sts(replicas=3, readyReplicas=3, currentReplicas=3, currentRevision="a", updateRevision="b"),
     ("InProgress", "Waiting for updated revision to match current")),
    (sts(replicas=3, readyReplicas=3, currentReplicas=3, currentRevision="a", updateRevision="a"),
     ("Current", "All replicas scheduled as expected. Replicas: 3")),
    (sts(generation=2, observedGeneration=1, replicas=3),
     ("InProgress", "StatefulSet generation is 2, but latest observed generation is 1")),
])
def test_stateful_set(obj: dict[str, Any], expected: tuple[str, str]) -> None:
    assert tuple(kstatus.compute(obj) or ()) == expected


def ds(**status: Any) -> dict[str, Any]:
    return {"kind": "DaemonSet", "metadata": {"name": "agent", "generation": 1}, "spec": {}, "status": status}


@pytest.mark.parametrize(("obj", "expected"), [
    (ds(), ("InProgress", "DaemonSet status.observedGeneration not found")),
    (ds(observedGeneration=1), ("InProgress", "Missing .status.desiredNumberScheduled")),
    (ds(observedGeneration=1, desiredNumberScheduled=3, currentNumberScheduled=2),
     ("InProgress", "Current: 2/3")),
    (ds(observedGeneration=1, desiredNumberScheduled=3, currentNumberScheduled=3, updatedNumberScheduled=1),
     ("InProgress", "Updated: 1/3")),
    (ds(observedGeneration=1, desiredNumberScheduled=3, currentNumberScheduled=3, updatedNumberScheduled=3,
        numberAvailable=2), ("InProgress", "Available: 2/3")),
    (ds(observedGeneration=1, desiredNumberScheduled=3, currentNumberScheduled=3, updatedNumberScheduled=3,
        numberAvailable=3, numberReady=3), ("Current", "All replicas scheduled as expected. Replicas: 3")),
])
def test_daemon_set(obj: dict[str, Any], expected: tuple[str, str]) -> None:
    assert tuple(kstatus.compute(obj) or ()) == expected


def job(conditions: tuple[str, ...] = (), **status: Any) -> dict[str, Any]:
    status["conditions"] = [{"type": t, "status": "True"} for t in conditions]
    return {"kind": "Job", "metadata": {"name": "pi", "generation": 1}, "spec": {"parallelism": 1,
                                                                                   "completions": 2},
            "status": status}


@pytest.mark.parametrize(("obj", "expected"), [
    (job(), ("InProgress", "Job not started")),
    (job(startTime="2026-01-01T00:00:00Z", active=1, succeeded=1),
     ("Current", "Job in progress. success:1, active: 1, failed: 0")),
    (job(("Complete",), succeeded=2), ("Current", "Job Completed. succeeded: 2/2")),
    (job(("Failed",), failed=7), ("Failed", "Job Failed. failed: 7/2")),
    (job(("Suspended",)), ("Current", "Job is suspended")),
])
def test_job(obj: dict[str, Any], expected: tuple[str, str]) -> None:
    assert tuple(kstatus.compute(obj) or ()) == expected


def test_cron_job_is_current_and_deletion_comes_first() -> None:
    assert tuple(kstatus.compute({"kind": "CronJob", "metadata": {}}) or ()) == (
        "Current", "Resource is always ready")
    deleting = sts(replicas=3)
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert tuple(kstatus.compute(deleting) or ()) == ("Terminating", "Resource scheduled for deletion")


def test_readiness_of_these_kinds() -> None:
    failed = readiness(job(("Failed",), failed=1))
    assert (failed.done, failed.ok) == (True, False)
    waiting = readiness(sts(replicas=1))
    assert (waiting.done, waiting.ok, waiting.message) == (False, True, "Replicas: 1/3")
    inert = readiness({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"}},
                      acts_on=lambda kind: kind != "HorizontalPodAutoscaler")
    assert (inert.done, inert.ok, inert.inert) == (True, True, True)
    assert "runs no controller for HorizontalPodAutoscaler" in inert.message


@pytest.mark.parametrize(("obj", "expected"), [
    ({"kind": "PersistentVolumeClaim", "metadata": {"name": "d"}, "status": {"phase": "Pending"}},
     ("InProgress", "PVC is not Bound. phase: Pending")),
    ({"kind": "PersistentVolumeClaim", "metadata": {"name": "d"}},
     ("InProgress", "PVC is not Bound. phase: unknown")),
    ({"kind": "PersistentVolumeClaim", "metadata": {"name": "d"}, "status": {"phase": "Bound"}},
     ("Current", "PVC is Bound")),
    ({"kind": "PersistentVolumeClaim", "metadata": {"name": "d", "deletionTimestamp": "2026-01-01T00:00:00Z"},
      "status": {"phase": "Bound"}}, ("Terminating", "Resource scheduled for deletion")),
    # an autoscaler has no rule of its own (legacyTypes), and its controller never sets observedGeneration
    ({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "generation": 2}, "status": {}},
     ("Current", "Resource is current")),
])
def test_claims_and_autoscalers(obj: dict[str, Any], expected: tuple[str, str]) -> None:
    """pvcConditions, and Compute's default for a kind without one."""
    assert tuple(kstatus.compute(obj) or ()) == expected
    state = readiness(obj)
    assert state.done is (expected[0] == "Current") and state.message == expected[1]
