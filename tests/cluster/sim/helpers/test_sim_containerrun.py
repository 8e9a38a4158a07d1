"""Containers that exit: the run plan (crash fault, `image run`, a Job's default) and what the
restartPolicy makes of an exit (kubelet's ShouldContainerBeRestarted), through the kubelet."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapply.cluster.sim.helpers.containerrun import RunPlan, restarts, run_plan
from kapply.cluster.sim.nodeops import set_image_run
from kapply.cluster.sim.testing import new_test_cluster


@pytest.mark.parametrize(("policy", "code", "expected"), [
    ("Always", 0, True), ("Always", 1, True), (None, 0, True),
    ("OnFailure", 0, False), ("OnFailure", 2, True),
    ("Never", 0, False), ("Never", 1, False),
])
def test_restarts(policy: str | None, code: int, expected: bool) -> None:
    assert restarts(policy, code) is expected


def test_run_plan_precedence() -> None:
    runs = {"perl:5.34": {"duration": 30, "exitCode": 3, "since": 10.0}}
    assert run_plan("perl:5.34", "CrashLoopBackOff", runs, 5.0) == RunPlan(1.0, 1, ready=False)
    assert run_plan("docker.io/library/perl:5.34", None, runs, 5.0) == RunPlan(30.0, 3, True, since=10.0)
    assert run_plan("busybox", None, runs, 5.0) == RunPlan(5.0, 0, True)
    assert run_plan("busybox", None, runs, None) is None


@pytest.mark.parametrize(("policy", "phase", "state", "restarted"), [
    ("Never", "Failed", "terminated", 0),
    ("OnFailure", "Running", "running", 1),
    ("Always", "Running", "running", 1),
])
def test_an_exit_through_the_kubelet(tmp_path: Path, policy: str, phase: str, state: str,
                                     restarted: int) -> None:
    cluster = new_test_cluster(tmp_path)
    set_image_run(cluster, "tool:1", 10.0, 3)
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                    "spec": {"restartPolicy": policy, "containers": [{"name": "c", "image": "tool:1"}]}})
    cluster.advance(12)  # 2 s start-up, 10 s run: exited with 3 (restarted at once the first time)
    pod = cluster.get("Pod", "default", "p")
    cs = pod["status"]["containerStatuses"][0]
    assert pod["status"]["phase"] == phase and state in cs["state"] and cs["restartCount"] == restarted
    terminated = cs["state"].get("terminated") or cs["lastState"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (3, "Error")


def test_a_completed_pod_is_not_ready_with_pod_completed(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    set_image_run(cluster, "tool:1", 1.0, 0)
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                    "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "tool:1"}]}})
    cluster.advance(5)
    pod = cluster.get("Pod", "default", "p")
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert pod["status"]["phase"] == "Succeeded"
    assert (ready["status"], ready["reason"]) == ("False", "PodCompleted")
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"


def test_a_pinned_pod_is_checked_against_its_node_only(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=3, cpu="1")
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["minikube-m02"]}]}]}}}
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
                    "spec": {"affinity": affinity, "containers": [
                        {"name": "c", "image": "x:1", "resources": {"requests": {"cpu": "2"}}}]}})
    pod = cluster.get("Pod", "default", "big")
    message = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")["message"]
    assert message == ("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) "
                       "[NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found "
                       "for incoming pod, 2 Preemption is not helpful for scheduling.")
