"""Services end to end through the embedded cluster: allocation, endpoints, load-balancer pool."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import ClusterError, InvalidError, NotFoundError


def deployment(name: str, replicas: int, spread: bool = False, image: str = "nginx:1.27",
               delay: int = 0) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {"containers": [{
        "name": "app", "image": image, "ports": [{"name": "http", "containerPort": 8080}],
        **({"readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "initialDelaySeconds": delay}}
           if delay else {}),
    }]}
    if spread:
        pod_spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": name}}, "topologyKey": "kubernetes.io/hostname"}]}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}}}


def service(name: str, type_: str = "ClusterIP", **spec: Any) -> dict[str, Any]:
    spec.setdefault("ports", [{"name": "web", "port": 8080, "targetPort": "http"}])
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"type": type_, "selector": {"app": name}, **spec}}


def endpoint_ips(cluster: SimCluster, name: str) -> tuple[list[str], list[str]]:
    """(ready, not ready) addresses of a Service's Endpoints."""
    eps = cluster.get("Endpoints", "default", name)
    ready = [a["ip"] for s in eps.get("subsets") or () for a in s.get("addresses") or ()]
    not_ready = [a["ip"] for s in eps.get("subsets") or () for a in s.get("notReadyAddresses") or ()]
    return ready, not_ready


def lb_ip(cluster: SimCluster, name: str) -> str | None:
    """The ingress IP the pool gave a LoadBalancer Service, None while <pending>."""
    ingress = ((cluster.get("Service", "default", name).get("status") or {}).get("loadBalancer") or {})
    return (ingress.get("ingress") or [{}])[0].get("ip")


def test_kubernetes_service_holds_first_cluster_ip(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    svc = cluster.get("Service", "default", "kubernetes")
    assert svc["spec"]["clusterIP"] == "10.96.0.1"
    apiserver = [{"ip": "192.168.49.2"}]
    assert cluster.get("Endpoints", "default", "kubernetes")["subsets"][0]["addresses"] == apiserver
    cluster.advance_until_idle()
    assert cluster.get("Endpoints", "default", "kubernetes")["subsets"][0]["addresses"] == apiserver


def test_load_balancer_over_three_ready_pods_on_three_nodes(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=3, lb_pool="192.168.49.100-192.168.49.120")
    cluster.create(deployment("web", 3, spread=True))
    svc = cluster.create(service("web", "LoadBalancer"))
    cluster.advance_until_idle()
    svc = cluster.get("Service", "default", "web")
    assert ipaddress.ip_address(svc["spec"]["clusterIP"]) in ipaddress.ip_network("10.96.0.0/12")
    assert 30000 <= svc["spec"]["ports"][0]["nodePort"] <= 32767
    assert lb_ip(cluster, "web") == "192.168.49.100"
    eps = cluster.get("Endpoints", "default", "web")
    (subset,) = eps["subsets"]
    assert subset["ports"] == [{"name": "web", "port": 8080, "protocol": "TCP"}]
    assert len(subset["addresses"]) == 3 and "notReadyAddresses" not in subset
    pods = {p["metadata"]["name"]: p for p in cluster.list("Pod", "default", "app=web")}
    assert {a["targetRef"]["name"] for a in subset["addresses"]} == set(pods)
    assert {a["nodeName"] for a in subset["addresses"]} == {"minikube", "minikube-m02", "minikube-m03"}
    for address in subset["addresses"]:
        pod = pods[address["targetRef"]["name"]]
        assert address["ip"] == pod["status"]["podIP"]
        assert address["targetRef"]["uid"] == pod["metadata"]["uid"]


def test_endpoints_follow_readiness_and_pod_deletion(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(deployment("web", 2, delay=30))
    cluster.create(service("web"))
    cluster.advance(10)  # running, not ready yet
    ready, not_ready = endpoint_ips(cluster, "web")
    assert ready == [] and len(not_ready) == 2
    cluster.advance(30)
    ready, not_ready = endpoint_ips(cluster, "web")
    assert len(ready) == 2 and not_ready == []
    victim = cluster.list("Pod", "default", "app=web")[0]
    cluster.delete("Pod", "default", victim["metadata"]["name"])
    assert victim["status"]["podIP"] not in endpoint_ips(cluster, "web")[0]  # terminating leaves at once
    cluster.advance_until_idle()
    ready, _ = endpoint_ips(cluster, "web")
    assert len(ready) == 2 and victim["status"]["podIP"] not in ready


def test_selectorless_service_gets_no_managed_endpoints_and_user_ones_are_kept(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    svc = service("ext")
    del svc["spec"]["selector"]
    svc["spec"]["ports"] = [{"port": 5432}]
    cluster.create(svc)
    cluster.advance_until_idle()
    with pytest.raises(NotFoundError):
        cluster.get("Endpoints", "default", "ext")
    mine = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ext", "namespace": "default"},
            "subsets": [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 5432}]}]}
    cluster.create(mine)
    cluster.advance_until_idle()
    assert cluster.get("Endpoints", "default", "ext")["subsets"][0]["addresses"] == [{"ip": "10.1.2.3"}]


