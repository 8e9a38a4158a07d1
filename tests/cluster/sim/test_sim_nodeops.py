"""Node failure, recovery, cordon and drain walked through the real runtime with advance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.nodeops import (
    add_node,
    drain_node,
    fail_node,
    image_faults,
    plan_drain,
    recover_node,
    set_image_fault,
    set_unschedulable,
)
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import NotFoundError, UsageError

LABELS = {"app": "web"}


def replicaset(name: str = "web", replicas: int = 3, **pod_spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": LABELS},
                     "template": {"metadata": {"labels": LABELS},
                                  "spec": {"containers": [{"name": "hello-node", "image": "hello-node:v1"}],
                                           **pod_spec}}}}


def bare(name: str, node: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeSelector": {"kubernetes.io/hostname": node},
                     "containers": [{"name": "hello-node", "image": "hello-node:v1"}]}}


def ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", ()))


def node_ready(cluster: SimCluster, name: str) -> str:
    node = cluster.get("Node", "", name)
    return next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")


def on(cluster: SimCluster, node: str) -> list[dict[str, Any]]:
    return [p for p in cluster.list("Pod", "default") if p["spec"].get("nodeName") == node]


def test_node_failure_walkthrough(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=3)
    cluster.create(replicaset(replicas=6))
    cluster.create(bare("lonely", "minikube-m02"))
    cluster.advance(5)
    victims = {p["metadata"]["name"] for p in on(cluster, "minikube-m02")}
    assert "lonely" in victims and len(victims) >= 2
    assert fail_node(cluster, "minikube-m02") is True
    assert fail_node(cluster, "minikube-m02") is False

    cluster.advance(49)  # grace period: nothing visible yet
    assert node_ready(cluster, "minikube-m02") == "True"
    assert all(ready(p) for p in on(cluster, "minikube-m02"))

    cluster.advance(1)  # grace period over: Unknown, tainted, pods not ready
    node = cluster.get("Node", "", "minikube-m02")
    cond = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert (cond["status"], cond["reason"], cond["message"]) == \
        ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
    assert {(t["key"], t["effect"]) for t in node["spec"]["taints"]} == \
        {("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}
    assert not any(ready(p) for p in on(cluster, "minikube-m02"))
    assert len(cluster.list("Pod", "default")) == 7  # not evicted yet

    cluster.advance(299)
    assert {p["metadata"]["name"] for p in on(cluster, "minikube-m02")} == victims
    assert not any(p["metadata"].get("deletionTimestamp") for p in on(cluster, "minikube-m02"))

    cluster.advance(1)  # toleration (300 s) over: evicted and replaced on healthy nodes
    evicted = on(cluster, "minikube-m02")
    assert all(p["metadata"].get("deletionTimestamp") for p in evicted)
    lonely = cluster.get("Pod", "default", "lonely")
    assert ("TaintManagerEviction", "Marking for deletion Pod default/lonely") in \
        [(e["reason"], e["message"]) for e in cluster.events(involved=lonely)]
    cluster.advance(35)
    assert on(cluster, "minikube-m02") == []
    pods = cluster.list("Pod", "default")
    assert len(pods) == 6 and "lonely" not in {p["metadata"]["name"] for p in pods}  # bare pod not replaced
    assert all(ready(p) and p["spec"]["nodeName"] != "minikube-m02" for p in pods)

    assert recover_node(cluster, "minikube-m02") is True
    cluster.advance(1)
    assert node_ready(cluster, "minikube-m02") == "True"
    assert "taints" not in cluster.get("Node", "", "minikube-m02")["spec"]
    cluster.create(bare("back", "minikube-m02"))
    cluster.advance(3)
    back = cluster.get("Pod", "default", "back")
    assert back["spec"]["nodeName"] == "minikube-m02" and ready(back)


def test_pods_tolerating_longer_stay_and_recover_with_the_node(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2, node_grace=40, eviction_timeout=60)
    patient = bare("patient", "minikube-m02")
    patient["spec"]["tolerations"] = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                       "effect": "NoExecute", "tolerationSeconds": 600}]
    cluster.create(patient)
    cluster.create(bare("quick", "minikube-m02"))
    cluster.advance(3)
    fail_node(cluster, "minikube-m02")
    cluster.advance(40 + 60 + 1)  # quick used the cluster's eviction timeout (60 s)
    assert cluster.get("Pod", "default", "quick")["metadata"].get("deletionTimestamp")
    assert not cluster.get("Pod", "default", "patient")["metadata"].get("deletionTimestamp")
    recover_node(cluster, "minikube-m02")
    cluster.advance(1)
    assert ready(cluster.get("Pod", "default", "patient"))


def test_cordon_keeps_new_pods_off_and_uncordon_lets_them_back(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    assert set_unschedulable(cluster, "minikube", True) is True
    assert set_unschedulable(cluster, "minikube", True) is False
    cluster.create(bare("web", "minikube"))
    cluster.advance(1)
    web = cluster.get("Pod", "default", "web")
    assert "nodeName" not in web["spec"]
    message = next(c["message"] for c in web["status"]["conditions"] if c["type"] == "PodScheduled")
    assert message == ("0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are "
                       "available: 1 Preemption is not helpful for scheduling.")
    node = cluster.get("Node", "", "minikube")
    assert node["spec"]["taints"][0]["key"] == "node.kubernetes.io/unschedulable"
    assert set_unschedulable(cluster, "minikube", False) is True
    cluster.advance(1)
    assert cluster.get("Pod", "default", "web")["spec"]["nodeName"] == "minikube"
    assert "taints" not in cluster.get("Node", "", "minikube")["spec"]


def test_drain_evicts_managed_pods_and_refuses_bare_ones_without_force(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    cluster.create(replicaset(replicas=4))
    cluster.create(bare("bare", "minikube-m02"))
    cluster.advance(5)
    cordoned, plan = drain_node(cluster, "minikube-m02")
    assert cordoned is True
    assert plan.error_lines() == [
        "cannot delete Pods declare no controller (use --force to override): default/bare"]
    assert not any(p["metadata"].get("deletionTimestamp") for p in on(cluster, "minikube-m02"))
    cordoned, plan = drain_node(cluster, "minikube-m02", force=True)
    assert cordoned is False and not plan.errors
    assert plan.warning_line() == "deleting Pods that declare no controller: default/bare"
    assert {p["metadata"]["name"] for p in plan.evict} >= {"bare"}
    cluster.advance(31)
    assert on(cluster, "minikube-m02") == []
    pods = cluster.list("Pod", "default")
    assert len(pods) == 4 and all(p["spec"]["nodeName"] == "minikube" for p in pods)


def test_drain_filters_daemonset_and_mirror_pods() -> None:
    def pod(name: str, owner: str | None = None, mirror: bool = False) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "namespace": "kube-system"}
        if owner:
            meta["ownerReferences"] = [{"kind": owner, "name": "x", "uid": "u", "controller": True}]
        if mirror:
            meta["annotations"] = {"kubernetes.io/config.mirror": "abc"}
        return {"metadata": meta, "spec": {}, "status": {"phase": "Running"}}

    cache = pod("cache", "ReplicaSet")
    cache["spec"]["volumes"] = [{"name": "tmp", "emptyDir": {}}]
    pods = [pod("proxy", "DaemonSet"), pod("etcd", mirror=True), pod("dns", "ReplicaSet"), cache]
    plan = plan_drain(pods, ignore_daemonsets=False, force=False)
    assert plan.error_lines() == [
        "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/proxy",
        "cannot delete Pods with local storage (use --delete-emptydir-data to override): kube-system/cache"]
    plan = plan_drain(pods, ignore_daemonsets=True, force=False, delete_emptydir_data=True)
    assert [p["metadata"]["name"] for p in plan.evict] == ["dns", "cache"]
    assert plan.warning_line() == ("ignoring DaemonSet-managed Pods: kube-system/proxy; "
                                   "deleting Pods with local storage: kube-system/cache")
    pods.pop()
    plan = plan_drain(pods, ignore_daemonsets=True, force=False)
    assert not plan.errors and [p["metadata"]["name"] for p in plan.evict] == ["dns"]
    assert plan.warning_line() == "ignoring DaemonSet-managed Pods: kube-system/proxy"


def test_add_node_numbers_and_sizes(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    node = add_node(cluster, cpu="8", memory="16Gi", pods=20)
    assert node["metadata"]["name"] == "minikube-m03"
    assert node["status"]["allocatable"]["cpu"] == "8"
    assert add_node(cluster)["status"]["allocatable"]["memory"] == "8Gi"
    with pytest.raises(UsageError, match="invalid --cpu 'lots'"):
        add_node(cluster, cpu="lots")
    with pytest.raises(UsageError, match="invalid --memory '8GB'"):  # the flag at fault is named
        add_node(cluster, memory="8GB")
    with pytest.raises(NotFoundError, match='nodes "minikube-m09" not found'):
        fail_node(cluster, "minikube-m09")


def test_image_faults_are_normalized_listed_and_cleared(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    assert set_image_fault(cluster, "docker.io/library/hello-node", "CrashLoopBackOff") == \
        ("hello-node:latest", True)
    assert set_image_fault(cluster, "hello-node:latest", "CrashLoopBackOff") == ("hello-node:latest", False)
    assert image_faults(cluster) == [("hello-node:latest", "CrashLoopBackOff", 0)]
    with pytest.raises(UsageError, match="must be one of ErrImagePull, CrashLoopBackOff"):
        set_image_fault(cluster, "x", "Boom")
    assert set_image_fault(cluster, "hello-node", None) == ("hello-node:latest", True)
    assert set_image_fault(cluster, "hello-node", None) == ("hello-node:latest", False)
    assert image_faults(cluster) == []


def test_a_user_no_execute_taint_evicts_pods_that_do_not_tolerate_it(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    tolerant = bare("tolerant", "minikube-m02")
    tolerant["spec"]["tolerations"] = [{"key": "maintenance", "operator": "Exists", "effect": "NoExecute",
                                        "tolerationSeconds": 60}]
    cluster.create(tolerant)
    cluster.create(bare("plain", "minikube-m02"))
    cluster.advance(3)
    node = cluster.get("Node", "", "minikube-m02")
    node["spec"]["taints"] = [{"key": "maintenance", "effect": "NoExecute"}]
    cluster.update(node)
    cluster.advance(1)
    assert cluster.get("Node", "", "minikube-m02")["spec"]["taints"][0]["timeAdded"]
    assert cluster.get("Pod", "default", "plain")["metadata"].get("deletionTimestamp")
    assert not cluster.get("Pod", "default", "tolerant")["metadata"].get("deletionTimestamp")
    cluster.advance(60)
    assert cluster.get("Pod", "default", "tolerant")["metadata"].get("deletionTimestamp")


def test_node_events_tell_its_story(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    node = add_node(cluster)
    cluster.advance(1)
    name = node["metadata"]["name"]
    assert [(e["reason"], e["message"]) for e in cluster.events(involved=node)] == [
        ("Starting", "Starting kubelet."),
        ("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods"),
        ("RegisteredNode", f"Node {name} event: Registered Node {name} in Controller"),
    ]
    set_unschedulable(cluster, name, True)
    fail_node(cluster, name)
    cluster.advance(50)
    recover_node(cluster, name)
    cluster.advance(1)
    messages = [e["message"] for e in cluster.events(involved=node)][3:]
    assert messages == [f"Node {name} status is now: NodeNotSchedulable",
                        f"Node {name} status is now: NodeNotReady",
                        f"Node {name} status is now: NodeReady"]


def test_node_count_is_bounded_at_kubernetes_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kapply.cluster.sim import nodeops, nodes

    assert nodes.MAX_NODES == 5000  # Kubernetes' documented ceiling, above the 1,000-node scale goal
    with pytest.raises(UsageError, match="invalid --nodes 5001: must be between 0 and 5000"):
        new_test_cluster(tmp_path, name="too-big", nodes=5001)
    assert not (tmp_path / "too-big.db").exists()
    monkeypatch.setattr(nodeops, "MAX_NODES", 2)
    cluster = new_test_cluster(tmp_path, nodes=2)
    with pytest.raises(UsageError, match="cannot add a node: the cluster has 2, the most"):
        add_node(cluster)
    assert len(cluster.list("Node")) == 2
