"""`describe node`: capacity, the pods on the node and the resources they reserve."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, event, pod

from kapply.cli.printers.describe import describe
from kapply.cli.printers.describe.nodes import pod_requests_limits

GOLDEN = Path(__file__).parent / "golden"


def _node() -> dict[str, Any]:
    node = json.loads((GOLDEN / "node_minikube.json").read_text())
    node["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
                              {"key": "dedicated", "value": "web", "effect": "NoExecute"}]
    return node


def _pods() -> list[dict[str, Any]]:
    pods = []
    for i in range(3):
        p = pod(f"web-{i}")
        p["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "250m", "memory": "64Mi"},
                                                   "limits": {"cpu": "500m", "memory": "128Mi"}}
        pods.append(p)
    done = pod("job-1")
    done["status"]["phase"] = "Succeeded"  # terminated: not listed, not counted
    elsewhere = pod("far", node="minikube-m02")  # another node's pod
    return [*pods, done, elsewhere]


def test_node_page_with_allocated_resources() -> None:
    ev = event("NodeNotReady", "Node minikube status is now: NodeNotReady", "node-controller", kind="Node",
               name="minikube", uid="minikube")
    page = describe(_node(), {"Pod": _pods()}, [ev], NOW)
    assert page == (GOLDEN / "describe_node.txt").read_text()
    assert "  cpu                750m (18%)  1500m (37%)\n" in page
    assert ("Taints:             dedicated=web:NoExecute\n"
            "                    node.kubernetes.io/unreachable:NoSchedule\n") in page


def test_node_without_pods_or_events() -> None:
    node = _node()
    node["spec"] = {"unschedulable": True}
    page = describe(node, {"Pod": []}, [], NOW)
    assert "Unschedulable:      true\n" in page
    assert "Non-terminated Pods:          (0 in total)\n" in page
    assert "  cpu                0 (0%)    0 (0%)\n" in page
    assert page.endswith("Events:              <none>\n")


def test_pod_requests_take_the_larger_init_container_and_sum_the_rest() -> None:
    p = pod()
    sidecar = {"name": "sidecar", "resources": {"requests": {"cpu": "0.2", "memory": "1Gi"}}}
    p["spec"]["containers"].append(sidecar)
    init = {"name": "init", "resources": {"requests": {"cpu": "1", "memory": "16Mi"}}}
    p["spec"]["initContainers"] = [init]
    requests, limits = pod_requests_limits(p)
    assert requests["cpu"][0] == 1  # the init container's 1 CPU beats 100m + 200m
    assert float(requests["memory"][0]) == (64 + 1024) * 2**20
    assert float(limits["cpu"][0]) == 0.5


def test_lease_section_from_a_lease_or_the_heartbeat() -> None:
    node = _node()
    lease = {"kind": "Lease", "metadata": {"name": "minikube", "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": "minikube", "renewTime": "2026-01-02T03:04:50.000000Z"}}
    page = describe(node, {"Pod": [], "Lease": [lease]}, None, NOW)
    assert ("Lease:\n  HolderIdentity:  minikube\n  AcquireTime:     <unset>\n"
            "  RenewTime:       Fri, 02 Jan 2026 03:04:50 +0000\n") in page
    # no Lease object: a Ready node's kubelet renews now; a silent one stopped at its last heartbeat
    assert "  RenewTime:       Fri, 02 Jan 2026 03:05:00 +0000\n" in describe(node, {"Pod": []}, None, NOW)
    for cond in node["status"]["conditions"]:
        cond.update(status="Unknown", lastHeartbeatTime="2026-01-02T03:00:00Z")
    assert "  RenewTime:       Fri, 02 Jan 2026 03:00:00 +0000\n" in describe(node, {"Pod": []}, None, NOW)
