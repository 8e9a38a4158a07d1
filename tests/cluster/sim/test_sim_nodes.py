"""Node objects: minikube naming, addresses, pod CIDRs and sizes from the settings."""

from __future__ import annotations

import pytest

from kapply.cluster.sim.nodes import make_node, make_nodes, node_index, node_name
from kapply.cluster.sim.settings import ClusterSettings


@pytest.mark.parametrize(("index", "name"), [(0, "minikube"), (1, "minikube-m02"), (9, "minikube-m10"),
                                             (99, "minikube-m100")])
def test_names_follow_minikube(index: int, name: str) -> None:
    assert node_name(index) == name
    assert node_index(name) == index


def test_node_index_of_foreign_names_is_none() -> None:
    assert node_index("worker-1") is None
    assert node_index("minikube-m01") is None


def test_three_nodes_from_settings() -> None:
    settings = ClusterSettings(nodes=3, cpu="2", memory="4096Mi", pods=50, kubernetes_version="v1.34.0")
    nodes = make_nodes(settings)
    assert [n["metadata"]["name"] for n in nodes] == ["minikube", "minikube-m02", "minikube-m03"]
    first, second = nodes[0], nodes[1]
    assert "node-role.kubernetes.io/control-plane" in first["metadata"]["labels"]
    assert "node-role.kubernetes.io/control-plane" not in second["metadata"]["labels"]
    assert second["metadata"]["labels"]["kubernetes.io/hostname"] == "minikube-m02"
    assert second["metadata"]["labels"]["kubernetes.io/os"] == "linux"
    assert second["status"]["addresses"][0] == {"type": "InternalIP", "address": "192.168.49.3"}
    assert second["spec"]["podCIDR"] == "10.244.1.0/24"
    for key in ("capacity", "allocatable"):
        assert {k: second["status"][key][k] for k in ("cpu", "memory", "pods")} == \
            {"cpu": "2", "memory": "4Gi", "pods": "50"}
    assert second["status"]["nodeInfo"]["kubeletVersion"] == "v1.34.0"
    ready = next(c for c in second["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == \
        ("True", "KubeletReady", "kubelet is posting ready status")


def test_added_node_continues_numbering_with_its_own_size() -> None:
    settings = ClusterSettings(nodes=1)
    node = make_node(settings, 3, cpu="8", memory="16Gi", pods=20, now=1_767_225_600.0)
    assert node["metadata"]["name"] == "minikube-m04"
    assert node["status"]["capacity"]["cpu"] == "8"
    assert node["status"]["capacity"]["memory"] == "16Gi"
    assert node["status"]["conditions"][0]["lastHeartbeatTime"] == "2026-01-01T00:00:00Z"
    assert [n["metadata"]["name"] for n in make_nodes(settings, start_index=1, count=2)] == \
        ["minikube-m02", "minikube-m03"]
