"""`kapply service url`: URLs as minikube prints them and the pods behind a Service."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cli.commands.services import backing_pods, describe_backing, node_ip, service_urls


def node(name: str, ip: str, ready: bool = True, control_plane: bool = False) -> dict[str, Any]:
    labels = {"node-role.kubernetes.io/control-plane": ""} if control_plane else {}
    return {"metadata": {"name": name, "labels": labels},
            "status": {"addresses": [{"type": "InternalIP", "address": ip},
                                     {"type": "Hostname", "address": name}],
                       "conditions": [{"type": "Ready", "status": "True" if ready else "Unknown"}]}}


def svc(type_: str, ports: list[dict[str, Any]], cluster_ip: str = "10.96.1.2", ingress: str | None = None,
        **spec: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"metadata": {"name": "web", "namespace": "default"},
                           "spec": {"type": type_, "clusterIP": cluster_ip, "ports": ports,
                                    "selector": {"app": "web"}, **spec}}
    if ingress:
        obj["status"] = {"loadBalancer": {"ingress": [{"ip": ingress, "ipMode": "VIP"}]}}
    return obj


def test_node_ip_prefers_ready_node_then_name() -> None:
    down = node("minikube", "192.168.49.2", ready=False, control_plane=True)
    assert node_ip([node("minikube-m02", "192.168.49.3"), down]) == "192.168.49.3"
    up = node("minikube", "192.168.49.2", control_plane=True)
    assert node_ip([node("a-m02", "192.168.49.3"), up]) == "192.168.49.2"
    assert node_ip([node("b", "192.168.49.3"), node("a", "192.168.49.2")]) == "192.168.49.2"
    assert node_ip([]) is None


@pytest.mark.parametrize(("service", "urls", "note"), [
    (svc("NodePort", [{"port": 80, "nodePort": 31234}]), ["http://192.168.49.2:31234"], None),
    (svc("LoadBalancer", [{"port": 8080, "nodePort": 31000}], ingress="192.168.49.100"),
     ["http://192.168.49.100:8080"], None),
    (svc("LoadBalancer", [{"port": 8080, "nodePort": 31000}]), ["http://192.168.49.2:31000"], "<pending>"),
    (svc("ClusterIP", [{"port": 80}, {"port": 443}]), ["http://10.96.1.2:80", "http://10.96.1.2:443"],
     "only from inside the cluster"),
    (svc("ClusterIP", [{"port": 80}], cluster_ip="None"), [], "headless"),
    ({"metadata": {"name": "db"}, "spec": {"type": "ExternalName", "externalName": "db.example.com"}},
     ["db.example.com"], "ExternalName"),
])
def test_service_urls(service: dict[str, Any], urls: list[str], note: str | None) -> None:
    got, got_note = service_urls(service, "192.168.49.2")
    assert got == urls
    if note is None:
        assert got_note is None
    else:
        assert got_note is not None and note in got_note


def _address(name: str, ip: str, node_name: str) -> dict[str, Any]:
    return {"ip": ip, "nodeName": node_name,
            "targetRef": {"kind": "Pod", "name": name, "namespace": "default"}}


def test_backing_pods_from_endpoints() -> None:
    endpoints = {"subsets": [
        {"addresses": [_address("web-b", "10.244.1.2", "m02")],
         "notReadyAddresses": [_address("web-a", "10.244.0.3", "minikube")], "ports": [{"port": 80}]},
        {"addresses": [_address("web-b", "10.244.1.2", "m02")], "ports": [{"port": 9100}]},
    ]}
    assert backing_pods(endpoints) == [("web-a", "10.244.0.3", "minikube", False),
                                       ("web-b", "10.244.1.2", "m02", True)]
    text = describe_backing(svc("NodePort", []), endpoints)
    assert text.splitlines() == [
        "1/2 backing pods ready:",
        "POD     IP           NODE       READY",
        "web-a   10.244.0.3   minikube   false",
        "web-b   10.244.1.2   m02        true",
    ]


def test_nothing_backing() -> None:
    assert describe_backing(svc("ClusterIP", [{"port": 80}]), None) == 'no pods back service "web" yet'
    selectorless = svc("ClusterIP", [{"port": 80}])
    del selectorless["spec"]["selector"]
    assert "no selector" in describe_backing(selectorless, None)
