"""The EndpointSlice controller through the embedded cluster: slices next to Endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.controllers.endpointslices import MAX_PER_SLICE, desired_slices
from kapply.cluster.sim.testing import new_test_cluster


def deployment(name: str, replicas: int, delay: int = 0) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "app",
        "image": "nginx",
        "ports": [{"name": "http", "containerPort": 8080}],
    }
    if delay:
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": 8080}, "initialDelaySeconds": delay}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"terminationGracePeriodSeconds": 5, "containers": [container]},
            },
        },
    }


def service(name: str, **spec: Any) -> dict[str, Any]:
    spec.setdefault("ports", [{"name": "web", "port": 80, "targetPort": "http"}])
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {"tier": "front"}},
        "spec": {"selector": {"app": name}, **spec},
    }


def slices(cluster: SimCluster, name: str) -> list[dict[str, Any]]:
    return cluster.list("EndpointSlice", "default", f"kubernetes.io/service-name={name}")


def test_a_service_gets_a_slice_that_follows_its_pods(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(service("web"))
    (placeholder,) = slices(cluster, "web")
    assert placeholder["endpoints"] is None and placeholder["ports"] is None
    cluster.create(deployment("web", 2, delay=5))
    cluster.advance(3)  # running, not ready yet
    (pending,) = slices(cluster, "web")
    assert pending["metadata"]["name"] == placeholder["metadata"]["name"]  # the same slice, updated
    assert pending["ports"] == [{"name": "web", "port": 8080, "protocol": "TCP"}]
    assert [e["conditions"] for e in pending["endpoints"]] == [
        {"ready": False, "serving": False, "terminating": False}
    ] * 2
    cluster.advance_until_idle()
    (ready,) = slices(cluster, "web")
    assert all(
        e["conditions"] == {"ready": True, "serving": True, "terminating": False} for e in ready["endpoints"]
    )
    meta = ready["metadata"]
    assert meta["name"].startswith("web-") and len(meta["name"]) == len("web-") + 5
    assert meta["labels"] == {
        "tier": "front",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    owner = meta["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("Service", "web", True)
    endpoint = ready["endpoints"][0]
    assert endpoint["nodeName"] == "minikube" and endpoint["targetRef"]["kind"] == "Pod"
    ips = sorted(e["addresses"][0] for e in ready["endpoints"])
    eps = cluster.get("Endpoints", "default", "web")
    assert ips == sorted(a["ip"] for a in eps["subsets"][0]["addresses"])


def test_terminating_pods_are_marked_then_removed(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(service("web"))
    cluster.create(deployment("web", 1))
    cluster.advance_until_idle()
    pod = cluster.list("Pod", "default")[0]
    cluster.delete("Pod", "default", pod["metadata"]["name"])
    (terminating,) = [
        e
        for s in slices(cluster, "web")
        for e in s["endpoints"] or ()
        if e["targetRef"]["name"] == pod["metadata"]["name"]
    ]
    assert terminating["conditions"] == {"ready": False, "serving": True, "terminating": True}
    cluster.advance_until_idle()
    names = [e["targetRef"]["name"] for s in slices(cluster, "web") for e in s["endpoints"] or ()]
    assert pod["metadata"]["name"] not in names and len(names) == 1  # replaced by the ReplicaSet


def test_slices_go_with_the_service_and_not_for_selectorless_ones(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(service("web"))
    cluster.delete("Service", "default", "web")
    assert slices(cluster, "web") == []
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "manual"},
            "spec": {"ports": [{"port": 80}]},
        }
    )
    cluster.create(service("ext", type="ExternalName", externalName="example.com", ports=[]))
    assert slices(cluster, "manual") == [] and slices(cluster, "ext") == []


def test_a_slice_deleted_by_hand_comes_back(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(service("web"))
    (first,) = slices(cluster, "web")
    cluster.delete("EndpointSlice", "default", first["metadata"]["name"])
    (again,) = slices(cluster, "web")
    assert again["metadata"]["name"] != first["metadata"]["name"]


def test_the_kubernetes_service_has_the_api_servers_slice(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    kube = cluster.get("EndpointSlice", "default", "kubernetes")
    assert kube["ports"] == [{"name": "https", "port": 8443, "protocol": "TCP"}]
    assert kube["endpoints"][0]["conditions"] == {"ready": True}


def pod(name: str, ip: str, port: int) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default", "uid": name},
        "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": port}]}]},
        "status": {"podIP": ip, "phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    }


def test_pods_with_other_port_numbers_and_many_pods_split_slices() -> None:
    svc = service("web")
    svc["metadata"]["namespace"] = "default"
    mixed = desired_slices(svc, [pod("a", "10.0.0.1", 8080), pod("b", "10.0.0.2", 9090)])
    assert [(p[0]["port"], len(e)) for p, e in mixed] == [(8080, 1), (9090, 1)]
    many = desired_slices(svc, [pod(f"p{i:03}", f"10.0.{i // 250}.{i % 250}", 8080) for i in range(250)])
    assert [len(e) for _, e in many] == [MAX_PER_SLICE, MAX_PER_SLICE, 50]


def test_an_unnamed_port_has_an_empty_name() -> None:
    svc = service("web", ports=[{"port": 80, "targetPort": 8080}])
    svc["metadata"]["namespace"] = "default"
    ((ports, _),) = desired_slices(svc, [pod("a", "10.0.0.1", 8080)])
    assert ports == [{"name": "", "port": 8080, "protocol": "TCP"}]  # kubectl describe dereferences it
