"""Scheduler scenarios through the real runtime: spreading, resource fit, messages, retries."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from kapply.cluster.sim.testing import new_test_cluster

INSUFFICIENT_CPU = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
                    "3 No preemption victims found for incoming pod.")

def pod(name: str, cpu: str | None = None, memory: str | None = None, **spec: Any) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    container = {"name": "hello-node", "image": "hello-node:v1", "resources": {"requests": requests}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [container], **spec}}


def scheduled_condition(p: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in p["status"]["conditions"] if c["type"] == "PodScheduled")


def test_pods_spread_across_three_nodes(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=3)
    for i in range(9):
        cluster.create(pod(f"web-{i}", cpu="100m", memory="64Mi"))
    cluster.advance(5)
    pods = cluster.list("Pod", "default")
    assert Counter(p["spec"]["nodeName"] for p in pods) == \
        {"minikube": 3, "minikube-m02": 3, "minikube-m03": 3}
    assert all(p["status"]["phase"] == "Running" for p in pods)
    first = cluster.get("Pod", "default", "web-0")
    messages = [(e["reason"], e["message"]) for e in cluster.events(involved=first)]
    assert ("Scheduled", f"Successfully assigned default/web-0 to {first['spec']['nodeName']}") in messages


def test_pod_that_fits_nowhere_stays_pending_with_the_reason(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=3, cpu="2")
    cluster.create(pod("huge", cpu="3"))
    cluster.advance(60)
    huge = cluster.get("Pod", "default", "huge")
    assert "nodeName" not in huge["spec"]
    assert huge["status"]["phase"] == "Pending"
    cond = scheduled_condition(huge)
    assert (cond["status"], cond["reason"], cond["message"]) == \
        ("False", "Unschedulable", INSUFFICIENT_CPU)
    events = [(e["type"], e["reason"], e["message"]) for e in cluster.events(involved=huge)]
    assert events == [("Warning", "FailedScheduling", INSUFFICIENT_CPU)]


def test_reasons_are_aggregated_and_sorted_like_kube_scheduler(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=3, memory="1Gi")
    node = cluster.get("Node", "", "minikube")
    node["spec"]["taints"] = [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]
    cluster.update(node)
    cluster.create(pod("fat", memory="2Gi"))
    cluster.advance(1)
    message = scheduled_condition(cluster.get("Pod", "default", "fat"))["message"]
    assert message == ("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, "
                       "2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not "
                       "helpful for scheduling, 2 No preemption victims found for incoming pod.")


def test_pod_count_and_resources_are_tracked_as_pods_come_and_go(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1, pods=2)
    cluster.create(pod("a"))
    cluster.create(pod("b"))
    cluster.create(pod("c"))
    cluster.advance(1)
    c = cluster.get("Pod", "default", "c")
    assert scheduled_condition(c)["message"] == ("0/1 nodes are available: 1 Too many pods. preemption: 0/1 "
                                                 "nodes are available: 1 No preemption victims found for "
                                                 "incoming pod.")
    cluster.delete("Pod", "default", "a", grace_seconds=0)  # frees a slot: c is retried at once
    cluster.advance(1)
    assert cluster.get("Pod", "default", "c")["spec"]["nodeName"] == "minikube"


def test_added_node_lets_pending_pods_schedule(tmp_path: Path) -> None:
    from kapply.cluster.sim.nodes import make_node

    cluster = new_test_cluster(tmp_path, nodes=1, cpu="1")
    cluster.create(pod("big", cpu="1500m"))
    cluster.advance(1)
    assert "nodeName" not in cluster.get("Pod", "default", "big")["spec"]
    cluster.create(make_node(cluster.settings, 1, cpu="2"))
    cluster.advance(3)
    big = cluster.get("Pod", "default", "big")
    assert big["spec"]["nodeName"] == "minikube-m02"
    assert big["status"]["phase"] == "Running"


def test_node_selector_and_least_allocated(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=2)
    cluster.create(pod("pinned", cpu="2", nodeSelector={"kubernetes.io/hostname": "minikube"}))
    cluster.advance(1)
    assert cluster.get("Pod", "default", "pinned")["spec"]["nodeName"] == "minikube"
    cluster.create(pod("free", cpu="100m"))  # the emptier node scores higher
    cluster.advance(1)
    assert cluster.get("Pod", "default", "free")["spec"]["nodeName"] == "minikube-m02"
    cluster.create(pod("nowhere", nodeSelector={"disktype": "ssd"}))
    cluster.advance(1)
    assert scheduled_condition(cluster.get("Pod", "default", "nowhere"))["message"] == \
        ("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 "
         "nodes are available: 2 Preemption is not helpful for scheduling.")
