"""The Service admission plugin: defaults, ClusterIP and NodePort allocation, as the API server does.

Runs inside the API's write transaction (see `admission.py`), after generic defaulting and before
validation, like the service registry's BeginCreate/BeginUpdate hooks. There is no persisted
allocator bitmap: what is allocated is what the stored Services hold (clusterIPs, nodePorts,
healthCheckNodePort), read once per session (one SQLite transaction) into a `Ledger` that this
plugin keeps current, so a value is never handed out twice, deleting a Service frees its values,
and two kapply processes agree (each session starts from the committed state).
10.96.0.1 (the first address of the service CIDR) is held by the `kubernetes` Service in
`default`, made by `make_kubernetes_service()` when a cluster is created.

Load-balancer ingress IPs are not the API server's job: `controllers/loadbalancer.py` assigns them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable
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

    def get(self, kind: str, namespace: str, name: str) -> Obj | None: ...


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


def make_kubernetes_endpointslice(node_ip: str) -> Obj:
    """The API server's own EndpointSlice for the `kubernetes` Service, beside its Endpoints."""
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [node_ip], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": 8443, "protocol": "TCP"}],
    }


Key = tuple[str, str]


def held_values(svc: Obj) -> tuple[frozenset[str], frozenset[int]]:
    """The ClusterIPs and node ports (nodePorts, healthCheckNodePort) a stored Service holds."""
    spec = svc.get("spec") or {}
    listed = [*(spec.get("clusterIPs") or ()), spec.get("clusterIP")]
    ips = {ip for ip in listed if ip and ip != servicespec.NONE}
    ports = {p["nodePort"] for p in spec.get("ports") or () if p.get("nodePort")}
    if spec.get("healthCheckNodePort"):
        ports.add(spec["healthCheckNodePort"])
    return frozenset(ips), frozenset(ports)


class _TakenByOthers:
    """`value in taken`: held by some Service other than `key` (a view, no copy)."""

    def __init__(self, counts: Counter[Any], own: frozenset[Any]) -> None:
        self._counts = counts
        self._own = own

    def __contains__(self, value: object) -> bool:
        return self._counts.get(value, 0) > (1 if value in self._own else 0)


class _Either:
    """`value in either`: in any of the given containers."""

    def __init__(self, *parts: Container[Any]) -> None:
        self._parts = parts

    def __contains__(self, value: object) -> bool:
        return any(value in part for part in self._parts)


class Ledger:
    """Who holds which ClusterIPs and node ports: read once per API session from the stored Services,
    then kept current by the plugin's own admissions and releases, so a create costs O(1), not a
    scan of every Service."""

    def __init__(self, services: Iterable[Obj]) -> None:
        self._ips: Counter[str] = Counter()
        self._ports: Counter[int] = Counter()
        self._held: dict[Key, tuple[frozenset[str], frozenset[int]]] = {}
        for svc in services:
            meta = svc.get("metadata", {})
            self.hold((meta.get("namespace", ""), meta.get("name", "")), *held_values(svc))

    def hold(self, key: Key, ips: frozenset[str], ports: frozenset[int], keep: bool = False) -> None:
        """Record what `key` holds (`keep`: in addition to what it held)."""
        old_ips, old_ports = self._held.get(key, (frozenset(), frozenset()))
        if keep:
            ips, ports = ips | old_ips, ports | old_ports
        self._ips.subtract(old_ips - ips)
        self._ports.subtract(old_ports - ports)
        self._ips.update(ips - old_ips)
        self._ports.update(ports - old_ports)
        self._held[key] = (ips, ports)
        if not ips and not ports:
            del self._held[key]

    def release(self, key: Key) -> None:
        """`key` holds nothing any more (deleted)."""
        self.hold(key, frozenset(), frozenset())

    def ips_of_others(self, key: Key) -> _TakenByOthers:
        """ClusterIPs held by Services other than `key`."""
        return _TakenByOthers(self._ips, self._held.get(key, (frozenset(), frozenset()))[0])

    def ports_of_others(self, key: Key) -> _TakenByOthers:
        """Node ports held by Services other than `key`."""
        return _TakenByOthers(self._ports, self._held.get(key, (frozenset(), frozenset()))[1])


