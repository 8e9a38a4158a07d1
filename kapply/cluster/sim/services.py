"""The Service admission plugin: defaults, ClusterIP and NodePort allocation, as the API server does.

Runs inside the API's write transaction (see `admission.py`), after generic defaulting and before
validation, like the service registry's BeginCreate/BeginUpdate hooks. There is no separate
allocator state: what is allocated is read from the stored Services themselves (clusterIPs,
nodePorts, healthCheckNodePort), under the same SQLite transaction as the write, so a value is
never handed out twice, deleting a Service frees its values, and two kapply processes agree.
10.96.0.1 (the first address of the service CIDR) is held by the `kubernetes` Service in
`default`, made by `make_kubernetes_service()` when a cluster is created.

Load-balancer ingress IPs are not the API server's job: `controllers/loadbalancer.py` assigns them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from kapply.cluster.sim import netalloc, servicespec
from kapply.cluster.sim.servicespec import Obj, field_invalid, invalid
from kapply.errors import ClusterError

KUBERNETES_SERVICE = ("default", "kubernetes")


class _API(Protocol):
    """The part of SimAPI this plugin reads."""

    @property
    def settings(self) -> Any: ...

    def list(self, kind: str, namespace: str | None = None) -> list[Obj]: ...


def make_kubernetes_service(settings: Any) -> Obj:
    """The `kubernetes` Service of namespace `default`, created with the cluster (first ClusterIP)."""
    ip = netalloc.parse_cidr(settings.service_cidr).ip(0)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
            "sessionAffinity": "None",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}],
        },
    }


def make_kubernetes_endpoints(node_ip: str) -> Obj:
    """The API server's own Endpoints for the `kubernetes` Service (it has no selector)."""
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": node_ip}],
                     "ports": [{"name": "https", "port": 8443, "protocol": "TCP"}]}],
    }


class Allocated:
    """ClusterIPs and node ports held by every stored Service except the one being written."""

    def __init__(self, services: Iterable[Obj], skip: tuple[str, str]) -> None:
        self.ips: set[str] = set()
        self.ports: set[int] = set()
        for svc in services:
            meta = svc.get("metadata", {})
            if (meta.get("namespace", ""), meta.get("name", "")) == skip:
                continue
            spec = svc.get("spec") or {}
            self.ips.update(ip for ip in spec.get("clusterIPs") or () if ip and ip != servicespec.NONE)
            if spec.get("clusterIP") and spec["clusterIP"] != servicespec.NONE:
                self.ips.add(spec["clusterIP"])
            self.ports.update(p["nodePort"] for p in spec.get("ports") or () if p.get("nodePort"))
            if spec.get("healthCheckNodePort"):
                self.ports.add(spec["healthCheckNodePort"])


