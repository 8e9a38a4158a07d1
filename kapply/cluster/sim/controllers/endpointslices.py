"""The EndpointSlice controller (pkg/controller/endpointslice): discovery.k8s.io/v1 slices next to
the Endpoints of every selecting Service, as newer kubectl reads them (`describe service`).

For a Service with a selector it keeps slices labelled `kubernetes.io/service-name` and
`endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io` (plus the Service's own
labels, and `service.kubernetes.io/headless` for a headless one), owned by the Service (so the
garbage collector deletes them with it), named `<service>-<5 random characters>`. Each endpoint
is one pod: its IP, `conditions` (ready: ready and not terminating; serving: ready; terminating:
being deleted), node and a reference to the pod. Pods whose service ports resolve to the same
numbers share slices of at most 100 endpoints; a Service without pods keeps one empty slice,
as the controller's placeholder. Slices it no longer needs are deleted; an unchanged slice is
never rewritten. The pod-to-Service work-queue keys are the Endpoints controller's.

The `kubernetes` Service's slice is the API server's (`services.make_kubernetes_endpointslice`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, Obj
from kapply.cluster.sim.controllers.endpoints import EndpointsController
from kapply.cluster.sim.helpers.endpointsubsets import (
    endpoint_address,
    endpoint_port,
    endpoints_labels,
    find_port,
    should_be_in_endpoints,
)
from kapply.cluster.sim.helpers.podutil import is_pod_ready
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import from_match_labels

SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER = "endpointslice-controller.k8s.io"
MAX_PER_SLICE = 100  # --max-endpoints-per-slice


def slice_endpoint(service: Obj, pod: Obj) -> Obj:
    """One endpoint of a pod (podToEndpoint)."""
    address = endpoint_address(service, pod)
    ready = bool((service.get("spec") or {}).get("publishNotReadyAddresses")) or is_pod_ready(pod)
    terminating = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
    endpoint: Obj = {
        "addresses": [address["ip"]],
        "conditions": {
            "ready": ready and not terminating,
            "serving": is_pod_ready(pod),
            "terminating": terminating,
        },
    }
    if address.get("hostname"):
        endpoint["hostname"] = address["hostname"]
    if address.get("nodeName"):
        endpoint["nodeName"] = address["nodeName"]
    endpoint["targetRef"] = address["targetRef"]
    return endpoint


def desired_slices(service: Obj, pods: Iterable[Obj]) -> list[tuple[list[Obj], list[Obj]]]:
    """(ports, endpoints) of each slice the Service needs, in a stable order."""
    service_ports = (service.get("spec") or {}).get("ports") or []
    groups: dict[tuple[Any, ...], tuple[list[Obj], list[Obj]]] = {}
    for pod in pods:
        if not should_be_in_endpoints(pod, True):  # terminating pods stay, marked terminating
            continue
        ports = []
        for service_port in service_ports:
            number = find_port(pod, service_port)
            if number is not None:  # a slice's port always has a name, "" for an unnamed one
                ports.append({"name": service_port.get("name", ""), **endpoint_port(service_port, number)})
        key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
        groups.setdefault(key, (ports, []))[1].append(slice_endpoint(service, pod))
    out = []
    for key in sorted(groups):
        ports, endpoints = groups[key]
        endpoints.sort(key=lambda e: (e["addresses"][0], e["targetRef"]["uid"]))
        for start in range(0, len(endpoints), MAX_PER_SLICE):
            out.append((ports, endpoints[start : start + MAX_PER_SLICE]))
    return out or [([], [])]


def slice_labels(service: Obj) -> dict[str, str]:
    labels = endpoints_labels(service)
    labels[SERVICE_NAME] = service["metadata"]["name"]
    labels[MANAGED_BY] = CONTROLLER
    return labels


def _owner(service: Obj) -> Obj:
    meta = service["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _body(endpoint_slice: Obj, ports: list[Obj], endpoints: list[Obj]) -> None:
    endpoint_slice["addressType"] = "IPv4"
    endpoint_slice["endpoints"] = endpoints or None
    endpoint_slice["ports"] = ports or None


class EndpointSliceController(EndpointsController):
    """Same Service and pod keys as the Endpoints controller; different objects kept."""

    name = "endpointslice"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "EndpointSlice":  # a managed slice edited or deleted by hand: put it back
            labels = change.obj["metadata"].get("labels") or {}
            if labels.get(MANAGED_BY) == CONTROLLER and labels.get(SERVICE_NAME):
                return [f"{change.namespace}/{labels[SERVICE_NAME]}"]
            return []
        if change.kind == "Endpoints":
            return []
        return super().watches(change)

    def sync(self, ctx: Context, key: str) -> None:
        if not key.startswith("pods:") and "/" in key:
            namespace, _, name = key.partition("/")
            if ctx.get("Service", namespace, name) is None:
                return  # the garbage collector deletes the slices it owned
        super().sync(ctx, key)

    def sync_service(self, ctx: Context, service: Obj) -> None:
        meta = service["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        mine = from_match_labels({SERVICE_NAME: name, MANAGED_BY: CONTROLLER})
        current = sorted(
            ctx.list("EndpointSlice", namespace, selector=mine), key=lambda s: s["metadata"]["name"]
        )
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            for old in current:
                ctx.delete("EndpointSlice", namespace, old["metadata"]["name"])
            return
        pods = ctx.list("Pod", namespace, selector=from_match_labels(spec["selector"]))
        wanted = desired_slices(service, pods)
        labels = slice_labels(service)
        for index, (ports, endpoints) in enumerate(wanted):
            if index < len(current):
                old = current[index]
                new = deep_copy(old)
                new["metadata"]["labels"] = labels
                _body(new, ports, endpoints)
                if new != old:
                    ctx.update(new)
                continue
            created: Obj = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "generateName": f"{name}-",
                    "namespace": namespace,
                    "labels": labels,
                    "ownerReferences": [_owner(service)],
                },
            }
            _body(created, ports, endpoints)
            ctx.create(created)
        for old in current[len(wanted) :]:
            ctx.delete("EndpointSlice", namespace, old["metadata"]["name"])
