"""Kubelet scenarios through the real runtime: start-up, pod IPs, faults, deletion, logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.logs import LogsUnavailableError, container_log
from kapply.cluster.sim.testing import new_test_cluster


def pod(name: str, image: str = "hello-node:v1", **spec: Any) -> dict[str, Any]:
    container = {"name": "hello-node", "image": image, "ports": [{"containerPort": 3000}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [container], **spec}}


def waiting_reason(p: dict[str, Any]) -> str | None:
    state = p["status"]["containerStatuses"][0]["state"]
    return (state.get("waiting") or {}).get("reason")


def test_container_creating_then_running_after_pod_startup(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1, pod_startup=2)
    cluster.create(pod("web"))
    web = cluster.get("Pod", "default", "web")
    assert web["status"]["phase"] == "Pending" and waiting_reason(web) == "ContainerCreating"
    with pytest.raises(LogsUnavailableError, match='container "hello-node" in pod "web" is waiting to start: '
                                                   "ContainerCreating"):
        container_log(web)
    cluster.advance(1)
    assert cluster.get("Pod", "default", "web")["status"]["phase"] == "Pending"
    cluster.advance(1)
    web = cluster.get("Pod", "default", "web")
    assert web["status"]["phase"] == "Running"
    assert web["status"]["containerStatuses"][0]["ready"] is True
    assert web["status"]["podIP"] == "10.244.0.2"
    log = container_log(web)
    assert "Listening on port 3000" in log
    assert log == container_log(web)  # deterministic
    reasons = [e["reason"] for e in cluster.events(involved=web)]
    assert reasons == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]


def test_pod_ips_are_unique_per_node_and_not_reused_while_in_use(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    for i in range(6):
        cluster.create(pod(f"p{i}"))
    cluster.advance(3)
    ips = {p["metadata"]["name"]: p["status"]["podIP"] for p in cluster.list("Pod", "default")}
    assert len(set(ips.values())) == 6
    for p in cluster.list("Pod", "default"):
        third = "0" if p["spec"]["nodeName"] == "minikube" else "1"
        assert p["status"]["podIP"].startswith(f"10.244.{third}.")
    cluster.delete("Pod", "default", "p0", grace_seconds=0)
    cluster.create(pod("p6"))
    cluster.advance(3)
    p6 = cluster.get("Pod", "default", "p6")
    in_use = {v for k, v in ips.items() if k != "p0"}
    assert p6["status"]["podIP"] not in in_use


def test_graceful_deletion_shows_terminating_until_the_grace_period_ends(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    cluster.create(pod("web", terminationGracePeriodSeconds=10))
    cluster.advance(3)
    left = cluster.delete("Pod", "default", "web")
    assert left is not None and left["metadata"]["deletionTimestamp"]
    cluster.advance(9)
    assert cluster.get("Pod", "default", "web")["metadata"]["deletionTimestamp"]
    cluster.advance(1)
    assert cluster.list("Pod", "default") == []


def test_image_fail_err_image_pull_backs_off_and_image_ok_recovers(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    cluster.update_settings(image_faults={"hello-node:v2": {"reason": "ErrImagePull"}})
    cluster.create(pod("web", image="hello-node:v2"))
    cluster.advance(2)
    web = cluster.get("Pod", "default", "web")
    assert waiting_reason(web) == "ErrImagePull" and web["status"]["phase"] == "Pending"
    cluster.advance(1)
    web = cluster.get("Pod", "default", "web")
    assert waiting_reason(web) == "ImagePullBackOff"
    with pytest.raises(LogsUnavailableError, match="trying and failing to pull image"):
        container_log(web)
    messages = {(e["reason"], e["message"]) for e in cluster.events(involved=web)}
    assert ("BackOff", 'Back-off pulling image "hello-node:v2"') in messages
    assert ("Failed", "Error: ImagePullBackOff") in messages
    cluster.advance(60)
    pulls = [e for e in cluster.events(involved=web) if e["reason"] == "Pulling"]
    assert pulls[0]["count"] >= 3  # retried with back-off
    cluster.update_settings(image_faults={})
    cluster.advance(300)  # the next attempt (at most 5 minutes away) succeeds
    web = cluster.get("Pod", "default", "web")
    assert web["status"]["phase"] == "Running" and web["status"]["containerStatuses"][0]["ready"]


def test_crash_loop_back_off_counts_restarts(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    cluster.update_settings(image_faults={"hello-node:bad": {"reason": "CrashLoopBackOff"}})
    cluster.create(pod("web", image="hello-node:bad"))
    cluster.advance(4)
    web = cluster.get("Pod", "default", "web")
    status = web["status"]["containerStatuses"][0]
    assert waiting_reason(web) == "CrashLoopBackOff" and status["restartCount"] == 1
    assert web["status"]["phase"] == "Running"
    assert "exited with code 1" in container_log(web, previous=True)
    cluster.advance(80)
    restarts = cluster.get("Pod", "default", "web")["status"]["containerStatuses"][0]["restartCount"]
    assert restarts == 4  # restarted after 10s, 20s, 40s of back-off
    cluster.update_settings(image_faults={})
    cluster.advance(300)
    status = cluster.get("Pod", "default", "web")["status"]["containerStatuses"][0]
    assert status["ready"] is True and "running" in status["state"]


def test_logs_errors_and_previous(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    cluster.create(pod("web"))
    cluster.advance(3)
    web = cluster.get("Pod", "default", "web")
    with pytest.raises(LogsUnavailableError, match="container nope is not valid for pod web"):
        container_log(web, "nope")
    with pytest.raises(LogsUnavailableError,
                       match='previous terminated container "hello-node" in pod "web" not found'):
        container_log(web, previous=True)


def test_a_node_pulls_an_image_once_and_records_it(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1, image_pull=3)
    cluster.create(pod("first"))
    cluster.advance(5)
    node = cluster.get("Node", "", "minikube")
    assert ["hello-node:v1" in entry["names"] for entry in node["status"]["images"]] == [True]
    cluster.create(pod("second"))
    cluster.advance(2)  # no pull this time: running after pod_startup alone
    second = cluster.get("Pod", "default", "second")
    assert second["status"]["phase"] == "Running"
    assert [(e["reason"], e["message"]) for e in cluster.events(involved=second)][1:] == [
        ("Pulled", 'Container image "hello-node:v1" already present on machine'),
        ("Created", "Created container: hello-node"),
        ("Started", "Started container hello-node"),
    ]
