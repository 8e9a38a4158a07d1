"""Service spec rules the API server applies before allocating: defaults and type-dependent fields.

Mirrors SetDefaults_Service (pkg/apis/core/v1/defaults.go), the service REST strategy's
`dropTypeDependentFields` / `patchAllocatedValues` (pkg/registry/core/service/storage) and the
few checks of ValidateService that decide what gets allocated. `services.py` (the admission
plugin) calls these, then allocates ClusterIPs and NodePorts. All functions mutate the given
Service dict in place; none touches the store.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kapply.errors import InvalidError

Obj = dict[str, Any]

TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
NONE = "None"


def go_value(value: Any) -> str:
    """A value as Go's `%#v` prints it in a field error (`30080`, `"x"`, `[]string{"10.0.0.1"}`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[]string{" + ", ".join(json.dumps(str(v)) for v in value) + "}"
    if value is None:
        return "null"
    return str(value)


def invalid(svc: Obj, causes: list[tuple[str, str]]) -> InvalidError:
    """Kubernetes' 422 for a Service: `Service "web" is invalid: <field>: <detail>`."""
    name = svc.get("metadata", {}).get("name", "")
    details = [f"{path}: {detail}" for path, detail in causes]
    body = details[0] if len(details) == 1 else "[" + ", ".join(details) + "]"
    return InvalidError(f'Service "{name}" is invalid: {body}', causes)


def field_invalid(path: str, value: Any, detail: str) -> tuple[str, str]:
    """A field.Invalid cause: (path, `Invalid value: <go value>: <detail>`)."""
    return path, f"Invalid value: {go_value(value)}: {detail}"


def svc_type(svc: Obj) -> str:
    """spec.type, ClusterIP when unset."""
    return str((svc.get("spec") or {}).get("type") or "ClusterIP")


def needs_cluster_ip(svc: Obj) -> bool:
    """Every type but ExternalName has a ClusterIP (possibly None: headless)."""
    return svc_type(svc) != "ExternalName"


def is_headless(svc: Obj) -> bool:
    """clusterIP: None."""
    return (svc.get("spec") or {}).get("clusterIP") == NONE


def needs_node_ports(svc: Obj) -> bool:
    """shouldAllocateNodePorts: NodePort always, LoadBalancer unless allocateLoadBalancerNodePorts=false."""
    t = svc_type(svc)
    if t == "NodePort":
        return True
    return t == "LoadBalancer" and (svc.get("spec") or {}).get("allocateLoadBalancerNodePorts") is not False


def needs_health_check_port(svc: Obj) -> bool:
    """A LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort."""
    spec = svc.get("spec") or {}
    return svc_type(svc) == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def apply_defaults(svc: Obj) -> None:
    """SetDefaults_Service plus the IP-family defaults the registry fills in (single-stack IPv4)."""
    spec = svc.setdefault("spec", {})
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    t = spec["type"]
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "ClientIP":
        client = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        client.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or ():
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if t in ("NodePort", "LoadBalancer") and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if t == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    if t != "ExternalName" and not spec.get("internalTrafficPolicy"):
        spec["internalTrafficPolicy"] = "Cluster"
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    elif spec.get("clusterIPs") and not spec.get("clusterIP"):
        spec["clusterIP"] = spec["clusterIPs"][0]
    if t == "ExternalName":
        return
    if spec.get("clusterIP") == NONE and not spec.get("selector"):
        # headless + selectorless: the registry asks for both families (pkg/registry/core/service)
        spec.setdefault("ipFamilyPolicy", "RequireDualStack")
        families = spec.setdefault("ipFamilies", ["IPv4"])
        if len(families) < 2 and spec["ipFamilyPolicy"] != "SingleStack":
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
        return
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("ipFamilies", ["IPv4"])


def check_spec(svc: Obj) -> None:
    """The checks of ValidateService that allocation depends on; InvalidError in Kubernetes' words."""
    spec = svc.get("spec") or {}
    t = spec.get("type")
    causes: list[tuple[str, str]] = []
    if t not in TYPES:
        supported = ", ".join(json.dumps(v) for v in TYPES)
        causes.append(("spec.type", f"Unsupported value: {go_value(t)}: supported values: {supported}"))
        raise invalid(svc, causes)
    ports = spec.get("ports") or []
    if t == "ExternalName":
        if not spec.get("externalName"):
            causes.append(("spec.externalName", "Required value"))
        if spec.get("clusterIP") or spec.get("clusterIPs"):
            causes.append(("spec.clusterIPs", "Forbidden: may not be set for ExternalName services"))
    else:
        if not ports and spec.get("clusterIP") != NONE:
            causes.append(("spec.ports", "Required value"))
        cluster_ip = spec.get("clusterIP")
        if cluster_ip == NONE and t in ("NodePort", "LoadBalancer"):
            causes.append(field_invalid("spec.clusterIPs[0]", NONE,
                                        f"may not be set to 'None' for {t} services"))
    if t in ("ClusterIP", "ExternalName"):
        for i, port in enumerate(ports):
            if port.get("nodePort"):
                causes.append((f"spec.ports[{i}].nodePort",
                               f"Forbidden: may not be used when `type` is '{t}'"))
    for i, port in enumerate(ports):
        number = port.get("port")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 65535:
            causes.append(field_invalid(f"spec.ports[{i}].port", number,
                                        "must be between 1 and 65535, inclusive"))
    if causes:
        raise invalid(svc, causes)


