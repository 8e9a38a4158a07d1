"""The replica manager: pods created, adopted, ranked and deleted as Kubernetes does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.controllers.podutil import format_time
from kapply.cluster.sim.controllers.replicaset import deletion_order
from kapply.cluster.sim.testing import new_test_cluster

NOW = 1_767_225_600.0


def pod(name: str, node: str = "n1", phase: str = "Running", ready_at: float | None = None,
        created: float = NOW - 1000, restarts: int = 0, cost: int | None = None,
        uid: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, "containerStatuses": [{"restartCount": restarts}]}
    if ready_at is not None:
        status["conditions"] = [{"type": "Ready", "status": "True",
                                 "lastTransitionTime": format_time(ready_at)}]
    meta: dict[str, Any] = {"name": name, "uid": uid or name, "creationTimestamp": format_time(created)}
    if cost is not None:
        meta["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": str(cost)}
    return {"metadata": meta, "spec": {"nodeName": node}, "status": status}


@pytest.mark.parametrize(("first", "second"), [
    (pod("unscheduled", node="", phase="Pending"), pod("scheduled", phase="Pending")),
    (pod("pending", phase="Pending"), pod("unknown", phase="Unknown")),
    (pod("unknown", phase="Unknown"), pod("running")),
    (pod("not-ready"), pod("ready", ready_at=NOW - 100)),
    (pod("cheap", ready_at=NOW - 100, cost=-5), pod("dear", ready_at=NOW - 100, cost=10)),
    (pod("ready-briefly", ready_at=NOW - 10), pod("ready-long", ready_at=NOW - 3000)),
    (pod("crashy", restarts=5), pod("steady", restarts=0)),
    (pod("newer", created=NOW - 10), pod("older", created=NOW - 5000)),
    # same power-of-two bucket of age: Kubernetes (LogarithmicScaleDown) falls back to the uid
    (pod("b", created=NOW - 100, uid="a-uid"), pod("a", created=NOW - 101, uid="b-uid")),
])
def test_deletion_rank(first: dict[str, Any], second: dict[str, Any]) -> None:
    assert [p["metadata"]["name"] for p in deletion_order([second, first], [], NOW)] == [
        first["metadata"]["name"], second["metadata"]["name"]]
    assert deletion_order([first, second], [], NOW)[0] is first


def test_doubled_up_pods_go_first() -> None:
    alone, crowded = pod("alone", node="n1", ready_at=NOW - 50), pod("crowded", node="n2", ready_at=NOW - 50)
    related = [crowded, pod("sibling", node="n2"), alone]
    assert deletion_order([alone, crowded], related, NOW)[0]["metadata"]["name"] == "crowded"


def rs_manifest(replicas: int = 3, name: str = "web", min_ready: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}}
    if min_ready:
        spec["minReadySeconds"] = min_ready
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=3)


def names(cluster: SimCluster) -> list[str]:
    return [p["metadata"]["name"] for p in cluster.list("Pod", "default")
            if not p["metadata"].get("deletionTimestamp")]


def test_creates_pods_with_owner_and_reports_status(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(3))
    pods = cluster.list("Pod", "default")
    assert len(pods) == 3
    rs = cluster.get("ReplicaSet", "default", "web")
    for p in pods:
        assert p["metadata"]["name"].startswith("web-") and len(p["metadata"]["name"]) == len("web-") + 5
        ref = p["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == (
            "ReplicaSet", "web", rs["metadata"]["uid"], True)
        assert p["metadata"]["labels"] == {"app": "web"}
    assert rs["status"]["replicas"] == 3
    assert "readyReplicas" not in rs["status"]
    cluster.advance_until_idle()
    status = cluster.get("ReplicaSet", "default", "web")["status"]
    assert (status["readyReplicas"], status["availableReplicas"], status["observedGeneration"]) == (3, 3, 1)
    messages = [e["message"] for e in cluster.events("default") if e["reason"] == "SuccessfulCreate"]
    assert sorted(messages) == sorted(f"Created pod: {n}" for n in names(cluster))


def test_scale_down_deletes_not_ready_first_and_replaces_deleted(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(3))
    cluster.advance_until_idle()
    ready = set(names(cluster))
    rs = cluster.get("ReplicaSet", "default", "web")
    rs["spec"]["replicas"] = 5
    cluster.update(rs)
    fresh = set(names(cluster)) - ready
    assert len(fresh) == 2
    rs = cluster.get("ReplicaSet", "default", "web")
    rs["spec"]["replicas"] = 3
    cluster.update(rs)
    assert set(names(cluster)) == ready  # the two not-yet-ready pods went first
    deleted = [e["message"] for e in cluster.events("default") if e["reason"] == "SuccessfulDelete"]
    assert sorted(deleted) == sorted(f"Deleted pod: {n}" for n in fresh)
    victim = sorted(ready)[0]
    cluster.delete("Pod", "default", victim)
    assert len(names(cluster)) == 3 and victim not in names(cluster)
    assert cluster.get("ReplicaSet", "default", "web")["status"]["replicas"] == 3


def test_adopts_orphans_and_releases_relabelled_pods(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "stray", "labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}})
    cluster.create(rs_manifest(2))
    stray = cluster.get("Pod", "default", "stray")
    assert stray["metadata"]["ownerReferences"][0]["name"] == "web"
    assert len(names(cluster)) == 2
    stray["metadata"]["labels"] = {"app": "other"}
    cluster.update(stray)
    assert "ownerReferences" not in cluster.get("Pod", "default", "stray")["metadata"]
    assert len(names(cluster)) == 3  # a replacement was created


def test_min_ready_seconds_delays_availability(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(2, min_ready=10))
    cluster.advance(5)
    status = cluster.get("ReplicaSet", "default", "web")["status"]
    assert status.get("readyReplicas") == 2 and "availableReplicas" not in status
    cluster.advance(10)
    assert cluster.get("ReplicaSet", "default", "web")["status"]["availableReplicas"] == 2


def test_replication_controller_defaults_and_manages_pods(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy"},
                    "spec": {"template": {"metadata": {"labels": {"app": "legacy"}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}}})
    rc = cluster.get("ReplicationController", "default", "legacy")
    assert (rc["spec"]["selector"], rc["spec"]["replicas"], rc["metadata"]["labels"]) == (
        {"app": "legacy"}, 1, {"app": "legacy"})
    pods = cluster.list("Pod", "default")
    assert len(pods) == 1 and pods[0]["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController"
    cluster.advance_until_idle()
    assert cluster.get("ReplicationController", "default", "legacy")["status"]["readyReplicas"] == 1


def test_deleting_owner_removes_pods(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(2))
    cluster.advance_until_idle()
    cluster.delete("ReplicaSet", "default", "web")
    cluster.advance_until_idle()
    assert cluster.list("Pod", "default") == []
