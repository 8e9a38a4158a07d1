"""The embedded cluster's metrics-server: simulated resource use, served as metrics.k8s.io objects.

Nothing is measured. `kapply load set KIND/NAME --cpu 400m --memory 256Mi` records (in the
cluster settings) what each pod of a workload uses; a pod takes the load of the nearest
object in its controller chain (the pod itself, its ReplicaSet, the ReplicaSet's Deployment),
and a pod without one idles at `IDLE_CPU` / `IDLE_MEMORY`. With `--total` the figure is the
workload's, shared by its ready pods (a Service spreading requests), so scaling out lowers
each pod's share. A pod's use is split over its containers in proportion to their requests,
and CPU never exceeds a container's limit (the kernel throttles it).

As metrics-server, a pod has metrics once every container has been running for one scrape
window (`metrics_resolution`, 15 s) on a Ready node; a node has metrics while it is Ready, its
usage the sum of its pods'. Objects come out as metrics.k8s.io/v1beta1 `PodMetrics` and
`NodeMetrics` (CPU in nanocores, memory in Ki), what `kubectl top` and the autoscaler read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kapply.cluster.sim.clock import parse_rfc3339, rfc3339
from kapply.errors import KapplyError, UsageError
from kapply.model.quantity import QuantityError, parse_quantity
from kapply.model.selectors import Selector

Obj = dict[str, Any]
IDLE_CPU = 1  # millicores a pod uses without a load setting
IDLE_MEMORY = 8 * 1024 * 1024  # bytes
METRICS_API = "metrics.k8s.io/v1beta1"
RESOURCES = ("cpu", "memory")


@dataclass(frozen=True)
class Load:
    """What a workload's pods use: millicores and bytes, each per pod or for the whole workload."""

    cpu: int | None = None
    memory: int | None = None
    total: bool = False

    def to_setting(self) -> dict[str, Any]:
        out: dict[str, Any] = {"total": self.total}
        if self.cpu is not None:
            out["cpu"] = f"{self.cpu}m"
        if self.memory is not None:
            out["memory"] = str(self.memory)
        return out

    @classmethod
    def from_setting(cls, data: Mapping[str, Any]) -> Load:
        cpu, memory = data.get("cpu"), data.get("memory")
        return cls(_amount(cpu, 1000) if cpu is not None else None,
                   _amount(memory, 1) if memory is not None else None, bool(data.get("total")))


