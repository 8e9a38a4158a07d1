"""The pod garbage collector: pods bound to a node that no longer exists are deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kapply.cluster.sim.testing import new_test_cluster

LABELS = {"app": "web"}


def replicaset(replicas: int) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": LABELS},
                     "template": {"metadata": {"labels": LABELS},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}


def test_pods_of_a_deleted_node_are_collected_after_the_quarantine(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    cluster.create(replicaset(4))
    cluster.advance(10)
    orphans = {p["metadata"]["name"] for p in cluster.list("Pod", "default")
               if p["spec"]["nodeName"] == "minikube-m02"}
    assert orphans
    cluster.delete("Node", "", "minikube-m02")
    cluster.advance(30)  # PodGC waits 40 s (quarantineTime) before deciding a node is gone
    assert orphans <= {p["metadata"]["name"] for p in cluster.list("Pod", "default")}
    cluster.advance(20)
    pods = cluster.list("Pod", "default")
    assert not orphans & {p["metadata"]["name"] for p in pods}
    cluster.advance(10)  # the ReplicaSet replaces them on the node that is left
    pods = cluster.list("Pod", "default")
    assert len(pods) == 4 and all(p["spec"]["nodeName"] == "minikube" for p in pods)


def test_a_node_back_within_the_quarantine_keeps_its_pods(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    cluster.create(replicaset(4))
    cluster.advance(10)
    node = cluster.get("Node", "", "minikube-m02")
    cluster.delete("Node", "", "minikube-m02")
    cluster.advance(10)
    for key in ("uid", "resourceVersion", "creationTimestamp"):
        node["metadata"].pop(key, None)
    cluster.create(node)
    cluster.advance(60)
    assert sum(p["spec"]["nodeName"] == "minikube-m02" for p in cluster.list("Pod", "default")) >= 1


def test_a_pod_bound_to_a_node_that_never_existed_is_collected(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ghost", "namespace": "default"},
                    "spec": {"nodeName": "nope", "containers": [{"name": "c", "image": "nginx:1.27"}]}})
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "real", "namespace": "default"},
                    "spec": {"nodeName": "minikube", "containers": [{"name": "c", "image": "nginx:1.27"}]}})
    cluster.advance(39)
    assert {p["metadata"]["name"] for p in cluster.list("Pod", "default")} == {"ghost", "real"}
    cluster.advance(2)
    assert [p["metadata"]["name"] for p in cluster.list("Pod", "default")] == ["real"]
