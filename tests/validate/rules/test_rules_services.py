"""Service rules: ports, names, targetPort, nodePort range and type, ExternalName, clusterIP."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def service(*ports: dict[str, Any], **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"selector": {"app": "web"}, "ports": list(ports) or [{"port": 80}]}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": body}


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj) if f.severity == "error"]


def test_the_example_load_balancer_is_valid() -> None:
    assert messages(service({"port": 8080, "targetPort": 3000}, type="LoadBalancer")) == []


@pytest.mark.parametrize(
    ("port", "expected"),
    [(1, []), (65535, []),
     (65536, ["spec.ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive"]),
     (0, ["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"])],
)
def test_port_range(port: int, expected: list[str]) -> None:
    assert messages(service({"port": port})) == expected


@pytest.mark.parametrize(
    ("node_port", "svc_type", "expected"),
    [
        (30000, "NodePort", []),
        (32767, "LoadBalancer", []),
        (29999, "NodePort", ["spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. "  # noqa: E501
                             "The range of valid ports is 30000-32767"]),
        (8080, "NodePort", ["spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. "  # noqa: E501
                            "The range of valid ports is 30000-32767"]),
        (32768, "LoadBalancer", ["spec.ports[0].nodePort: Invalid value: 32768: provided port is not in the valid "  # noqa: E501
                                 "range. The range of valid ports is 30000-32767"]),
        (30080, "ClusterIP", ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),  # noqa: E501
    ],
)
def test_node_ports(node_port: int, svc_type: str, expected: list[str]) -> None:
    assert messages(service({"port": 80, "nodePort": node_port}, type=svc_type)) == expected


def test_port_names_required_when_several_and_unique() -> None:
    assert messages(service({"port": 80}, {"port": 443})) == [
        "spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]
    assert messages(service({"port": 80, "name": "web"}, {"port": 443, "name": "web"})) == [
        'spec.ports[1].name: Duplicate value: "web"']
    assert messages(service({"port": 80, "name": "http"}, {"port": 443, "name": "https"})) == []


def test_duplicate_ports_and_node_ports() -> None:
    assert messages(service({"port": 80, "name": "a", "nodePort": 30001},
                            {"port": 80, "name": "b", "nodePort": 30001}, type="NodePort")) == [
        "spec.ports[1].nodePort: Duplicate value: 30001",
        'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,'  # noqa: E501
        '"NodePort":0}',
    ]
    assert messages(service({"port": 53, "name": "dns"}, {"port": 53, "name": "dns-udp", "protocol": "UDP"})) == []  # noqa: E501


@pytest.mark.parametrize(
    ("target", "expected"),
    [(8080, []), ("http", []),
     (65536, ["spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive"]),
     ("8080", ['spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)'])],
)
def test_target_port(target: Any, expected: list[str]) -> None:
    assert messages(service({"port": 80, "targetPort": target})) == expected


def test_external_name() -> None:
    assert messages(service(type="ExternalName", externalName="db.example.com.", ports=[])) == []
    assert messages(service(type="ExternalName", ports=[])) == ["spec.externalName: Required value"]
    assert [f.rule for f in check(service(type="ExternalName", externalName="Not Valid", ports=[]))] == [
        "external-name"]


def test_cluster_ip_and_headless() -> None:
    assert messages(service(clusterIP="None", ports=[])) == []
    assert messages(service(clusterIP="10.96.0.10")) == []
    assert messages(service(clusterIP="10.96.0")) == [
        'spec.clusterIPs[0]: Invalid value: "10.96.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']  # noqa: E501
    assert messages(service(clusterIP="None", type="NodePort")) == [
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]


def test_ports_required_and_type_supported() -> None:
    assert messages(service(ports=[])) == ["spec.ports: Required value"]
    assert messages(service(type="Internal")) == [
        'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", '  # noqa: E501
        '"NodePort"']


def test_service_name_is_dns1035_and_selector_labels_checked() -> None:
    obj = service(selector={"app": "-bad-"})
    obj["metadata"]["name"] = "1web"
    assert [f.rule for f in check(obj)] == ["name-format", "label-value"]


def test_external_traffic_policy_only_when_reachable() -> None:
    assert messages(service(type="NodePort", externalTrafficPolicy="Local")) == []
    assert messages(service(externalTrafficPolicy="Local")) == [
        'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']  # noqa: E501


@pytest.mark.parametrize(("ip", "ok"), [("10.96.0.10", True), ("010.096.000.010", True), ("::1", True),
                                        ("1.2.3", False), ("1.2.3.256", False), ("fe80::1%eth0", False)])
def test_ip_addresses_are_parsed_sloppily_like_kubernetes(ip: str, ok: bool) -> None:
    assert (messages(service(clusterIP=ip)) == []) is ok
    if not ok:
        assert [f.rule for f in check(service(externalIPs=[ip]))] == ["external-ip"]


def test_external_name_services_have_no_cluster_ip() -> None:
    obj = service(type="ExternalName", externalName="db.example.com", clusterIP="None", ports=[])
    assert messages(obj) == [
        "spec.clusterIPs: Forbidden: may not be set for ExternalName services"]


@pytest.mark.parametrize(
    ("ip", "detail"),
    [
        ("0.0.0.0", "may not be unspecified (0.0.0.0)"),
        ("127.0.0.1", "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
        ("169.254.1.1", "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
        ("224.0.0.5", "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"),
    ],
)
def test_external_ips_may_not_be_special(ip: str, detail: str) -> None:
    assert messages(service(externalIPs=[ip])) == [f'spec.externalIPs[0]: Invalid value: "{ip}": {detail}']


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"clusterIP": "10.096.0.10"},
         'spec.clusterIPs[0]: non-standard IP address "10.096.0.10" will be considered invalid in a future '
         'Kubernetes release: use "10.96.0.10"'),
        ({"externalIPs": ["2001:DB8::1"]},
         'spec.externalIPs[0]: IPv6 address "2001:DB8::1" should be in RFC 5952 canonical format ("2001:db8::1")'),  # noqa: E501
        ({"externalName": "db.example.com"}, 'spec.externalName is ignored when spec.type is not "ExternalName"'),  # noqa: E501
        ({"clusterIP": "None", "sessionAffinity": "ClientIP"},
         "spec.SessionAffinity is ignored for headless services"),
    ],
)
def test_service_warnings(spec: dict[str, Any], expected: str) -> None:
    found = check(service(**spec))
    assert [(str(f), f.severity) for f in found if f.severity == "warning"] == [(expected, "warning")]
