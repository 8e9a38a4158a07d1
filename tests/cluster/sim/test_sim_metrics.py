"""The simulated metrics-server: loads by controller chain, per pod or shared, split over
containers by request, throttled at the CPU limit; nothing until a pod's first window; nodes
sum their pods; the objects in metrics.k8s.io's units."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.loads import loads_of, set_load
from kapply.cluster.sim.metrics import IDLE_CPU, IDLE_MEMORY, Load, parse_load
from kapply.cluster.sim.metricsapi import node_metrics, pod_metrics
from kapply.cluster.sim.nodeops import fail_node
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import NotFoundError, UsageError

Obj = dict[str, Any]
MI = 1024 * 1024


def deployment(replicas: int = 2, containers: list[Obj] | None = None) -> Obj:
    containers = containers or [{"name": "web", "image": "nginx:1.27",
                                 "resources": {"requests": {"cpu": "100m"}}}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": containers}}}}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=2)


def usage(cluster: SimCluster) -> dict[str, list[tuple[str, str, str]]]:
    return {m["metadata"]["name"]: [(c["name"], c["usage"]["cpu"], c["usage"]["memory"])
                                    for c in m["containers"]]
            for m in pod_metrics(cluster, "default")}


def test_a_pod_is_measured_one_window_after_its_containers_started(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=1))
    cluster.advance(16)  # started at 2 s: its first 15 s window ends at 17 s
    assert usage(cluster) == {}
    cluster.advance(1)
    [rows] = usage(cluster).values()
    assert rows == [("web", f"{IDLE_CPU * 1_000_000}n", f"{IDLE_MEMORY // 1024}Ki")]
    metric = pod_metrics(cluster, "default")[0]
    assert metric["apiVersion"] == "metrics.k8s.io/v1beta1" and metric["kind"] == "PodMetrics"
    assert metric["window"] == "15s" and metric["metadata"]["labels"]["app"] == "web"


def test_a_load_applies_to_every_pod_down_the_controller_chain(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=2))
    set_load(cluster, "Deployment", "default", "web", Load(cpu=250, memory=128 * MI))
    cluster.advance(20)
    assert {tuple(rows) for rows in usage(cluster).values()} == {(("web", "250000000n", "131072Ki"),)}
    pod = sorted(usage(cluster))[0]
    set_load(cluster, "Pod", "default", pod, Load(cpu=900))  # the nearest object's load wins
    assert usage(cluster)[pod] == [("web", "900000000n", f"{IDLE_MEMORY // 1024}Ki")]


def test_a_total_load_is_shared_by_the_ready_pods(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=4))
    set_load(cluster, "Deployment", "default", "web", Load(cpu=1000, total=True))
    cluster.advance(20)
    assert {rows[0][1] for rows in usage(cluster).values()} == {"250000000n"}
    cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 5}}, "merge")
    cluster.advance(30)
    assert {rows[0][1] for rows in usage(cluster).values()} == {"200000000n"}


def test_containers_share_by_request_and_cpu_is_throttled_at_the_limit(cluster: SimCluster) -> None:
    containers = [{"name": "app", "image": "app:1", "resources": {"requests": {"cpu": "300m"},
                                                                   "limits": {"cpu": "400m"}}},
                  {"name": "proxy", "image": "envoy:1", "resources": {"requests": {"cpu": "100m"}}}]
    cluster.create(deployment(replicas=1, containers=containers))
    set_load(cluster, "Deployment", "default", "web", Load(cpu=800, memory=100 * MI))
    cluster.advance(20)
    [rows] = usage(cluster).values()
    assert [(name, cpu) for name, cpu, _ in rows] == [("app", "400000000n"), ("proxy", "200000000n")]
    assert sum(int(mem.removesuffix("Ki")) for _, _, mem in rows) == 100 * 1024  # memory: no requests, evenly


def test_nodes_sum_their_pods_and_a_failed_node_has_no_metrics(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=4))
    set_load(cluster, "Deployment", "default", "web", Load(cpu=100))
    cluster.advance(20)
    metrics, nodes = node_metrics(cluster)
    assert [n["metadata"]["name"] for n in nodes] == ["minikube", "minikube-m02"]
    assert sum(int(m["usage"]["cpu"].removesuffix("n")) for m in metrics) == 4 * 100 * 1_000_000
    fail_node(cluster, "minikube-m02")
    cluster.advance(60)
    metrics, _ = node_metrics(cluster)
    assert [m["metadata"]["name"] for m in metrics] == ["minikube"]


def test_set_and_clear_need_a_workload_and_report_changes(cluster: SimCluster) -> None:
    cluster.create(deployment())
    assert set_load(cluster, "Deployment", "default", "web", Load(cpu=100)) is True
    assert set_load(cluster, "Deployment", "default", "web", Load(cpu=100)) is False
    assert loads_of(cluster) == {"Deployment/default/web": Load(cpu=100)}
    with pytest.raises(NotFoundError, match=r'deployments\.apps "nope" not found'):
        set_load(cluster, "Deployment", "default", "nope", Load(cpu=1))
    assert set_load(cluster, "Deployment", "default", "web", None) is True
    assert set_load(cluster, "Deployment", "default", "web", None) is False


@pytest.mark.parametrize(("cpu", "memory", "message"), [
    (None, None, "give --cpu, --memory or both"),
    ("lots", None, "invalid --cpu 'lots': quantities must match"),
    (None, "-1Gi", "invalid --memory '-1Gi': must not be negative"),
])
def test_bad_load_flags(cpu: str | None, memory: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace("+", r"\+")):
        parse_load(cpu, memory, False)


def test_load_flags_in_units() -> None:
    assert parse_load("1.5", "256Mi", True) == Load(cpu=1500, memory=256 * MI, total=True)