def test_endpoints_deleted_with_service_and_none_for_external_name(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(deployment("web", 1))
    cluster.create(service("web"))
    cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "default"},
                    "spec": {"type": "ExternalName", "externalName": "db.example.com",
                             "selector": {"app": "web"}}})
    cluster.advance_until_idle()
    assert len(endpoint_ips(cluster, "web")[0]) == 1
    with pytest.raises(NotFoundError):
        cluster.get("Endpoints", "default", "db")
    cluster.delete("Service", "default", "web")
    cluster.advance_until_idle()
    with pytest.raises(NotFoundError):
        cluster.get("Endpoints", "default", "web")


def test_headless_service_gets_endpoints(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(deployment("db", 2))
    cluster.create(service("db", clusterIP="None"))
    cluster.advance_until_idle()
    eps = cluster.get("Endpoints", "default", "db")
    assert eps["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}
    assert len(endpoint_ips(cluster, "db")[0]) == 2


def test_node_port_collision_and_range_refused(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(service("a", "NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    with pytest.raises(InvalidError) as err:
        cluster.create(service("b", "NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    assert str(err.value) == ('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
                              "provided port is already allocated")
    with pytest.raises(InvalidError) as err:
        cluster.create(service("b", "NodePort", ports=[{"port": 80, "nodePort": 8080}]))
    assert str(err.value) == ('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 8080: '
                              "provided port is not in the valid range. "
                              "The range of valid ports is 30000-32767")


def test_node_port_exhaustion_and_release_on_delete(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, node_port_range="30000-30001")
    cluster.create(service("a", "NodePort"))
    cluster.create(service("b", "LoadBalancer"))
    with pytest.raises(ClusterError) as err:
        cluster.create(service("c", "NodePort"))
    assert str(err.value) == "Internal error occurred: failed to allocate a nodePort: range is full"
    with pytest.raises(NotFoundError):
        cluster.get("Service", "default", "c")
    freed = cluster.get("Service", "default", "a")["spec"]["ports"][0]["nodePort"]
    cluster.delete("Service", "default", "a")
    assert cluster.create(service("c", "NodePort"))["spec"]["ports"][0]["nodePort"] == freed


def test_cluster_ip_requested_refused_and_immutable(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    with pytest.raises(InvalidError) as err:
        cluster.create(service("a", clusterIP="10.0.0.1"))
    assert str(err.value) == ('Service "a" is invalid: spec.clusterIPs: Invalid value: '
                              '[]string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: '
                              "the provided IP (10.0.0.1) is not in the valid "
                              "range. The range of valid IPs is 10.96.0.0/12")
    created = cluster.create(service("a", clusterIP="10.96.0.50"))
    with pytest.raises(InvalidError, match="provided IP is already allocated"):
        cluster.create(service("b", clusterIP="10.96.0.50"))
    changed = dict(created, spec=dict(created["spec"], clusterIP="10.96.0.51", clusterIPs=["10.96.0.51"]))
    with pytest.raises(InvalidError) as err:
        cluster.update(changed)
    assert str(err.value) == ('Service "a" is invalid: spec.clusterIPs[0]: Invalid value: '
                              '[]string{"10.96.0.51"}: may not change once set')


def test_node_ports_kept_when_apply_omits_them(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    first = cluster.create(service("a", "NodePort"))
    patched = cluster.patch("Service", "default", "a",
                            {"spec": {"ports": [{"name": "web", "port": 8080, "targetPort": 9090}]}})
    assert patched["spec"]["ports"][0]["nodePort"] == first["spec"]["ports"][0]["nodePort"]
    assert patched["spec"]["clusterIP"] == first["spec"]["clusterIP"]


def test_pool_exhaustion_pending_then_assigned_when_freed(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, lb_pool="192.168.49.100-192.168.49.100")
    cluster.create(service("a", "LoadBalancer"))
    cluster.advance_until_idle()
    cluster.create(service("b", "LoadBalancer"))
    cluster.advance_until_idle()
    assert (lb_ip(cluster, "a"), lb_ip(cluster, "b")) == ("192.168.49.100", None)
    cluster.delete("Service", "default", "a")
    cluster.advance_until_idle()
    assert lb_ip(cluster, "b") == "192.168.49.100"


def test_no_pool_stays_pending(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(service("a", "LoadBalancer"))
    cluster.advance_until_idle()
    assert cluster.get("Service", "default", "a")["status"] == {"loadBalancer": {}}
    assert lb_ip(cluster, "a") is None


def test_rolling_update_keeps_enough_ready_endpoints(tmp_path: Path) -> None:
    """Every committed version of the Endpoints holds >= replicas - maxUnavailable ready addresses."""
    cluster = new_test_cluster(tmp_path, nodes=2)
    deploy = deployment("web", 4, delay=5)
    deploy["spec"]["strategy"] = {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}
    cluster.create(deploy)
    cluster.create(service("web"))
    cluster.advance_until_idle()
    assert len(endpoint_ips(cluster, "web")[0]) == 4
    start = cluster.resource_version()
    cluster.patch("Deployment", "default", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.28"}]}}}})
    cluster.advance_until_idle()
    versions = [e.object for e in cluster.watch("Endpoints", "default", start)
                if e.object["metadata"]["name"] == "web"]
    assert len(versions) >= 6  # the rollout moved the Endpoints many times
    for eps in versions:
        ready = sum(len(s.get("addresses") or ()) for s in eps.get("subsets") or ())
        assert ready >= 4 - 1, eps["metadata"]["resourceVersion"]
    new_pods = {p["metadata"]["name"] for p in cluster.list("Pod", "default", "app=web")
                if p["spec"]["containers"][0]["image"] == "nginx:1.28"}
    final = cluster.get("Endpoints", "default", "web")["subsets"][0]["addresses"]
    assert {a["targetRef"]["name"] for a in final} == new_pods and len(new_pods) == 4


def test_pods_of_a_failed_node_leave_endpoints_after_the_grace_period(tmp_path: Path) -> None:
    from kapply.cluster.sim.nodeops import fail_node

    cluster = new_test_cluster(tmp_path, nodes=2, node_grace=50, eviction_timeout=300)
    cluster.create(deployment("web", 2, spread=True))
    cluster.create(service("web"))
    cluster.advance_until_idle()
    pods = {p["spec"]["nodeName"]: p["status"]["podIP"] for p in cluster.list("Pod", "default", "app=web")}
    assert sorted(endpoint_ips(cluster, "web")[0]) == sorted(pods.values())
    fail_node(cluster, "minikube-m02")
    cluster.advance(45)
    assert sorted(endpoint_ips(cluster, "web")[0]) == sorted(pods.values())  # nothing yet
    cluster.advance(30)
    ready, not_ready = endpoint_ips(cluster, "web")
    assert ready == [pods["minikube"]]
    assert not_ready == [pods["minikube-m02"]]
    cluster.advance(300)
    cluster.advance_until_idle()
    ready, not_ready = endpoint_ips(cluster, "web")
    on_nodes = {p["status"].get("podIP"): p["spec"]["nodeName"]
                for p in cluster.list("Pod", "default", "app=web")}
    assert len(ready) == 2 and not_ready == []
    assert {on_nodes[ip] for ip in ready} == {"minikube"}


def test_relabelled_pod_and_changed_selector_move_endpoints(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(deployment("web", 2))
    cluster.create(service("web"))
    cluster.advance_until_idle()
    pod = cluster.list("Pod", "default", "app=web")[0]
    cluster.patch("Pod", "default", pod["metadata"]["name"], {"metadata": {"labels": {"app": "debug"}}})
    cluster.advance_until_idle()  # the ReplicaSet replaces it; the relabelled pod leaves the Service
    ready, _ = endpoint_ips(cluster, "web")
    assert len(ready) == 2 and pod["status"]["podIP"] not in ready
    cluster.patch("Service", "default", "web", {"spec": {"selector": {"app": "debug"}}})
    cluster.advance_until_idle()
    assert endpoint_ips(cluster, "web") == ([pod["status"]["podIP"]], [])


def test_two_handles_on_one_cluster_never_share_an_allocation(tmp_path: Path) -> None:
    """Two kapply processes (here: two handles, each with its own connection and cache)."""
    from kapply.cluster.sim.home import open_cluster

    first = new_test_cluster(tmp_path, node_port_range="30000-30019")
    second = open_cluster("test", home=tmp_path, clock=first.clock)
    first.create(service("a", "NodePort", ports=[{"port": 80, "nodePort": 30005}]))
    with pytest.raises(InvalidError, match="provided port is already allocated"):
        second.create(service("b", "NodePort", ports=[{"port": 80, "nodePort": 30005}]))
    for i in range(19):
        (first if i % 2 else second).create(service(f"s{i}", "NodePort"))
    with pytest.raises(ClusterError, match="range is full"):
        first.create(service("full", "NodePort"))
    services = second.list("Service", "default")
    ports = [p["nodePort"] for s in services for p in s["spec"]["ports"] if p.get("nodePort")]
    ips = [s["spec"]["clusterIP"] for s in services]
    assert len(ports) == len(set(ports)) == 20
    assert len(ips) == len(set(ips)) == 21  # and the kubernetes Service
    second.delete("Service", "default", "a")
    assert first.create(service("again", "NodePort"))["spec"]["ports"][0]["nodePort"] == 30005


_WRITER = """
import sys
from kapply.cluster.sim.home import open_cluster
from kapply.errors import ClusterError
cluster = open_cluster("test", home=sys.argv[1])
made = 0
for i in range(int(sys.argv[3])):
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": f"{sys.argv[2]}-{i}", "namespace": "default"},
           "spec": {"type": "NodePort", "ports": [{"port": 80}]}}
    try:
        cluster.create(svc)
        made += 1
    except ClusterError as exc:
        assert "range is full" in str(exc), exc
print(made)
"""


@pytest.mark.slow
def test_concurrent_processes_never_share_an_allocation(tmp_path: Path) -> None:
    import subprocess
    import sys

    new_test_cluster(tmp_path, node_port_range="30000-30029").close()
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), name, "20"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("p", "q")]
    made = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        made.append(int(out))
    assert sum(made) == 30  # 40 asked for, 30 ports exist
    from kapply.cluster.sim.home import open_cluster

    services = open_cluster("test", home=tmp_path).list("Service", "default")
    ports = [p["nodePort"] for s in services for p in s["spec"]["ports"] if p.get("nodePort")]
    assert sorted(ports) == list(range(30000, 30030))
    ips = [s["spec"]["clusterIP"] for s in services]
    assert len(ips) == len(set(ips)) == 31


def test_changing_to_external_name_frees_the_cluster_ip(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, service_cidr="10.0.0.0/30")  # one IP besides the kubernetes one
    created = cluster.create(service("a"))
    assert created["spec"]["clusterIP"] == "10.0.0.2"
    alias = cluster.patch("Service", "default", "a", {"spec": {"type": "ExternalName",
                                                              "externalName": "db.example.com"}})
    assert "clusterIP" not in alias["spec"] and "clusterIPs" not in alias["spec"]
    assert "internalTrafficPolicy" not in alias["spec"]
    assert cluster.create(service("b"))["spec"]["clusterIP"] == "10.0.0.2"


def test_deleted_managed_endpoints_come_back(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    cluster.create(deployment("web", 1))
    cluster.create(service("web"))
    cluster.advance_until_idle()
    before = endpoint_ips(cluster, "web")
    cluster.delete("Endpoints", "default", "web")
    cluster.advance_until_idle()
    assert endpoint_ips(cluster, "web") == before and len(before[0]) == 1
