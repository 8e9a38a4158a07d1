"""`describe service | endpoints` pages and kubectl's Endpoints line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, event

from kapply.cli.printers.describe import describe
from kapply.cli.printers.describe.network import format_endpoints

GOLDEN = Path(__file__).parent / "golden"


def _svc() -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "hello-node", "namespace": "default", "labels": {"app": "hello-node"},
                     "uid": "svc-uid"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "hello-node"}, "clusterIP": "10.104.137.152",
                 "clusterIPs": ["10.104.137.152"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                 "ports": [{"port": 8080, "targetPort": 3000, "protocol": "TCP", "nodePort": 31517}],
                 "sessionAffinity": "None", "externalTrafficPolicy": "Cluster",
                 "internalTrafficPolicy": "Cluster", "allocateLoadBalancerNodePorts": True},
        "status": {"loadBalancer": {"ingress": [{"ip": "192.168.49.100", "ipMode": "VIP"}]}},
    }


def _ep(ips: list[str], ports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "hello-node", "namespace": "default"},
            "subsets": [{"addresses": [{"ip": ip} for ip in ips], "notReadyAddresses": [{"ip": "10.244.1.9"}],
                         "ports": ports if ports is not None else [{"port": 3000, "protocol": "TCP"}]}]}


FOUR = ["10.244.0.5", "10.244.1.3", "10.244.2.4", "10.244.0.6"]


def test_load_balancer_service_page() -> None:
    page = describe(_svc(), {"Endpoints": [_ep(FOUR)]}, [], NOW)
    assert page == (GOLDEN / "describe_service.txt").read_text()


def test_endpoints_page() -> None:
    assert describe(_ep(FOUR), {}, [], NOW) == (GOLDEN / "describe_endpoints.txt").read_text()


@pytest.mark.parametrize(("endpoints", "port_name", "expected"), [
    (None, "", "<none>"),
    ({"subsets": []}, "", ""),  # an Endpoints object without ready addresses: blank, like an empty slice
    ({"subsets": [{"notReadyAddresses": [{"ip": "10.244.0.9"}], "ports": [{"port": 80}]}]}, "", ""),
    (_ep(FOUR[:2]), "", "10.244.0.5:3000,10.244.1.3:3000"),
    (_ep(FOUR), "", "10.244.0.5:3000,10.244.1.3:3000,10.244.2.4:3000 + 1 more..."),
    (_ep(FOUR[:1], [{"name": "http", "port": 3000}, {"name": "metrics", "port": 9090}]), "metrics",
     "10.244.0.5:9090"),
    (_ep(FOUR[:2], []), "", "10.244.0.5,10.244.1.3"),  # headless without ports: bare IPs
])
def test_format_endpoints(endpoints: dict[str, Any] | None, port_name: str, expected: str) -> None:
    assert format_endpoints(endpoints, port_name) == expected


def test_external_name_and_cluster_ip_services() -> None:
    svc = _svc()
    svc["spec"] = {"type": "ExternalName", "externalName": "db.example.com", "sessionAffinity": "None"}
    svc["status"] = {}
    page = describe(svc, {}, [], NOW)
    assert "Type:              ExternalName\n" in page
    assert "IP Families:       <none>\n" in page
    assert "IPs:               <none>\n" in page
    assert "External Name:     db.example.com\n" in page
    assert "Port" not in page and "LoadBalancer Ingress" not in page
    plain = _svc()
    plain["spec"].update(type="ClusterIP", ports=[{"name": "http", "port": 80, "targetPort": "http",
                                                   "protocol": "TCP"}])
    del plain["spec"]["externalTrafficPolicy"]
    plain["status"] = {}
    ev = event("Type", "LoadBalancer -> ClusterIP", "service-controller", kind="Service", name="hello-node",
               uid="svc-uid")
    plain["spec"]["loadBalancerIP"] = "192.168.49.110"
    page = describe(plain, {"Endpoints": []}, [ev], NOW)
    assert "Desired LoadBalancer IP:  192.168.49.110\n" in page
    assert ("Port:                     http  80/TCP\nTargetPort:               http/TCP\n"
            "Endpoints:                <none>\n") in page
    assert "NodePort" not in page and "External Traffic Policy" not in page
    assert page.endswith("  Normal  Type    60s   service-controller  LoadBalancer -> ClusterIP\n")