def _amount(value: Any, scale: int) -> int:
    amount = parse_quantity(value) * scale
    return -((-amount.numerator) // amount.denominator)


def parse_load(cpu: str | None, memory: str | None, total: bool) -> Load:
    """The `load set` flags as a Load; UsageError naming the flag for a bad quantity."""
    if cpu is None and memory is None:
        raise UsageError("give --cpu, --memory or both (e.g. --cpu 400m --memory 256Mi)")
    values: dict[str, int | None] = {"cpu": None, "memory": None}
    for flag, text, scale in (("cpu", cpu, 1000), ("memory", memory, 1)):
        if text is None:
            continue
        try:
            amount = _amount(text, scale)
        except QuantityError as exc:
            raise UsageError(f"invalid --{flag} {text!r}: {exc}") from None
        if amount < 0:
            raise UsageError(f"invalid --{flag} {text!r}: must not be negative")
        values[flag] = amount
    return Load(values["cpu"], values["memory"], total)


def load_key(kind: str, namespace: str, name: str) -> str:
    """The settings key of a workload's load: `Deployment/default/web`."""
    return f"{kind}/{namespace}/{name}"


# ---- which pods use what ------------------------------------------------------------------------

class Reader(Protocol):
    """What the metrics need to read: the API or a controller's context."""

    def get(self, kind: str, namespace: str, name: str) -> Obj | None: ...

    def list(self, kind: str, namespace: str | None = None, selector: Selector | None = None,
             node: str | None = None, owner_uid: str | None = None) -> list[Obj]: ...


def _get(reader: Reader, kind: str, namespace: str, name: str) -> Obj | None:
    try:
        return reader.get(kind, namespace, name)
    except KapplyError:  # an owner of a kind this cluster does not serve
        return None


def _controller(obj: Obj) -> tuple[str, str] | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return str(ref.get("kind", "")), str(ref.get("name", ""))
    return None


def load_owner(pod: Obj, loads: Mapping[str, Any], reader: Reader) -> str | None:
    """The key of the nearest object in the pod's controller chain that has a load, if any."""
    meta = pod.get("metadata") or {}
    namespace = str(meta.get("namespace", ""))
    kind, name, obj = "Pod", str(meta.get("name", "")), pod
    for _ in range(8):  # pod -> ReplicaSet -> Deployment, with room for deeper custom chains
        key = load_key(kind, namespace, name)
        if key in loads:
            return key
        owner = _controller(obj)
        if owner is None:
            return None
        kind, name = owner
        found = _get(reader, kind, namespace, name)
        if found is None:
            return load_key(kind, namespace, name) if load_key(kind, namespace, name) in loads else None
        obj = found
    return None


def _running_since(pod: Obj) -> float | None:
    """When the last of the pod's containers started, if all of them are running."""
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    containers = (pod.get("spec") or {}).get("containers") or ()
    if not statuses or len(statuses) < len(containers):
        return None
    latest = 0.0
    for cs in statuses:
        running = (cs.get("state") or {}).get("running")
        if not isinstance(running, dict) or not running.get("startedAt"):
            return None
        latest = max(latest, parse_rfc3339(str(running["startedAt"])))
    return latest


def _ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


def _node_ready(node: Obj | None) -> bool:
    return node is not None and any(c.get("type") == "Ready" and c.get("status") == "True"
                                    for c in (node.get("status") or {}).get("conditions") or ())


def _request(container: Obj, resource: str, section: str) -> int | None:
    value = ((container.get("resources") or {}).get(section) or {}).get(resource)
    if value is None:
        return None
    try:
        return _amount(value, 1000 if resource == "cpu" else 1)
    except QuantityError:
        return None


def _split(amount: int, containers: list[Obj], resource: str) -> list[int]:
    """A pod's use over its containers, in proportion to their requests (evenly without any)."""
    weights = [_request(c, resource, "requests") or _request(c, resource, "limits") or 0 for c in containers]
    if not any(weights):
        weights = [1] * len(containers)
    total = sum(weights)
    shares = [amount * w // total for w in weights]
    for i in range(amount - sum(shares)):
        shares[i % len(shares)] += 1
    if resource == "cpu":  # throttled at the limit
        for i, c in enumerate(containers):
            limit = _request(c, "cpu", "limits")
            if limit is not None:
                shares[i] = min(shares[i], limit)
    return shares


@dataclass(frozen=True)
class PodUsage:
    """One pod's metrics: per-container millicores and bytes, and when they were sampled."""

    name: str
    namespace: str
    containers: tuple[tuple[str, int, int], ...]  # (container, cpu millicores, memory bytes)
    timestamp: float
    window: float

    def total(self, resource: str) -> int:
        """Milli-units of a resource summed over containers (memory in milli-bytes, as MilliValue)."""
        index = 1 if resource == "cpu" else 2
        scale = 1 if resource == "cpu" else 1000
        return sum(c[index] for c in self.containers) * scale


class MetricsSource:
    """Computes PodMetrics / NodeMetrics from the cluster's objects and load settings at `now`."""

    def __init__(self, reader: Reader, settings: Any, now: float) -> None:
        self._reader = reader
        self._loads: Mapping[str, Any] = settings.loads
        self._window = float(settings.metrics_resolution)
        self._now = now
        self._nodes: dict[str, bool] = {}
        self._shares: dict[str, int] = {}  # load key -> ready pods sharing a --total load

    def _node_up(self, name: str) -> bool:
        if name not in self._nodes:
            self._nodes[name] = _node_ready(_get(self._reader, "Node", "", name))
        return self._nodes[name]

    def _measured(self, pod: Obj) -> bool:
        node = (pod.get("spec") or {}).get("nodeName")
        if (pod.get("status") or {}).get("phase") != "Running" or not node or not self._node_up(str(node)):
            return False
        since = _running_since(pod)
        return since is not None and since + self._window <= self._now

    def _sharing(self, key: str, namespace: str) -> int:
        """How many ready, measured pods share the workload's --total load."""
        if key not in self._shares:
            count = 0
            for pod in self._reader.list("Pod", namespace):
                if _ready(pod) and self._measured(pod) and load_owner(pod, self._loads, self._reader) == key:
                    count += 1
            self._shares[key] = max(count, 1)
        return self._shares[key]

    def usage(self, pod: Obj) -> PodUsage | None:
        """The pod's metrics, or None while metrics-server has none for it."""
        if not self._measured(pod):
            return None
        meta = pod.get("metadata") or {}
        namespace = str(meta.get("namespace", ""))
        key = load_owner(pod, self._loads, self._reader)
        load = Load.from_setting(self._loads[key]) if key is not None else Load()
        cpu, memory = IDLE_CPU, IDLE_MEMORY
        if load.total and key is not None and _ready(pod):
            share = self._sharing(key, namespace)
            cpu = -(-load.cpu // share) if load.cpu is not None else cpu
            memory = -(-load.memory // share) if load.memory is not None else memory
        elif not load.total:
            cpu = load.cpu if load.cpu is not None else cpu
            memory = load.memory if load.memory is not None else memory
        containers = [c for c in (pod.get("spec") or {}).get("containers") or () if isinstance(c, dict)]
        cpus, mems = _split(cpu, containers, "cpu"), _split(memory, containers, "memory")
        rows = tuple((str(c.get("name", "")), cpus[i], mems[i]) for i, c in enumerate(containers))
        return PodUsage(str(meta.get("name", "")), namespace, rows, self._now, self._window)

    def pod_usages(self, namespace: str | None, selector: Selector | None = None) -> list[PodUsage]:
        """Metrics of the pods (in a namespace, matching a selector) that have some."""
        found = []
        for pod in self._reader.list("Pod", namespace, selector):
            usage = self.usage(pod)
            if usage is not None:
                found.append(usage)
        return found

    def pod_metrics(self, namespace: str | None, selector: Selector | None = None) -> list[Obj]:
        """metrics.k8s.io PodMetrics objects."""
        out = []
        for usage in self.pod_usages(namespace, selector):
            pod = _get(self._reader, "Pod", usage.namespace, usage.name) or {}
            out.append({
                "kind": "PodMetrics", "apiVersion": METRICS_API,
                "metadata": {"name": usage.name, "namespace": usage.namespace,
                             "creationTimestamp": rfc3339(self._now),
                             "labels": dict((pod.get("metadata") or {}).get("labels") or {})},
                "timestamp": rfc3339(usage.timestamp), "window": _duration(usage.window),
                "containers": [{"name": name, "usage": _usage(cpu, mem)}
                               for name, cpu, mem in usage.containers],
            })
        return out

    def node_metrics(self, nodes: Iterable[Obj]) -> list[Obj]:
        """metrics.k8s.io NodeMetrics objects of the Ready nodes: the sum of their pods' use."""
        out = []
        for node in nodes:
            name = str(node["metadata"]["name"])
            if not _node_ready(node):
                continue
            cpu = memory = 0
            for pod in self._reader.list("Pod", None, node=name):
                usage = self.usage(pod)
                if usage is not None:
                    cpu += sum(c[1] for c in usage.containers)
                    memory += sum(c[2] for c in usage.containers)
            out.append({
                "kind": "NodeMetrics", "apiVersion": METRICS_API,
                "metadata": {"name": name, "creationTimestamp": rfc3339(self._now),
                             "labels": dict(node["metadata"].get("labels") or {})},
                "timestamp": rfc3339(self._now), "window": _duration(self._window),
                "usage": _usage(cpu, memory),
            })
        return out


def _usage(cpu_milli: int, memory: int) -> dict[str, str]:
    """metrics-server's units: nanocores and kibibytes."""
    return {"cpu": f"{cpu_milli * 1_000_000}n", "memory": f"{memory // 1024}Ki"}


def _duration(seconds: float) -> str:
    return f"{seconds:g}s"
