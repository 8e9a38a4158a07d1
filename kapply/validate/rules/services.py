"""Service rules: ports, names, targetPort, nodePort range and type, ExternalName, selector, clusterIP.

Mirrors core ValidateService after the v1 defaults (type ClusterIP, protocol TCP, targetPort := port,
sessionAffinity None). The nodePort range error comes from the API server's port allocator, which
runs right after validation on create; its message is reproduced with the default range.
"""

from __future__ import annotations

from typing import Any

from kapply.model.shapes import sequence
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.containers import PROTOCOLS, check_port_num_or_name
from kapply.validate.rules.findings import Errors, Finding, Path
from kapply.validate.rules.metadata import check_labels

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
NODE_PORT_RANGE = (30000, 32767)
_AFFINITIES = ("ClientIP", "None")
_TRAFFIC_POLICIES = ("Cluster", "Local")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_service(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateService (after v1 defaults), then the warnings the API server returns."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = {}
    _check_spec(spec, errs)
    service_warnings(obj, spec, errs)


def _check_spec(spec: dict[str, Any], errs: Errors) -> None:
    path: Path = ("spec",)
    svc_type = spec.get("type") or "ClusterIP"
    ports = sequence(spec, "ports")
    cluster_ip = spec.get("clusterIP")
    headless = cluster_ip == "None"
    if not ports and not headless and svc_type != "ExternalName":
        errs.required((*path, "ports"), "", "service-ports-required")
    if svc_type in ("LoadBalancer", "NodePort") and headless:
        errs.invalid(
            (*path, "clusterIPs", 0),
            "None",
            f"may not be set to 'None' for {svc_type} services",
            "cluster-ip",
        )
    elif svc_type == "ExternalName":
        _check_external_name(spec, path, errs)
    names: set[str] = set()
    for i, port in enumerate(ports):
        if isinstance(port, dict):
            _check_port(port, len(ports) > 1, names, (*path, "ports", i), errs)
    selector = spec.get("selector")
    if selector is not None:
        check_labels(selector, (*path, "selector"), errs)
    affinity = spec.get("sessionAffinity")
    if isinstance(affinity, str) and affinity and affinity not in _AFFINITIES:
        errs.unsupported((*path, "sessionAffinity"), affinity, _AFFINITIES, "session-affinity")
    if svc_type != "ExternalName" and isinstance(cluster_ip, str) and cluster_ip not in ("", "None"):
        _check_ip(cluster_ip, (*path, "clusterIPs", 0), errs, "cluster-ip")
    external_ips = spec.get("externalIPs")
    for i, ip in enumerate(external_ips if isinstance(external_ips, list) else ()):
        if isinstance(ip, str):
            if fmt.is_ip_sloppy(ip):
                msgs = fmt.non_special_ip_errors(ip)
                if msgs:
                    errs.invalid_each((*path, "externalIPs", i), ip, msgs, "external-ip")
            else:
                _check_ip(ip, (*path, "externalIPs", i), errs, "external-ip")
    if not isinstance(svc_type, str) or svc_type not in SERVICE_TYPES:
        errs.unsupported((*path, "type"), svc_type, SERVICE_TYPES, "service-type")
        return
    _check_node_ports(ports, svc_type, path, errs)
    _check_duplicate_ports(ports, path, errs)
    external = svc_type in ("LoadBalancer", "NodePort") or (
        svc_type == "ClusterIP" and spec.get("externalIPs")
    )
    policy = spec.get("externalTrafficPolicy")
    if isinstance(policy, str) and policy:
        if not external:
            errs.invalid(
                (*path, "externalTrafficPolicy"),
                policy,
                "may only be set for externally-accessible services",
                "external-traffic-policy",
            )
        elif policy not in _TRAFFIC_POLICIES:
            errs.unsupported(
                (*path, "externalTrafficPolicy"), policy, _TRAFFIC_POLICIES, "external-traffic-policy"
            )


def _check_external_name(spec: dict[str, Any], path: Path, errs: Errors) -> None:
    cluster_ip = spec.get("clusterIP")
    if (isinstance(cluster_ip, str) and cluster_ip) or spec.get("clusterIPs"):
        errs.forbidden((*path, "clusterIPs"), "may not be set for ExternalName services", "cluster-ip")
    if spec.get("ipFamilies"):
        errs.forbidden((*path, "ipFamilies"), "may not be set for ExternalName services", "cluster-ip")
    if spec.get("ipFamilyPolicy") is not None:
        errs.forbidden((*path, "ipFamilyPolicy"), "may not be set for ExternalName services", "cluster-ip")
    cname = spec.get("externalName")
    cname = cname[:-1] if isinstance(cname, str) and cname.endswith(".") else cname
    if isinstance(cname, str) and cname:
        msgs = fmt.is_dns1123_subdomain(cname)
        if msgs:
            errs.invalid_each((*path, "externalName"), cname, msgs, "external-name")
    elif cname is None or cname == "":
        errs.required((*path, "externalName"), "", "external-name")


def _check_port(port: dict[str, Any], require_name: bool, names: set[str], path: Path, errs: Errors) -> None:
    name = port.get("name")
    if require_name and (name is None or name == ""):
        errs.required((*path, "name"), "", "service-port-name")
    elif isinstance(name, str) and name:
        msgs = fmt.is_dns1123_label(name)
        if msgs:
            errs.invalid_each((*path, "name"), name, msgs, "service-port-name")
        if name in names:
            errs.duplicate((*path, "name"), name, "service-port-name-duplicate")
        else:
            names.add(name)
    number = _int(port.get("port"))
    if number is not None:
        msgs = fmt.is_valid_port_num(number)
        if msgs:
            errs.invalid_each((*path, "port"), number, msgs, "port-range")
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol and protocol not in PROTOCOLS:
        errs.unsupported((*path, "protocol"), protocol, PROTOCOLS, "port-protocol")
    target = port.get("targetPort")
    if target not in (None, 0, ""):
        check_port_num_or_name(target, (*path, "targetPort"), errs, "target-port")
    app_protocol = port.get("appProtocol")
    if isinstance(app_protocol, str):
        msgs = fmt.is_qualified_name(app_protocol)
        if msgs:
            errs.invalid_each((*path, "appProtocol"), app_protocol, msgs, "app-protocol")


def _check_node_ports(ports: list[Any], svc_type: str, path: Path, errs: Errors) -> None:
    seen: set[tuple[str, int]] = set()
    lo, hi = NODE_PORT_RANGE
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        node_port = _int(port.get("nodePort"))
        if not node_port:
            continue
        p = (*path, "ports", i, "nodePort")
        if svc_type == "ClusterIP":
            errs.forbidden(p, "may not be used when `type` is 'ClusterIP'", "node-port-forbidden")
            continue
        key = (str(port.get("protocol") or "TCP"), node_port)
        if key in seen:
            errs.duplicate(p, node_port, "node-port-duplicate")
        seen.add(key)
        if svc_type in ("NodePort", "LoadBalancer") and not lo <= node_port <= hi:
            errs.invalid(
                p,
                node_port,
                f"provided port is not in the valid range. The range of valid ports is {lo}-{hi}",
                "node-port-range",
            )


def _check_duplicate_ports(ports: list[Any], path: Path, errs: Errors) -> None:
    seen: set[tuple[str, Any]] = set()
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        protocol = str(port.get("protocol") or "TCP")
        key = (protocol, port.get("port"))
        if key in seen:
            # core.ServicePort{Protocol, Port} as json.Marshal prints an internal struct
            value = {
                "Name": "",
                "Protocol": protocol,
                "AppProtocol": None,
                "Port": port.get("port"),
                "TargetPort": 0,
                "NodePort": 0,
            }
            errs.duplicate((*path, "ports", i), value, "service-port-duplicate")
        seen.add(key)


def _check_ip(value: str, path: Path, errs: Errors, rule: str) -> None:
    if not fmt.is_ip_sloppy(value):
        errs.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)", rule)


_TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints"


def service_warnings(obj: dict[str, Any], spec: dict[str, Any], errs: Errors) -> None:
    """GetWarningsForService: accepted, but the API server answers with warnings."""
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if isinstance(annotations, dict) and _TOPOLOGY_HINTS in annotations:
        _warn(
            errs,
            (),
            f"annotation {_TOPOLOGY_HINTS} is deprecated, please use "
            "service.kubernetes.io/topology-mode instead",
        )
    svc_type = spec.get("type") or "ClusterIP"
    cluster_ip = spec.get("clusterIP")
    if isinstance(cluster_ip, str) and cluster_ip not in ("", "None"):
        _ip_warning(cluster_ip, ("spec", "clusterIPs", 0), errs)
    external_ips = sequence(spec, "externalIPs")
    if svc_type == "ClusterIP" and cluster_ip == "None":
        if spec.get("loadBalancerIP"):
            _warn(errs, (), "spec.loadBalancerIP is ignored for headless services")
        if external_ips:
            _warn(errs, (), "spec.externalIPs is ignored for headless services")
        if spec.get("sessionAffinity") not in (None, "", "None"):
            _warn(errs, (), "spec.SessionAffinity is ignored for headless services")
    for i, ip in enumerate(external_ips):
        if isinstance(ip, str):
            _ip_warning(ip, ("spec", "externalIPs", i), errs)
    lb_ip = spec.get("loadBalancerIP")
    if isinstance(lb_ip, str) and lb_ip:
        _ip_warning(lb_ip, ("spec", "loadBalancerIP"), errs)
    if svc_type == "ExternalName" and external_ips:
        _warn(errs, (), 'spec.externalIPs is ignored when spec.type is "ExternalName"')
    if svc_type != "ExternalName" and spec.get("externalName"):
        _warn(errs, (), 'spec.externalName is ignored when spec.type is not "ExternalName"')


def _warn(errs: Errors, path: Path, text: str) -> None:
    errs.items.append(Finding(path, "", "", text, "deprecation", "warning"))


def _ip_warning(value: str, path: Path, errs: Errors) -> None:
    text = fmt.ip_warnings(value)
    if text is not None:
        _warn(errs, path, text)
