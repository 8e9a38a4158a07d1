"""Endpoints subsets from a Service and its pods: the arithmetic of pkg/controller/endpoint.

Pure functions used by `controllers/endpoints.py`: which pods belong in Endpoints
(ShouldPodBeInEndpoints), which port each one serves for each service port (podutil.FindPort:
named targetPorts resolved against the pod's container ports by name and protocol; a pod lacking
the named port is skipped for that port), ready ones in `addresses`, the rest in
`notReadyAddresses`, then packed like endpoints.RepackSubsets: addresses offering the same set of
ports with the same readiness share one subset; addresses sorted by IP then pod UID. Over 1000
addresses the list is truncated as the controller does (`truncate`), ready addresses kept first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

Obj = dict[str, Any]
HEADLESS_LABEL = "service.kubernetes.io/headless"


def should_be_in_endpoints(pod: Obj, include_terminating: bool) -> bool:
    """Not terminal, has an IP, and not being deleted (unless publishNotReadyAddresses)."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return include_terminating or not pod.get("metadata", {}).get("deletionTimestamp")


def find_port(pod: Obj, service_port: Obj) -> int | None:
    """The container port a service port targets on this pod; None when the pod lacks the named port."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    sidecars = [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    for container in [*(spec.get("containers") or ()), *sidecars]:
        for port in container.get("ports") or ():
            if port.get("name") == target and (port.get("protocol") or "TCP") == protocol:
                return int(port["containerPort"])
    return None


def endpoint_address(service: Obj, pod: Obj) -> Obj:
    """podToEndpointAddressForService: IP, node and a reference to the pod (hostname when it applies)."""
    meta, spec, status = pod.get("metadata", {}), pod.get("spec") or {}, pod.get("status") or {}
    ip = status.get("podIP") or ((status.get("podIPs") or [{}])[0].get("ip", ""))
    address: Obj = {"ip": ip}
    svc_meta = service.get("metadata", {})
    if spec.get("hostname") and spec.get("subdomain") == svc_meta.get("name") and \
            meta.get("namespace") == svc_meta.get("namespace"):
        address["hostname"] = spec["hostname"]
    if spec.get("nodeName"):
        address["nodeName"] = spec["nodeName"]
    address["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", ""),
                            "name": meta.get("name", ""), "uid": meta.get("uid", "")}
    return address


def endpoint_port(service_port: Obj, number: int) -> Obj:
    """endpointPortFromServicePort: the service port's name, protocol and appProtocol, the pod's number."""
    port: Obj = {}
    if service_port.get("name"):
        port["name"] = service_port["name"]
    port["port"] = number
    port["protocol"] = service_port.get("protocol") or "TCP"
    if service_port.get("appProtocol"):
        port["appProtocol"] = service_port["appProtocol"]
    return port


_PortKey = tuple[str, int, str, str]
_AddrKey = tuple[str, str]


def compute_subsets(service: Obj, pods: Iterable[Obj], is_ready: Callable[[Obj], bool]) -> list[Obj]:
    """The `subsets` of the Service's Endpoints for these (selector-matching) pods."""
    spec = service.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    service_ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    addresses: dict[_AddrKey, Obj] = {}
    by_port: dict[_PortKey, dict[_AddrKey, bool]] = {}
    ports: dict[_PortKey, Obj] = {}
    for pod in pods:
        if not should_be_in_endpoints(pod, publish):
            continue
        address = endpoint_address(service, pod)
        key = (address["ip"], address["targetRef"]["uid"])
        ready = publish or is_ready(pod)
        offered: list[Obj | None] = []
        if not service_ports:
            if headless:
                offered.append(None)
        else:
            for service_port in service_ports:
                number = find_port(pod, service_port)
                if number is not None:
                    offered.append(endpoint_port(service_port, number))
        for port in offered:
            port_key: _PortKey = ("", -1, "", "") if port is None else (
                port.get("name", ""), port["port"], port["protocol"], port.get("appProtocol", ""))
            if port is not None:
                ports[port_key] = port
            addresses.setdefault(key, address)
            readiness = by_port.setdefault(port_key, {})
            if not readiness.get(key):
                readiness[key] = ready
    groups: dict[tuple[tuple[_AddrKey, bool], ...], list[_PortKey]] = {}
    for port_key, readiness in by_port.items():
        groups.setdefault(tuple(sorted(readiness.items())), []).append(port_key)
    subsets: list[Obj] = []
    for members, port_keys in groups.items():
        subset: Obj = {}
        ready_addrs = [addresses[k] for k, ok in members if ok]
        not_ready = [addresses[k] for k, ok in members if not ok]
        if ready_addrs:
            subset["addresses"] = ready_addrs
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        real_ports = [ports[k] for k in sorted(port_keys) if k[1] >= 0]
        if real_ports:
            subset["ports"] = real_ports
        subsets.append(subset)
    subsets.sort(key=_subset_order)
    return subsets


MAX_CAPACITY = 1000
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"


def truncate(subsets: list[Obj]) -> bool:
    """Keep at most MAX_CAPACITY addresses, ready ones first, each subset its proportional share.

    truncateEndpoints: when the ready addresses alone exceed the capacity, not-ready ones are all
    dropped and the ready ones cut; otherwise only not-ready ones are cut. True if anything was.
    """
    ready, not_ready = address_count(subsets)
    if ready + not_ready <= MAX_CAPACITY:
        return False
    cut_ready = ready > MAX_CAPACITY
    room = MAX_CAPACITY if cut_ready else MAX_CAPACITY - ready
    total = ready if cut_ready else not_ready
    left = room
    for subset in subsets:
        field = "addresses" if cut_ready else "notReadyAddresses"
        share = min(math.ceil(len(subset.get(field) or ()) / total * room), left)
        if subset.get(field):
            subset[field] = subset[field][:share]
            left -= len(subset[field])
            if not subset[field]:
                del subset[field]
        if cut_ready:
            subset.pop("notReadyAddresses", None)
    return True


def _subset_order(subset: Obj) -> tuple[Any, ...]:
    ports = tuple((p.get("name", ""), p["port"], p["protocol"]) for p in subset.get("ports") or ())
    first = (subset.get("addresses") or subset.get("notReadyAddresses") or [{"ip": ""}])[0]["ip"]
    return ports, first


def endpoints_labels(service: Obj) -> dict[str, str]:
    """The Service's labels, plus `service.kubernetes.io/headless` for a headless one."""
    labels = dict(service.get("metadata", {}).get("labels") or {})
    cluster_ip = (service.get("spec") or {}).get("clusterIP")
    if not cluster_ip or cluster_ip == "None":
        labels[HEADLESS_LABEL] = ""
    else:
        labels.pop(HEADLESS_LABEL, None)
    return labels


def address_count(subsets: Iterable[Obj]) -> tuple[int, int]:
    """(ready, not ready) addresses across subsets."""
    ready = not_ready = 0
    for subset in subsets:
        ready += len(subset.get("addresses") or ())
        not_ready += len(subset.get("notReadyAddresses") or ())
    return ready, not_ready
