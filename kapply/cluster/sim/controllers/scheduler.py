"""kube-scheduler: binds Pending pods without a node to the least allocated node that fits.

Work-queue keys are pod keys (`namespace/name`) plus `*` (rebuild and retry everything). The
scheduler keeps, per process, `NodeInfo`s with running request totals updated incrementally from
every Pod/Node change it is shown (`watches`), so binding a pod costs O(nodes) integer
operations, never a scan of all pods. Static filter results (cordon, taints, node selector) are
cached per pod "shape" until a node changes. Pods that fit nowhere stay Pending with
PodScheduled=False and a `FailedScheduling` event, and are retried when a node changes or a
bound pod goes away (the scheduling queue's "move unschedulable pods on cluster events").
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, Obj, ns_key, split_key
from kapply.cluster.sim.helpers import volumebinding as vb
from kapply.cluster.sim.helpers.schedfit import (
    TERMINAL_PHASES,
    NodeInfo,
    Requests,
    fit_error,
    least_allocated_score,
    pinned_nodes,
    pod_requests,
    preemption_message,
    resource_reasons,
    static_reason,
)
from kapply.cluster.sim.nodes import rfc3339
from kapply.model.jsoncopy import deep_copy

SCHEDULER_NAME = "default-scheduler"
RETRY_ALL = "*"
PREFILTER_REASON = "node(s) didn't satisfy plugin(s) [NodeAffinity]"


def wants_scheduling(pod: Obj) -> bool:
    """A live pod of this scheduler that has no node yet."""
    spec = pod.get("spec") or {}
    return (not spec.get("nodeName") and not pod["metadata"].get("deletionTimestamp")
            and (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME
            and (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES)


def _holds_resources(pod: Obj) -> bool:
    return bool((pod.get("spec") or {}).get("nodeName")) and \
        (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES


def _state(info: NodeInfo) -> tuple[int, ...]:
    return (info.cpu, info.memory, info.pods, info.used_cpu, info.used_memory, info.used_pods,
            info.nz_cpu, info.nz_memory)


def _status_only(change: Change) -> bool:
    """An update of nothing but status (the queue ignores those, as isPodUpdated does)."""
    old = change.old
    if change.type != "MODIFIED" or old is None:
        return False
    new_meta, old_meta = change.obj["metadata"], old["metadata"]
    return old.get("spec") == change.obj.get("spec") and old_meta.get("labels") == new_meta.get("labels") \
        and old_meta.get("annotations") == new_meta.get("annotations")


def _shape(spec: dict[str, Any]) -> str:
    """What the static filters look at, as a cache key (equal specs give equal keys)."""
    return repr((spec.get("tolerations"), spec.get("nodeSelector"),
                 (spec.get("affinity") or {}).get("nodeAffinity")))


class Scheduler:
    """The default scheduler profile (see schedfit for the plugins)."""

    name = "scheduler"

    def __init__(self) -> None:
        self.ready = False
        self.nodes: dict[str, NodeInfo] = {}
        self.bound: dict[str, tuple[str, Requests]] = {}  # pod uid -> (node, requests)
        self.unschedulable: set[str] = set()
        self.assumed: dict[str, str] = {}  # pod key -> node it waits on while its volumes bind
        self._static: dict[str, tuple[list[NodeInfo], Counter[str]]] = {}
        # nodes in identical states (size and usage) answer every pod alike: filter+score once
        self.groups: dict[tuple[int, ...], list[str]] = {}

    # -- bookkeeping -------------------------------------------------------------------------

    def _track_pod(self, pod: Obj, deleted: bool) -> bool:
        """Keep the node totals current; True when resources were freed."""
        uid = pod["metadata"].get("uid", "")
        held = self.bound.get(uid)
        node = (pod.get("spec") or {}).get("nodeName")
        if not deleted and _holds_resources(pod):
            if held is None or held[0] != node:
                self._release(uid)
                req = pod_requests(pod)
                self.bound[uid] = (node, req)
                self._add_usage(node, req, 1)
            return False
        return self._release(uid)

    def _release(self, uid: str) -> bool:
        held = self.bound.pop(uid, None)
        if held is None:
            return False
        node, req = held
        self._add_usage(node, req, -1)
        return True

    def _add_usage(self, node: str, req: Requests, sign: int) -> None:
        info = self.nodes.get(node)
        if info is not None:
            self._ungroup(info)
            info.add(req, sign)
            self._group(info)

    def _group(self, info: NodeInfo) -> None:
        bisect.insort(self.groups.setdefault(_state(info), []), info.name)

    def _ungroup(self, info: NodeInfo) -> None:
        key = _state(info)
        names = self.groups.get(key)
        if names is not None and info.name in names:
            names.remove(info.name)
            if not names:
                del self.groups[key]

    def _track_node(self, node: Obj, deleted: bool) -> None:
        name = node["metadata"]["name"]
        self._static.clear()
        old = self.nodes.pop(name, None)
        if old is not None:
            self._ungroup(old)
        if deleted:
            return
        info = NodeInfo.from_node(node)
        if old is not None:
            info.used_cpu, info.used_memory, info.used_pods = old.used_cpu, old.used_memory, old.used_pods
            info.nz_cpu, info.nz_memory = old.nz_cpu, old.nz_memory
        else:
            for held_node, req in self.bound.values():
                if held_node == name:
                    info.add(req)
        self.nodes[name] = info
        self._group(info)

    def _ensure(self, ctx: Context) -> None:
        if self.ready:
            return
        self.nodes, self.bound, self.unschedulable, self._static, self.groups = {}, {}, set(), {}, {}
        for node in ctx.list("Node"):
            self._track_node(node, deleted=False)
        for pod in ctx.list("Pod"):
            self._track_pod(pod, deleted=False)
            if wants_scheduling(pod):
                self.unschedulable.add(ns_key(pod))
        self.ready = True

    # -- controller contract -----------------------------------------------------------------

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "Pod":
            freed = self.ready and self._track_pod(change.obj, change.type == "DELETED")
            keys = []
            if change.type != "DELETED" and wants_scheduling(change.obj) and not _status_only(change):
                keys.append(ns_key(change.obj))
            if change.type == "DELETED":
                self.unschedulable.discard(ns_key(change.obj))
            if freed and self.unschedulable:
                keys.extend(sorted(self.unschedulable))
            elif not self.ready and change.type == "DELETED" and _holds_resources(change.obj):
                keys.append(RETRY_ALL)
            return keys
        if change.kind == "Node":
            if not self.ready:
                return [RETRY_ALL]
            self._track_node(change.obj, change.type == "DELETED")
            return sorted(self.unschedulable)
        if change.kind in ("PersistentVolumeClaim", "PersistentVolume", "StorageClass"):
            return sorted(self.unschedulable) if self.ready else [RETRY_ALL]  # a claim may have bound
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        self._ensure(ctx)
        if key == RETRY_ALL:
            for pod_key in sorted(self.unschedulable):
                ctx.requeue_at(ctx.now, pod_key)
            return
        namespace, name = split_key(key)
        pod = ctx.get("Pod", namespace, name)
        if pod is None or not wants_scheduling(pod):
            self.unschedulable.discard(key)
            return
        node, message, volumes = self._decide(ctx, pod, key)
        if node is not None:
            self.unschedulable.discard(key)
            if volumes and not vb.prebind(ctx, volumes, ctx.get("Node", "", node) or {}):
                self.assumed[key] = node  # bound once its claims are (their changes retry it)
                self.unschedulable.add(key)
                return
            self.assumed.pop(key, None)
            self._bind(ctx, pod, node)
        else:
            self.unschedulable.add(key)
            self._mark_unschedulable(ctx, pod, message)

    def _decide(self, ctx: Context, pod: Obj, key: str) -> tuple[str | None, str, vb.PodVolumes | None]:
        """(node, FitError message, the pod's claims): VolumeBinding's PreFilter first, then the
        node a binding in progress waits on, else a scheduling pass."""
        volumes = vb.prefilter(ctx, pod)
        if isinstance(volumes, str):  # refused on every node
            eligible = pod["spec"].get("preemptionPolicy") != "Never"
            post = preemption_message(len(self.nodes), 0, eligible)
            return None, fit_error(len(self.nodes), Counter(), volumes, post), None
        assumed = self.assumed.get(key)
        if assumed in self.nodes:
            return assumed, "", volumes
        node, message = self.place(pod, ctx, volumes)
        return node, message, volumes

    # -- scheduling --------------------------------------------------------------------------

    def _static_candidates(self, spec: dict[str, Any]) -> tuple[list[NodeInfo], Counter[str]]:
        shape = _shape(spec)
        cached = self._static.get(shape)
        if cached is None:
            ok, reasons = [], Counter[str]()
            for info in sorted(self.nodes.values(), key=lambda n: n.name):
                reason = static_reason(info, spec)
                if reason is None:
                    ok.append(info)
                else:
                    reasons[reason] += 1
            cached = self._static[shape] = (ok, reasons)
        return cached

    def _pinned_candidates(self, spec: dict[str, Any], pins: set[str]) -> tuple[list[NodeInfo], Counter[str]]:
        """NodeAffinity's PreFilter: only the named nodes are filtered; the rest are reported as
        not satisfying it (a DaemonSet pod names its node, so 1,000 nodes cost one check)."""
        ok, reasons = [], Counter[str]()
        present = [self.nodes[name] for name in sorted(pins) if name in self.nodes]
        for info in present:
            reason = static_reason(info, spec)
            if reason is None:
                ok.append(info)
            else:
                reasons[reason] += 1
        if len(self.nodes) > len(present):
            reasons[PREFILTER_REASON] += len(self.nodes) - len(present)
        return ok, reasons

    def place(self, pod: Obj, ctx: Context,
              volumes: vb.PodVolumes | None = None) -> tuple[str | None, str]:
        """The chosen node, or None and the FitError message."""
        spec = pod.get("spec") or {}
        eligible = spec.get("preemptionPolicy") != "Never"
        pins = pinned_nodes(spec)
        node_filter: Callable[[str], str | None] | None = None
        if volumes:  # VolumeBinding's Filter reads the node's labels: no grouping of nodes
            claims = volumes

            def volume_filter(name: str) -> str | None:
                return vb.node_reason(ctx, claims, ctx.get("Node", "", name) or {})

            node_filter = volume_filter
        if pins is not None:
            candidates, static_reasons = self._pinned_candidates(spec, pins)
            groups = [[info.name] for info in candidates]
        else:
            candidates, static_reasons = self._static_candidates(spec)
            if len(candidates) == len(self.nodes) and node_filter is None:  # all pass the static filters
                groups = list(self.groups.values())
            else:
                groups = [[info.name] for info in candidates]
        return self.choose(groups, pod_requests(pod), static_reasons, ctx.random, eligible, node_filter)

    def choose(self, groups: list[list[str]], req: Requests, static_reasons: Counter[str],
               rng: random.Random, eligible: bool = True,
               node_filter: Callable[[str], str | None] | None = None) -> tuple[str | None, str]:
        """Filter (resources, then `node_filter`: volumes) and score (least allocated) groups of
        identical nodes, once per group; pick uniformly among every node of the best score, as
        selectHost's reservoir sampling. Only nodes short of resources could gain room by preemption."""
        reasons = Counter(static_reasons)
        best: list[list[str]] = []
        best_score = -1
        short = 0  # nodes that failed on resources (Unschedulable, not UnschedulableAndUnresolvable)
        for names in groups:
            info = self.nodes[names[0]]
            failing = resource_reasons(info, req)
            if failing:
                short += len(names)
                for reason in failing:
                    reasons[reason] += len(names)
                continue
            if node_filter is not None:
                refused = [(name, node_filter(name)) for name in names]
                for _, reason in refused:
                    if reason is not None:
                        reasons[reason] += 1
                names = [name for name, reason in refused if reason is None]
                if not names:
                    continue
            score = least_allocated_score(info, req)
            if score > best_score:
                best, best_score = [names], score
            elif score == best_score:
                best.append(names)
        if not best:
            return None, fit_error(len(self.nodes), reasons,
                                   post_filter=preemption_message(len(self.nodes), short, eligible))
        total = sum(len(names) for names in best)
        index = rng.randrange(total) if total > 1 else 0
        for names in best:
            if index < len(names):
                return names[index], ""
            index -= len(names)
        raise AssertionError("unreachable")

    def _bind(self, ctx: Context, pod: Obj, node: str) -> None:
        # The API owns what it is given and replaces (never mutates) nested values it does not
        # change, so copying the two levels the binding touches is enough.
        bound = dict(pod, metadata=dict(pod["metadata"]), spec=dict(pod["spec"], nodeName=node))
        ctx.update(bound)
        meta = pod["metadata"]
        ctx.record_event(pod, "Normal", "Scheduled",
                         f"Successfully assigned {meta.get('namespace')}/{meta['name']} to {node}")

    def _mark_unschedulable(self, ctx: Context, pod: Obj, message: str) -> None:
        ctx.record_event(pod, "Warning", "FailedScheduling", message)
        current = _unschedulable_condition(pod)
        if current is not None and current.get("message") == message:
            return
        updated = deep_copy(pod)
        _set_scheduled_condition(updated, ctx.now, "False", "Unschedulable", message)
        updated.setdefault("status", {}).setdefault("phase", "Pending")
        ctx.update_status(updated)


def _unschedulable_condition(pod: Obj) -> dict[str, Any] | None:
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            return cond
    return None


def _set_scheduled_condition(pod: Obj, now: float, status: str, reason: str | None,
                             message: str | None) -> None:
    conditions = pod.setdefault("status", {}).setdefault("conditions", [])
    cond: dict[str, Any] = {"type": "PodScheduled", "status": status, "lastProbeTime": None,
                            "lastTransitionTime": rfc3339(now)}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    for i, existing in enumerate(conditions):
        if existing.get("type") == "PodScheduled":
            if existing.get("status") == status:
                cond["lastTransitionTime"] = existing.get("lastTransitionTime", cond["lastTransitionTime"])
            conditions[i] = cond
            return
    conditions.append(cond)
