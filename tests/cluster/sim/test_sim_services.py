"""The Service admission plugin: defaults, ClusterIP/NodePort allocation and Kubernetes' refusals.

Driven through a minimal in-memory API (the plugin only lists Services and reads settings);
scenario tests through the real API live in test_sim_services_scenarios.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.netalloc import parse_cidr
from kapply.cluster.sim.services import ServiceAllocator, make_kubernetes_service
from kapply.cluster.sim.settings import ClusterSettings
from kapply.errors import ClusterError, InvalidError


class FakeAPI:
    def __init__(self, **settings: Any) -> None:
        self.settings = ClusterSettings(**settings)
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.plugin = ServiceAllocator()
        self.write(make_kubernetes_service(self.settings))

    def list(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        assert kind == "Service"
        return [o for (ns, _), o in self.objects.items() if namespace in (None, ns)]

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((namespace, name))

    def write(self, obj: dict[str, Any]) -> dict[str, Any]:
        obj = copy.deepcopy(obj)
        key = (obj["metadata"].get("namespace", "default"), obj["metadata"]["name"])
        old = self.objects.get(key)
        self.plugin.admit(self, "UPDATE" if old else "CREATE", obj, old)
        self.objects[key] = obj
        return obj

    def delete(self, name: str, namespace: str = "default") -> None:
        obj = self.objects.pop((namespace, name))
        self.plugin.released(self, obj)


def svc(name: str, type_: str = "ClusterIP", ports: list[dict[str, Any]] | None = None,
        **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"type": type_, "selector": {"app": name},
                     "ports": ports if ports is not None else [{"port": 80}], **spec}}


def test_clusterip_defaults() -> None:
    out = FakeAPI().write(svc("web", ports=[{"port": 80}]))
    spec = out["spec"]
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert spec["sessionAffinity"] == "None"
    assert spec["ipFamilies"] == ["IPv4"]
    assert spec["ipFamilyPolicy"] == "SingleStack"
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert "externalTrafficPolicy" not in spec
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    first, second, *_ = (int(x) for x in spec["clusterIP"].split("."))
    assert first == 10 and 96 <= second <= 111


def test_type_defaults_to_clusterip_and_client_ip_affinity_gets_timeout() -> None:
    obj = svc("web", sessionAffinity="ClientIP")
    del obj["spec"]["type"]
    spec = FakeAPI().write(obj)["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}


def test_nodeport_and_loadbalancer_defaults() -> None:
    api = FakeAPI()
    np = api.write(svc("a", "NodePort"))["spec"]
    lb = api.write(svc("b", "LoadBalancer"))["spec"]
    assert np["externalTrafficPolicy"] == lb["externalTrafficPolicy"] == "Cluster"
    assert "allocateLoadBalancerNodePorts" not in np
    assert lb["allocateLoadBalancerNodePorts"] is True
    for spec in (np, lb):
        assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
        assert spec["clusterIP"].startswith("10.")
    assert np["ports"][0]["nodePort"] != lb["ports"][0]["nodePort"]


def test_named_target_port_kept() -> None:
    spec = FakeAPI().write(svc("web", ports=[{"name": "http", "port": 80, "targetPort": "http"}]))["spec"]
    assert spec["ports"][0]["targetPort"] == "http"


def test_kubernetes_service_holds_first_ip() -> None:
    api = FakeAPI(service_cidr="10.0.0.0/30")  # 10.0.0.1 (kubernetes), 10.0.0.2
    assert api.objects[("default", "kubernetes")]["spec"]["clusterIP"] == "10.0.0.1"
    assert api.write(svc("a"))["spec"]["clusterIP"] == "10.0.0.2"
    with pytest.raises(ClusterError) as err:
        api.write(svc("b"))
    assert str(err.value) == "Internal error occurred: failed to allocate a serviceIP: range is full"


def test_requested_cluster_ip_honoured() -> None:
    spec = FakeAPI().write(svc("web", clusterIP="10.96.0.10"))["spec"]
    assert spec["clusterIP"] == "10.96.0.10"
    assert spec["clusterIPs"] == ["10.96.0.10"]


@pytest.mark.parametrize(("ip", "message"), [
    ("10.0.0.1", 'Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: '
                 "failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. "
                 "The range of valid IPs is 10.96.0.0/12"),
    ("10.96.0.1", 'Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: '
                  "failed to allocate IP 10.96.0.1: provided IP is already allocated"),
    ("10.96.0.300", 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.300": '
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
])
def test_requested_cluster_ip_refused(ip: str, message: str) -> None:
    with pytest.raises(InvalidError) as err:
        FakeAPI().write(svc("web", clusterIP=ip))
    assert str(err.value) == message


def test_cluster_ip_never_handed_out_twice_and_freed_on_delete() -> None:
    api = FakeAPI(service_cidr="10.0.0.0/29")  # 5 usable besides kubernetes
    ips = {api.write(svc(f"s{i}"))["spec"]["clusterIP"] for i in range(5)}
    assert len(ips) == 5
    with pytest.raises(ClusterError, match="range is full"):
        api.write(svc("extra"))
    freed = api.objects[("default", "s2")]["spec"]["clusterIP"]
    api.delete("s2")
    assert api.write(svc("extra"))["spec"]["clusterIP"] == freed


def test_headless_and_external_name_get_no_ip() -> None:
    api = FakeAPI()
    headless = api.write(svc("db", clusterIP="None"))["spec"]
    assert headless["clusterIP"] == "None" and headless["clusterIPs"] == ["None"]
    ext = api.write({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": "ext", "namespace": "default"},
                     "spec": {"type": "ExternalName", "externalName": "db.example.com"}})["spec"]
    assert "clusterIP" not in ext and "ipFamilies" not in ext and "internalTrafficPolicy" not in ext


def test_headless_selectorless_asks_for_both_families() -> None:
    obj = svc("peers", clusterIP="None")
    del obj["spec"]["selector"]
    spec = FakeAPI().write(obj)["spec"]
    assert spec["ipFamilyPolicy"] == "RequireDualStack"
    assert spec["ipFamilies"] == ["IPv4", "IPv6"]


def test_requested_node_port_honoured_and_collision_refused() -> None:
    api = FakeAPI()
    out = api.write(svc("a", "NodePort", [{"port": 80, "nodePort": 30080}]))
    assert out["spec"]["ports"][0]["nodePort"] == 30080
    with pytest.raises(InvalidError) as err:
        api.write(svc("b", "NodePort", [{"port": 80, "nodePort": 30080}]))
    assert str(err.value) == ('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
                              "provided port is already allocated")


def test_node_port_out_of_range_refused() -> None:
    with pytest.raises(InvalidError) as err:
        FakeAPI().write(svc("a", "NodePort", [{"port": 80}, {"port": 81, "nodePort": 8080}]))
    assert str(err.value) == ('Service "a" is invalid: spec.ports[1].nodePort: Invalid value: 8080: '
                              "provided port is not in the valid range. "
                              "The range of valid ports is 30000-32767")


def test_node_ports_exhausted() -> None:
    api = FakeAPI(node_port_range="30000-30001")
    api.write(svc("a", "NodePort", [{"port": 80}, {"port": 443}]))
    with pytest.raises(ClusterError) as err:
        api.write(svc("b", "NodePort"))
    assert str(err.value) == "Internal error occurred: failed to allocate a nodePort: range is full"
    api.delete("a")
    assert api.write(svc("b", "NodePort"))["spec"]["ports"][0]["nodePort"] in (30000, 30001)


def test_same_port_number_shares_one_node_port() -> None:
    spec = FakeAPI().write(svc("dns", "NodePort", [{"name": "udp", "port": 53, "protocol": "UDP"},
                                                   {"name": "tcp", "port": 53, "protocol": "TCP"}]))["spec"]
    assert spec["ports"][0]["nodePort"] == spec["ports"][1]["nodePort"]


def test_node_port_forbidden_on_clusterip() -> None:
    with pytest.raises(InvalidError) as err:
        FakeAPI().write(svc("a", ports=[{"port": 80, "nodePort": 30080}]))
    assert str(err.value) == ('Service "a" is invalid: spec.ports[0].nodePort: '
                              "Forbidden: may not be used when `type` is 'ClusterIP'")


def test_lb_without_node_ports_and_local_policy_health_port() -> None:
    api = FakeAPI()
    spec = api.write(svc("a", "LoadBalancer", allocateLoadBalancerNodePorts=False))["spec"]
    assert "nodePort" not in spec["ports"][0]
    local = api.write(svc("b", "LoadBalancer", externalTrafficPolicy="Local"))["spec"]
    assert 30000 <= local["healthCheckNodePort"] <= 32767
    assert local["healthCheckNodePort"] != local["ports"][0]["nodePort"]


def test_update_keeps_allocations_the_user_omitted() -> None:
    api = FakeAPI()
    first = api.write(svc("a", "NodePort", [{"name": "http", "port": 80}]))
    again = api.write(svc("a", "NodePort", [{"name": "http", "port": 80, "targetPort": 8080}]))
    assert again["spec"]["clusterIP"] == first["spec"]["clusterIP"]
    assert again["spec"]["ports"][0]["nodePort"] == first["spec"]["ports"][0]["nodePort"]
    assert again["spec"]["ports"][0]["targetPort"] == 8080


def test_update_may_not_change_cluster_ip() -> None:
    api = FakeAPI()
    api.write(svc("a", clusterIP="10.96.0.10"))
    with pytest.raises(InvalidError) as err:
        api.write(svc("a", clusterIP="10.96.0.11"))
    assert str(err.value) == ('Service "a" is invalid: spec.clusterIPs[0]: Invalid value: '
                              '[]string{"10.96.0.11"}: may not change once set')


def test_update_to_clusterip_drops_node_ports_and_frees_them() -> None:
    api = FakeAPI(node_port_range="30000-30000")
    out = api.write(svc("a", "NodePort"))
    back = copy.deepcopy(out)
    back["spec"]["type"] = "ClusterIP"
    back = api.write(back)
    assert "nodePort" not in back["spec"]["ports"][0]
    assert "externalTrafficPolicy" not in back["spec"]
    assert back["spec"]["clusterIP"] == out["spec"]["clusterIP"]
    assert api.write(svc("b", "NodePort"))["spec"]["ports"][0]["nodePort"] == 30000


def test_update_to_external_name_releases_ip() -> None:
    api = FakeAPI(service_cidr="10.0.0.0/30")
    out = api.write(svc("a"))
    ext = copy.deepcopy(out)
    ext["spec"].update(type="ExternalName", externalName="db.example.com")
    ext = api.write(ext)
    assert "clusterIP" not in ext["spec"]
    assert api.write(svc("b"))["spec"]["clusterIP"] == "10.0.0.2"


def test_add_node_port_on_update_is_checked() -> None:
    api = FakeAPI()
    api.write(svc("a", "NodePort", [{"port": 80, "nodePort": 30080}]))
    api.write(svc("b", "NodePort", [{"port": 80}]))
    with pytest.raises(InvalidError, match="provided port is already allocated"):
        api.write(svc("b", "NodePort", [{"port": 80}, {"port": 81, "nodePort": 30080}]))


@pytest.mark.parametrize(("spec", "message"), [
    ({"type": "Foo", "ports": [{"port": 80}]},
     'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", '
     '"LoadBalancer", "NodePort"'),
    ({"type": "ClusterIP", "ports": []}, "spec.ports: Required value"),
    ({"type": "ExternalName"}, "spec.externalName: Required value"),
    ({"type": "ExternalName", "externalName": "db.example.com", "clusterIP": "10.96.0.9"},
     "spec.clusterIPs: Forbidden: may not be set for ExternalName services"),
    ({"type": "NodePort", "clusterIP": "None", "ports": [{"port": 80}]},
     "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
    ({"type": "ClusterIP", "ports": [{"port": 70000}]},
     "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
])
def test_spec_refusals(spec: dict[str, Any], message: str) -> None:
    obj = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "x", "namespace": "default"}, "spec": spec}
    with pytest.raises(InvalidError) as err:
        FakeAPI().write(obj)
    assert str(err.value) == f'Service "x" is invalid: {message}'


def test_write_refused_after_admission_neither_leaks_nor_loses_values() -> None:
    api = FakeAPI()
    api.write(svc("a", "NodePort", [{"port": 80, "nodePort": 30080}]))
    moved = svc("a", "NodePort", [{"port": 80, "nodePort": 30081}])
    api.plugin.admit(api, "UPDATE", moved, api.objects[("default", "a")])  # then refused by validation
    ghost = svc("g", "NodePort", [{"port": 80, "nodePort": 30082}])
    api.plugin.admit(api, "CREATE", ghost, None)  # refused too: never stored
    with pytest.raises(InvalidError, match="provided port is already allocated"):
        api.write(svc("b", "NodePort", [{"port": 80, "nodePort": 30080}]))  # still a's
    for name, port in (("c", 30081), ("d", 30082)):
        created = api.write(svc(name, "NodePort", [{"port": 80, "nodePort": port}]))
        assert created["spec"]["ports"][0]["nodePort"] == port


def test_many_services_in_one_session_get_distinct_values() -> None:
    api = FakeAPI(service_cidr="10.0.0.0/24", node_port_range="30000-30299")
    specs = [api.write(svc(f"s{i}", "NodePort"))["spec"] for i in range(150)]
    assert len({s["clusterIP"] for s in specs}) == 150
    assert len({s["ports"][0]["nodePort"] for s in specs}) == 150
    for i in range(0, 150, 2):
        api.delete(f"s{i}")
    again = [api.write(svc(f"t{i}", "NodePort"))["spec"] for i in range(75)]
    held = {s["clusterIP"] for s in specs[1::2]} | {s["clusterIP"] for s in again}
    assert len(held) == 150


# ---- property: no collisions, whatever the sequence of writes ------------------------------------

NAMES = [f"s{i}" for i in range(8)]
op = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(NAMES),
              st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]),
              st.one_of(st.none(), st.integers(30000, 30007)), st.one_of(st.none(), st.integers(2, 8))),
    st.tuples(st.just("delete"), st.sampled_from(NAMES)),
    st.tuples(st.just("retype"), st.sampled_from(NAMES),
              st.sampled_from(["ClusterIP", "NodePort", "ExternalName"])),
)


def _held(api: FakeAPI) -> tuple[list[str], list[int]]:
    ips, ports = [], []
    for obj in api.objects.values():
        spec = obj["spec"]
        if spec.get("clusterIP") and spec["clusterIP"] != "None":
            ips.append(spec["clusterIP"])
        ports += [p["nodePort"] for p in spec.get("ports") or () if p.get("nodePort")]
    return ips, ports


@settings(max_examples=150, deadline=None)
@given(st.lists(op, max_size=40))
def test_allocations_never_collide(ops: list[tuple[Any, ...]]) -> None:
    api = FakeAPI(service_cidr="10.0.0.0/28", node_port_range="30000-30007")  # 14 IPs, 8 ports
    cidr = parse_cidr("10.0.0.0/28")
    for step in ops:
        if step[0] == "create":
            _, name, type_, node_port, ip_last = step
            if ("default", name) in api.objects:
                continue
            port: dict[str, Any] = {"port": 80}
            if node_port and type_ != "ClusterIP":
                port["nodePort"] = node_port
            extra = {"clusterIP": f"10.0.0.{ip_last}"} if ip_last else {}
            ips, ports = _held(api)
            try:
                api.write(svc(name, type_, [port], **extra))
            except InvalidError as exc:
                text = str(exc)
                assert "already allocated" in text, text
                assert node_port in ports or extra.get("clusterIP") in ips
            except ClusterError as exc:
                assert "range is full" in str(exc)
                assert len(ports) == 8 or len(ips) == cidr.size
        elif step[0] == "delete":
            if ("default", step[1]) in api.objects:
                api.delete(step[1])
        else:
            current = api.objects.get(("default", step[1]))
            if current is None:
                continue
            changed = copy.deepcopy(current)
            changed["spec"]["type"] = step[2]
            if step[2] == "ExternalName":
                changed["spec"]["externalName"] = "example.com"
            try:
                api.write(changed)
            except ClusterError as exc:
                ips, ports = _held(api)
                assert "range is full" in str(exc), exc
                assert len(ports) == 8 or len(ips) == cidr.size
        ips, ports = _held(api)
        assert len(ips) == len(set(ips)) and all(cidr.contains(ip) for ip in ips)
        assert len(ports) == len(set(ports)) and all(30000 <= p <= 30007 for p in ports)