def _node_ports(svc: Obj) -> list[int]:
    return [p.get("nodePort") or 0 for p in (svc.get("spec") or {}).get("ports") or ()]


def drop_type_dependent_fields(new: Obj, old: Obj) -> None:
    """When the type changes, clear server-assigned values the user merely carried over (strategy.go)."""
    spec, old_spec = new.setdefault("spec", {}), old.get("spec") or {}
    carried_ips = spec.get("clusterIPs") == old_spec.get("clusterIPs") or not spec.get("clusterIPs")
    if needs_cluster_ip(old) and not needs_cluster_ip(new) and carried_ips:
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            spec.pop(key, None)
    if needs_node_ports(old) and not needs_node_ports(new) and _node_ports(new) == _node_ports(old):
        for port in spec.get("ports") or ():
            port.pop("nodePort", None)
    if needs_health_check_port(old) and not needs_health_check_port(new) and \
            spec.get("healthCheckNodePort") == old_spec.get("healthCheckNodePort"):
        spec.pop("healthCheckNodePort", None)
    if svc_type(new) != "LoadBalancer":
        if spec.get("allocateLoadBalancerNodePorts") == old_spec.get("allocateLoadBalancerNodePorts"):
            spec.pop("allocateLoadBalancerNodePorts", None)
        if spec.get("loadBalancerClass") == old_spec.get("loadBalancerClass"):
            spec.pop("loadBalancerClass", None)
    if svc_type(new) == "ExternalName" and \
            spec.get("internalTrafficPolicy") == old_spec.get("internalTrafficPolicy"):
        spec.pop("internalTrafficPolicy", None)
    if svc_type(new) not in ("NodePort", "LoadBalancer") and \
            spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)


def patch_allocated_values(new: Obj, old: Obj) -> None:
    """Keep server-allocated values the user omitted on update (allocation is server-owned)."""
    spec, old_spec = new.setdefault("spec", {}), old.get("spec") or {}
    if needs_cluster_ip(old) and needs_cluster_ip(new):
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
        if not spec.get("clusterIPs") and old_spec.get("clusterIPs"):
            spec["clusterIPs"] = copy.deepcopy(old_spec["clusterIPs"])
    if needs_node_ports(old) and needs_node_ports(new):
        old_ports = old_spec.get("ports") or []
        taken = {p.get("nodePort") for p in spec.get("ports") or () if p.get("nodePort")}
        for port in spec.get("ports") or ():
            if port.get("nodePort"):
                continue
            match = _matching_port(port, old_ports)
            if match and match.get("nodePort") and match["nodePort"] not in taken:
                port["nodePort"] = match["nodePort"]
                taken.add(match["nodePort"])
    if needs_health_check_port(old) and needs_health_check_port(new) and \
            not spec.get("healthCheckNodePort") and old_spec.get("healthCheckNodePort"):
        spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]


def _matching_port(port: Obj, old_ports: list[Obj]) -> Obj | None:
    """The old port a new one continues: same name if named, else same port and protocol."""
    for old in old_ports:
        if port.get("name") and old.get("name") == port.get("name"):
            return old
    for old in old_ports:
        if old.get("port") == port.get("port") and old.get("protocol", "TCP") == port.get("protocol", "TCP"):
            return old
    return None


def check_cluster_ips_unchanged(new: Obj, old: Obj) -> None:
    """validateUpgradeDowngradeClusterIPs: a primary ClusterIP may not change once set."""
    if svc_type(new) == "ExternalName" or svc_type(old) == "ExternalName":
        return
    if is_headless(new) and is_headless(old):
        return
    new_ips = list((new.get("spec") or {}).get("clusterIPs") or [])
    old_ips = list((old.get("spec") or {}).get("clusterIPs") or [])
    causes: list[tuple[str, str]] = []
    if len(new_ips) == len(old_ips):
        for i, ip in enumerate(old_ips):
            if ip != new_ips[i]:
                causes.append(field_invalid(f"spec.clusterIPs[{i}]", new_ips, "may not change once set"))
    elif not new_ips:
        causes.append(field_invalid("spec.clusterIPs[0]", new_ips, "primary clusterIP can not be unset"))
    elif old_ips and old_ips[0] != new_ips[0]:
        causes.append(field_invalid("spec.clusterIPs[0]", new_ips, "may not change once set"))
    if causes:
        raise invalid(new, causes)