class ServiceAllocator:
    """AdmissionPlugin for Services (see admission.py): defaults, then ClusterIP and NodePorts."""

    kinds: tuple[str, ...] = ("Service",)

    def __init__(self) -> None:
        self._ledger: Ledger | None = None
        self._ledger_api: object = None
        self._admitted: Key | None = None  # last admitted write: committed or refused after us?

    def _ledger_for(self, api: _API) -> Ledger:
        """The session's ledger, with the last admitted write settled against what was stored."""
        if self._ledger is None or self._ledger_api is not api:
            self._ledger = Ledger(api.list("Service"))
            self._ledger_api = api
        elif self._admitted is not None:
            stored = api.get("Service", *self._admitted)
            if stored is None:
                self._ledger.release(self._admitted)
            else:
                self._ledger.hold(self._admitted, *held_values(stored))
        self._admitted = None
        return self._ledger

    def admit(self, api: _API, op: str, obj: Obj, old: Obj | None) -> None:
        """Default and allocate in place; InvalidError / ClusterError with Kubernetes' messages."""
        servicespec.apply_defaults(obj)
        if op == "CREATE":
            obj.setdefault("status", {}).setdefault("loadBalancer", {})  # a struct: always serialised
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
        ledger = self._ledger_for(api)
        old_spec = (old or {}).get("spec") or {}
        self._allocate_cluster_ip(obj, old_spec, key, settings, ledger.ips_of_others(key))
        self._allocate_node_ports(obj, old_spec, key, settings, ledger.ports_of_others(key))
        ledger.hold(key, *held_values(obj), keep=True)  # old and new until the write is settled
        self._admitted = key

    def released(self, api: _API, obj: Obj) -> None:
        """A deleted Service's ClusterIP and node ports are free again."""
        meta = obj.get("metadata", {})
        self._ledger_for(api).release((str(meta.get("namespace", "")), str(meta.get("name", ""))))

    def _allocate_cluster_ip(self, svc: Obj, old_spec: Obj, key: Key, settings: Any,
                             taken: _TakenByOthers) -> None:
        spec = svc["spec"]
        if not servicespec.needs_cluster_ip(svc) or servicespec.is_headless(svc):
            if servicespec.is_headless(svc):
                spec["clusterIPs"] = [servicespec.NONE]
            return
        cidr = netalloc.parse_cidr(settings.service_cidr)
        reserved = {cidr.ip(0)} if key != KUBERNETES_SERVICE else set()
        used = _Either(taken, reserved)
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

    def _allocate_node_ports(self, svc: Obj, old_spec: Obj, key: Key, settings: Any,
                             taken: _TakenByOthers) -> None:
        """initNodePorts/updateNodePorts: one node port per distinct service port number."""
        spec = svc["spec"]
        ports_range = netalloc.parse_port_range(settings.node_port_range)
        ours = {p.get("nodePort") for p in old_spec.get("ports") or () if p.get("nodePort")}
        if old_spec.get("healthCheckNodePort"):
            ours.add(old_spec["healthCheckNodePort"])
        mine: set[int] = set()  # taken by this Service's earlier ports
        used = _Either(taken, mine)
        auto = servicespec.needs_node_ports(svc)
        by_service_port: dict[int, int] = {}

        def claim(path: str, port: int) -> None:
            if port in ours and port not in mine:
                mine.add(port)
                return
            try:
                netalloc.claim_port(port, ports_range, used)
            except netalloc.AllocationError as exc:
                raise invalid(svc, [field_invalid(path, port, str(exc))]) from None
            mine.add(port)

        def allocate(tag: str) -> int:
            try:
                rng_key = f"{settings.seed}/port/{key[0]}/{key[1]}/{tag}"
                port = netalloc.allocate_port(rng_key, ports_range, used)
            except netalloc.AllocationError as exc:
                raise ClusterError(f"Internal error occurred: failed to allocate a nodePort: {exc}") from None
            mine.add(port)
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
