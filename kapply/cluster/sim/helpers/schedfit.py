"""The scheduler's arithmetic: pod requests, filter plugins, least-allocated score, FitError text.

Pure functions and a small mutable `NodeInfo` (static facts + running request totals) so that
`scheduler.py` can filter and score a pod against a node in a handful of integer operations.
Semantics follow kube-scheduler's default profile: filters NodeUnschedulable, TaintToleration,
NodeAffinity (nodeSelector + required node affinity), NodeResourcesFit (pods, cpu, memory), in
that order, the first failing plugin giving a node's reasons; score NodeResourcesFit
LeastAllocated over cpu and memory with the scheduler's non-zero defaults for pods that request
nothing (100m, 200Mi). Simplification: no BalancedAllocation / topology-spread scores.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kapply.cluster.sim.helpers import taints as tt
from kapply.model.quantity import QuantityError, millicores, to_bytes

DEFAULT_MILLI_CPU = 100
DEFAULT_MEMORY = 200 * 1024 * 1024
MAX_NODE_SCORE = 100
UNSCHEDULABLE_REASON = "node(s) were unschedulable"
AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector"
TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class Requests:
    """What a pod asks for: exact requests (fit) and non-zero requests (scoring)."""

    cpu: int = 0  # millicores
    memory: int = 0  # bytes
    nz_cpu: int = DEFAULT_MILLI_CPU
    nz_memory: int = DEFAULT_MEMORY


@functools.lru_cache(maxsize=4096)
def _parsed(value: Any, parse: Any) -> int | None:
    try:
        return int(parse(value))
    except (QuantityError, ValueError, TypeError):
        return None


def _quantity(resources: Mapping[str, Any], name: str, parse: Any) -> int | None:
    for section in ("requests", "limits"):  # requests default to limits (API defaulting)
        value = (resources.get(section) or {}).get(name)
        if value is not None:
            try:
                return _parsed(value, parse)
            except TypeError:  # unhashable: not a quantity
                return None
    return None


def pod_requests(pod: Mapping[str, Any]) -> Requests:
    """Sum over containers, at least the largest init container, plus overhead (as the scheduler)."""
    spec = pod.get("spec") or {}
    cpu = mem = nz_cpu = nz_mem = 0
    for c in spec.get("containers") or ():
        res = c.get("resources") or {}
        c_cpu, c_mem = _quantity(res, "cpu", millicores), _quantity(res, "memory", to_bytes)
        cpu += c_cpu or 0
        mem += c_mem or 0
        nz_cpu += DEFAULT_MILLI_CPU if c_cpu is None else c_cpu
        nz_mem += DEFAULT_MEMORY if c_mem is None else c_mem
    for c in spec.get("initContainers") or ():
        res = c.get("resources") or {}
        c_cpu, c_mem = _quantity(res, "cpu", millicores) or 0, _quantity(res, "memory", to_bytes) or 0
        cpu, mem = max(cpu, c_cpu), max(mem, c_mem)
        nz_cpu, nz_mem = max(nz_cpu, c_cpu), max(nz_mem, c_mem)
    overhead = spec.get("overhead") or {}
    if overhead:
        o_cpu = _quantity({"requests": overhead}, "cpu", millicores) or 0
        o_mem = _quantity({"requests": overhead}, "memory", to_bytes) or 0
        cpu, mem, nz_cpu, nz_mem = cpu + o_cpu, mem + o_mem, nz_cpu + o_cpu, nz_mem + o_mem
    return Requests(cpu, mem, nz_cpu, nz_mem)


@dataclass(slots=True)
class NodeInfo:
    """A node's static facts and the running totals of the pods bound to it."""

    name: str
    cpu: int
    memory: int
    pods: int
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict[str, Any]] = field(default_factory=list)
    unschedulable: bool = False
    used_cpu: int = 0
    used_memory: int = 0
    used_pods: int = 0
    nz_cpu: int = 0
    nz_memory: int = 0

    @classmethod
    def from_node(cls, node: Mapping[str, Any]) -> NodeInfo:
        alloc = (node.get("status") or {}).get("allocatable") or {}
        spec = node.get("spec") or {}
        try:
            cpu, memory, pods = millicores(alloc.get("cpu", 0)), to_bytes(alloc.get("memory", 0)), \
                int(alloc.get("pods", 0))
        except (QuantityError, ValueError):
            cpu = memory = pods = 0
        return cls(name=node["metadata"]["name"], cpu=cpu, memory=memory, pods=pods,
                   labels=dict(node["metadata"].get("labels") or {}),
                   taints=list(spec.get("taints") or ()), unschedulable=bool(spec.get("unschedulable")))

    def add(self, req: Requests, sign: int = 1) -> None:
        self.used_cpu += sign * req.cpu
        self.used_memory += sign * req.memory
        self.used_pods += sign
        self.nz_cpu += sign * req.nz_cpu
        self.nz_memory += sign * req.nz_memory