class ServiceAllocator:
    """AdmissionPlugin for Services (see admission.py): defaults, then ClusterIP and NodePorts."""

    kinds: tuple[str, ...] = ("Service",)

    def admit(self, api: _API, op: str, obj: Obj, old: Obj | None) -> None:
        """Default and allocate in place; InvalidError / ClusterError with Kubernetes' messages."""
        servicespec.apply_defaults(obj)
        if op == "UPDATE" and old is not None:
            servicespec.drop_type_dependent_fields(obj, old)
            servicespec.patch_allocated_values(obj, old)
            servicespec.apply_defaults(obj)
        servicespec.check_spec(obj)
        if op == "UPDATE" and old is not None:
            servicespec.check_cluster_ips_unchanged(obj, old)
        settings = api.settings
        meta = obj.get("metadata", {})
        key = (str(meta.get("namespace") or "default"), str(meta.get("name", "")))
        allocated = Allocated(api.list("Service"), skip=key)
        old_spec = (old or {}).get("spec") or {}
        self._allocate_cluster_ip(obj, old_spec, key, settings, allocated)
        self._allocate_node_ports(obj, old_spec, key, settings, allocated)

    def released(self, api: _API, obj: Obj) -> None:
        """Nothing to free: allocations are read from the stored Services, and this one is gone."""

    def _allocate_cluster_ip(self, svc: Obj, old_spec: Obj, key: tuple[str, str], settings: Any,
                             allocated: Allocated) -> None:
        spec = svc["spec"]
        if not servicespec.needs_cluster_ip(svc) or servicespec.is_headless(svc):
            if servicespec.is_headless(svc):
                spec["clusterIPs"] = [servicespec.NONE]
            return
        cidr = netalloc.parse_cidr(settings.service_cidr)
        used = set(allocated.ips)
        if key != KUBERNETES_SERVICE:
            used.add(cidr.ip(0))
        requested = spec.get("clusterIP")
        if requested and requested in (old_spec.get("clusterIPs") or ()):
            return  # already ours
        if requested:
            if not netalloc.is_valid_ip(requested):
                detail = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
                raise invalid(svc, [field_invalid("spec.clusterIPs[0]", requested, detail)])
            try:
                netalloc.claim_ip(requested, cidr, used)
            except netalloc.AllocationError as exc:
                raise invalid(svc, [field_invalid("spec.clusterIPs", spec.get("clusterIPs") or [requested],
                                                  f"failed to allocate IP {requested}: {exc}")]) from None
            ip = requested
        else:
            try:
                ip = netalloc.allocate_ip(f"{settings.seed}/ip/{key[0]}/{key[1]}", cidr, used)
            except netalloc.AllocationError as exc:
                raise ClusterError(f"Internal error occurred: failed to allocate a serviceIP: {exc}") \
                    from None
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]

    def _allocate_node_ports(self, svc: Obj, old_spec: Obj, key: tuple[str, str], settings: Any,
                             allocated: Allocated) -> None:
        """initNodePorts/updateNodePorts: one node port per distinct service port number."""
        spec = svc["spec"]
        ports_range = netalloc.parse_port_range(settings.node_port_range)
        ours = {p.get("nodePort") for p in old_spec.get("ports") or () if p.get("nodePort")}
        if old_spec.get("healthCheckNodePort"):
            ours.add(old_spec["healthCheckNodePort"])
        used = set(allocated.ports)
        auto = servicespec.needs_node_ports(svc)
        by_service_port: dict[int, int] = {}

        def claim(path: str, port: int) -> None:
            if port in ours and port not in used:
                used.add(port)
                return
            try:
                netalloc.claim_port(port, ports_range, used)
            except netalloc.AllocationError as exc:
                raise invalid(svc, [field_invalid(path, port, str(exc))]) from None
            used.add(port)

        def allocate(tag: str) -> int:
            try:
                rng_key = f"{settings.seed}/port/{key[0]}/{key[1]}/{tag}"
                port = netalloc.allocate_port(rng_key, ports_range, used)
            except netalloc.AllocationError as exc:
                raise ClusterError(f"Internal error occurred: failed to allocate a nodePort: {exc}") from None
            used.add(port)
            return port

        ports = spec.get("ports") or []
        for i, port in enumerate(ports):
            requested = port.get("nodePort") or 0
            if not requested and not auto:
                continue
            shared = by_service_port.get(port.get("port", 0))
            if shared and (not requested or requested == shared):
                port["nodePort"] = shared
                continue
            if not requested:
                requested = next((p.get("nodePort") for p in ports[i + 1:]
                                  if p.get("port") == port.get("port") and p.get("nodePort")), 0)
            if requested:
                claim(f"spec.ports[{i}].nodePort", requested)
            else:
                requested = allocate(str(i))
            port["nodePort"] = requested
            by_service_port.setdefault(port.get("port", 0), requested)
        if servicespec.needs_health_check_port(svc):
            if spec.get("healthCheckNodePort"):
                claim("spec.healthCheckNodePort", spec["healthCheckNodePort"])
            else:
                spec["healthCheckNodePort"] = allocate("health")
