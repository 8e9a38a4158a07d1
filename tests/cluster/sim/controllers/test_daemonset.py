"""The DaemonSet controller through the runtime, checked against kube-controller-manager's
pkg/controller/daemon (daemon_controller.go NodeShouldRunDaemonPod and podsShouldBeOnNode,
update.go rollingUpdate, util/daemonset_util.go's daemon tolerations and node affinity)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.controllers.daemon.eligibility import daemon_tolerations, should_run
from kapply.cluster.sim.nodeops import add_node, fail_node, set_unschedulable
from kapply.cluster.sim.testing import new_test_cluster


def ds(name: str = "fluentd", image: str = "fluentd:v1", **spec: Any) -> dict[str, Any]:
    template_spec: dict[str, Any] = {"containers": [{"name": "agent", "image": image}]}
    template_spec.update(spec.pop("pod", {}))
    body: dict[str, Any] = {"selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}}, "spec": template_spec}}
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name}, "spec": body}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=3)


def placement(cluster: SimCluster) -> dict[str, list[str]]:
    """node -> names of the live daemon pods there."""
    out: dict[str, list[str]] = {}
    for pod in cluster.list("Pod", "default"):
        if not pod["metadata"].get("deletionTimestamp"):
            out.setdefault(pod["spec"].get("nodeName") or "", []).append(pod["metadata"]["name"])
    return out


def status(cluster: SimCluster) -> dict[str, Any]:
    return cluster.get("DaemonSet", "default", "fluentd")["status"]


def edit_node(cluster: SimCluster, name: str, **changes: Any) -> None:
    node = cluster.get("Node", "", name)
    for key, value in changes.items():
        if key == "labels":
            node["metadata"].setdefault("labels", {}).update(value)
        else:
            node["spec"][key] = value
    cluster.update(node)


def test_one_pod_per_node_bound_by_affinity(cluster: SimCluster) -> None:
    cluster.create(ds())
    cluster.advance(10)
    assert sorted(placement(cluster)) == ["minikube", "minikube-m02", "minikube-m03"]
    assert all(len(v) == 1 for v in placement(cluster).values())
    pod = cluster.list("Pod", "default")[0]
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"] == [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}]}]
    keys = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert ("node.kubernetes.io/unreachable", "NoExecute") in keys
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in keys
    st = status(cluster)
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"], st["numberReady"],
            st["updatedNumberScheduled"], st["numberAvailable"],
            st["numberMisscheduled"]) == (3, 3, 3, 3, 3, 0)
    assert pod["metadata"]["labels"]["controller-revision-hash"]
    messages = [e["message"] for e in cluster.events("default") if e["reason"] == "SuccessfulCreate"]
    assert all(m.startswith("Created pod: fluentd-") for m in messages) and len(messages) == 3


def test_node_selector_and_label_changes(cluster: SimCluster) -> None:
    cluster.create(ds(pod={"nodeSelector": {"disk": "ssd"}}))
    cluster.advance(5)
    assert placement(cluster) == {} and status(cluster)["desiredNumberScheduled"] == 0
    edit_node(cluster, "minikube-m02", labels={"disk": "ssd"})
    cluster.advance(5)
    assert list(placement(cluster)) == ["minikube-m02"]
    edit_node(cluster, "minikube-m02", labels={"disk": "hdd"})
    cluster.advance(60)
    assert placement(cluster) == {}


def test_taints_need_tolerations(cluster: SimCluster) -> None:
    edit_node(cluster, "minikube", taints=[{"key": "node-role.kubernetes.io/control-plane",
                                            "effect": "NoSchedule"}])
    cluster.create(ds())
    cluster.advance(5)
    assert sorted(placement(cluster)) == ["minikube-m02", "minikube-m03"]
    cluster.delete("DaemonSet", "default", "fluentd")
    cluster.advance(60)
    cluster.create(ds(pod={"tolerations": [{"key": "node-role.kubernetes.io/control-plane",
                                            "operator": "Exists", "effect": "NoSchedule"}]}))
    cluster.advance(5)
    assert len(placement(cluster)) == 3


def test_a_no_schedule_taint_keeps_a_running_pod_but_no_execute_evicts() -> None:
    node: dict[str, Any] = {"metadata": {"name": "n1", "labels": {}},
                            "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]}}
    spec: dict[str, Any] = {"containers": []}
    assert tuple(should_run(node, spec, daemon_tolerations(spec))) == (False, True)
    node["spec"]["taints"] = [{"key": "k", "effect": "NoExecute"}]
    assert tuple(should_run(node, spec, daemon_tolerations(spec))) == (False, False)
    node["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]
    assert tuple(should_run(node, spec, daemon_tolerations(spec))) == (True, True)


def test_nodes_joining_and_leaving(cluster: SimCluster) -> None:
    cluster.create(ds())
    cluster.advance(5)
    added = add_node(cluster)["metadata"]["name"]
    cluster.advance(5)
    assert added in placement(cluster) and status(cluster)["desiredNumberScheduled"] == 4
    cluster.delete("Node", "", added)
    cluster.advance(120)  # PodGC collects pods bound to a node that no longer exists
    assert added not in placement(cluster) and status(cluster)["desiredNumberScheduled"] == 3


def test_cordoned_and_failed_nodes_keep_their_daemon_pods(cluster: SimCluster) -> None:
    cluster.create(ds())
    cluster.advance(5)
    set_unschedulable(cluster, "minikube-m02", True)
    fail_node(cluster, "minikube-m03")
    cluster.advance(900)  # past the grace period and the 300 s eviction of ordinary pods
    assert sorted(placement(cluster)) == ["minikube", "minikube-m02", "minikube-m03"]


def test_rolling_update_respects_max_unavailable(cluster: SimCluster) -> None:
    cluster.create(ds())
    cluster.advance(5)
    obj = cluster.get("DaemonSet", "default", "fluentd")
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "fluentd:v2"
    cluster.update(obj)
    cluster.advance(0.1)
    deleting = [p for p in cluster.list("Pod", "default") if p["metadata"].get("deletionTimestamp")]
    assert len(deleting) == 1  # maxUnavailable 1 by default
    cluster.advance(600)
    images = {p["spec"]["containers"][0]["image"] for p in cluster.list("Pod", "default")}
    assert images == {"fluentd:v2"}
    st = status(cluster)
    assert st["updatedNumberScheduled"] == 3 and st["observedGeneration"] == 2
    assert len(cluster.list("ControllerRevision", "default")) == 2


def test_surge_starts_the_new_pod_before_deleting_the_old(cluster: SimCluster) -> None:
    cluster.create(ds(updateStrategy={"type": "RollingUpdate",
                                      "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}))
    cluster.advance(5)
    obj = cluster.get("DaemonSet", "default", "fluentd")
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "fluentd:v2"
    cluster.update(obj)
    cluster.advance(0.1)
    by_node = placement(cluster)
    assert sorted(len(v) for v in by_node.values()) == [1, 1, 2]  # one node surged
    assert not any(p["metadata"].get("deletionTimestamp") for p in cluster.list("Pod", "default"))
    cluster.advance(600)
    assert {p["spec"]["containers"][0]["image"] for p in cluster.list("Pod", "default")} == {"fluentd:v2"}


def test_on_delete_replaces_only_deleted_pods(cluster: SimCluster) -> None:
    cluster.create(ds(updateStrategy={"type": "OnDelete"}))
    cluster.advance(5)
    obj = cluster.get("DaemonSet", "default", "fluentd")
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "fluentd:v2"
    cluster.update(obj)
    cluster.advance(120)
    assert {p["spec"]["containers"][0]["image"] for p in cluster.list("Pod", "default")} == {"fluentd:v1"}
    victim = cluster.list("Pod", "default")[0]["metadata"]["name"]
    cluster.delete("Pod", "default", victim)
    cluster.advance(120)
    images = sorted(p["spec"]["containers"][0]["image"] for p in cluster.list("Pod", "default"))
    assert images == ["fluentd:v1", "fluentd:v1", "fluentd:v2"]


def test_misscheduled_pods_are_counted_then_removed(cluster: SimCluster) -> None:
    cluster.create(ds())
    cluster.advance(5)
    edit_node(cluster, "minikube", taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    cluster.advance(1)
    st = status(cluster)
    assert st["numberMisscheduled"] == 1 and st["desiredNumberScheduled"] == 2  # NoSchedule: pod stays
    edit_node(cluster, "minikube", taints=[{"key": "dedicated", "value": "db", "effect": "NoExecute"}])
    cluster.advance(60)
    assert "minikube" not in placement(cluster)