def _expression_matches(expr: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, op = expr.get("key", ""), expr.get("operator", "")
    values = [str(v) for v in expr.get("values") or ()]
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt") and key in labels and values:
        try:
            have, want = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def _term_matches(term: Mapping[str, Any], labels: Mapping[str, str], name: str | None) -> bool:
    """A nodeSelectorTerm: all matchExpressions on labels and all matchFields (metadata.name)."""
    expressions = term.get("matchExpressions") or ()
    fields_ = term.get("matchFields") or ()
    if not expressions and not fields_:
        return False  # an empty term matches no node
    if not all(_expression_matches(e, labels) for e in expressions):
        return False
    return all(f.get("key") == "metadata.name" and name is not None
               and _expression_matches(f, {"metadata.name": name}) for f in fields_)


def matches_node_affinity(pod_spec: Mapping[str, Any], labels: Mapping[str, str],
                          name: str | None = None) -> bool:
    """nodeSelector (all pairs) and required node affinity (any term; matchFields need the node's name)."""
    for key, value in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(key) != str(value):
            return False
    required = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = required.get("nodeSelectorTerms")
    if terms:
        return any(_term_matches(term, labels, name) for term in terms)
    return True


def pinned_nodes(pod_spec: Mapping[str, Any]) -> set[str] | None:
    """The node names required affinity limits a pod to (NodeAffinity's PreFilter), or None when
    any node may do: every term must name nodes with `metadata.name In [...]` (a DaemonSet pod)."""
    required = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = required.get("nodeSelectorTerms") or ()
    names: set[str] = set()
    for term in terms:
        pins = [f for f in term.get("matchFields") or ()
                if f.get("key") == "metadata.name" and f.get("operator") == "In"]
        if not pins:
            return None
        names.update(str(v) for v in pins[0].get("values") or ())
    return names if terms else None


UNSCHEDULABLE_TAINT = {"key": tt.UNSCHEDULABLE, "effect": tt.NO_SCHEDULE}


def static_reason(node: NodeInfo, pod_spec: Mapping[str, Any]) -> str | None:
    """The first failing filter that does not depend on other pods, or None if the node passes."""
    tolerations: Sequence[Mapping[str, Any]] = pod_spec.get("tolerations") or ()
    if node.unschedulable and not tt.tolerated(UNSCHEDULABLE_TAINT, tolerations):
        return UNSCHEDULABLE_REASON
    taint = tt.first_untolerated(node.taints, tolerations)
    if taint is not None:
        return tt.untolerated_message(taint)
    if not matches_node_affinity(pod_spec, node.labels, node.name):
        return AFFINITY_REASON
    return None


def resource_reasons(node: NodeInfo, req: Requests) -> list[str]:
    """NodeResourcesFit: every resource that does not fit (pods, cpu, memory)."""
    reasons = []
    if node.used_pods + 1 > node.pods:
        reasons.append("Too many pods")
    if req.cpu > 0 and req.cpu > node.cpu - node.used_cpu:
        reasons.append("Insufficient cpu")
    if req.memory > 0 and req.memory > node.memory - node.used_memory:
        reasons.append("Insufficient memory")
    return reasons


def least_allocated_score(node: NodeInfo, req: Requests) -> int:
    """LeastAllocated over cpu and memory (weights 1, 1), with non-zero requests, as integers."""
    total = 0
    pairs = ((node.cpu, node.nz_cpu + req.nz_cpu), (node.memory, node.nz_memory + req.nz_memory))
    for capacity, requested in pairs:
        if capacity > 0 and requested <= capacity:
            total += (capacity - requested) * MAX_NODE_SCORE // capacity
    return total // 2


NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_ELIGIBLE = "not eligible due to preemptionPolicy=Never."


def fit_error(num_nodes: int, reasons: Counter[str], pre_filter: str = "", post_filter: str = "") -> str:
    """FitError.Error(): `0/3 nodes are available: <PreFilterMsg>.` or the sorted node reasons
    (`1 node(s) had ..., 2 Insufficient memory.`), then the PostFilter's message."""
    if num_nodes == 0:
        return "no nodes available to schedule pods"
    message = f"0/{num_nodes} nodes are available:"
    if pre_filter:
        message += f" {pre_filter}."
    else:
        parts = sorted(f"{count} {reason}" for reason, count in reasons.items())
        if parts:
            message += f" {', '.join(parts)}."
    if post_filter:
        message += f" {post_filter}"
    return message


def preemption_message(num_nodes: int, candidates: int, eligible: bool = True) -> str:
    """DefaultPreemption's PostFilter message. Only nodes that failed on resources
    (Unschedulable, not UnschedulableAndUnresolvable) could make room by preemption; pod
    priorities are not simulated, so none of them has a victim to offer."""
    if not eligible:
        return f"preemption: {NOT_ELIGIBLE}"
    counts: Counter[str] = Counter()
    if candidates:
        counts[NO_VICTIMS] = candidates
    if num_nodes - candidates:
        counts[NOT_HELPFUL] = num_nodes - candidates
    return f"preemption: {fit_error(num_nodes, counts)}"
