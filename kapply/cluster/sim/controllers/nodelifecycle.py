"""Node lifecycle and taint eviction (pkg/controller/nodelifecycle + tainteviction).

A node whose kubelet stopped (`kapply node fail` sets the annotation `kapply.io/heartbeat-stopped`
to the virtual time of the last heartbeat; `node recover` removes it) is left alone for
`settings.node_grace` seconds; then its conditions turn Unknown (`NodeStatusUnknown`, "Kubelet
stopped posting node status."), its pods' Ready condition False (they leave Endpoints), and it gets
the `node.kubernetes.io/unreachable` taint (NoSchedule + NoExecute). Each pod on a node with
NoExecute taints is evicted (deleted, event `TaintManagerEviction`) once its tolerationSeconds
have passed since the taint was added; owners replace their pods, bare pods are gone. A
recovered node is Ready again and loses the taints. `spec.unschedulable` (cordon) is mirrored as
the `node.kubernetes.io/unschedulable:NoSchedule` taint, as the real controller does.

Keys are node names. Everything later is a timer on the node's key (grace end, next eviction).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, Obj
from kapply.cluster.sim.helpers import taints as tt
from kapply.cluster.sim.helpers.podstatus import parse_time
from kapply.cluster.sim.nodes import HEARTBEAT_ANNOTATION, ready_conditions, rfc3339

REGISTER_PREFIX = "register:"


def stopped_at(node: Obj) -> float | None:
    """When the node's kubelet stopped posting status (None while it runs)."""
    value = (node["metadata"].get("annotations") or {}).get(HEARTBEAT_ANNOTATION)
    if value is None:
        return None
    try:
        return parse_time(str(value))
    except ValueError:
        return parse_time(node["metadata"].get("creationTimestamp")) or 0.0


def condition(node: Obj, type_: str) -> dict[str, Any]:
    for cond in (node.get("status") or {}).get("conditions") or ():
        if cond.get("type") == type_:
            return dict(cond)
    return {}


def _with_conditions(node: Obj, conditions: list[dict[str, Any]]) -> Obj:
    updated = dict(node)
    updated["status"] = dict(node.get("status") or {}, conditions=conditions)
    return updated


def _transition(node: Obj, conditions: list[dict[str, Any]], now: float,
                heartbeat: float) -> list[dict[str, Any]]:
    """Keep lastTransitionTime of unchanged conditions; stamp heartbeat and changed ones."""
    old = {c.get("type"): c for c in (node.get("status") or {}).get("conditions") or ()}
    for cond in conditions:
        before = old.get(cond["type"])
        cond["lastHeartbeatTime"] = rfc3339(heartbeat)
        if before and before.get("status") == cond["status"] and before.get("lastTransitionTime"):
            cond["lastTransitionTime"] = before["lastTransitionTime"]
        else:
            cond["lastTransitionTime"] = rfc3339(now)
    return conditions


class NodeLifecycle:
    """Grace period, Unknown conditions, unreachable/unschedulable taints, NoExecute eviction."""

    name = "nodelifecycle"

    def __init__(self) -> None:
        self.noexecute: set[str] = set()  # nodes with NoExecute taints seen in this session

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "Node":
            name = change.obj["metadata"]["name"]
            if change.type != "DELETED" and any(t.get("effect") == tt.NO_EXECUTE
                                                for t in (change.obj.get("spec") or {}).get("taints") or ()):
                self.noexecute.add(name)
            else:
                self.noexecute.discard(name)
            if change.type == "ADDED":
                return (REGISTER_PREFIX + name, name)
            return () if change.type == "DELETED" else (name,)
        if change.kind == "Pod" and change.type != "DELETED":
            node = (change.obj.get("spec") or {}).get("nodeName")
            if node in self.noexecute and (change.old is None or
                                           (change.old.get("spec") or {}).get("nodeName") != node):
                return (node,)
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(REGISTER_PREFIX):
            name = key[len(REGISTER_PREFIX):]
            node = ctx.get("Node", "", name)
            if node is not None:
                ctx.record_event(node, "Normal", "RegisteredNode",
                                 f"Node {name} event: Registered Node {name} in Controller")
            return
        node = ctx.get("Node", "", key)
        if node is None:
            return
        for step in (self._heartbeat, self._taints, self._evict):
            if step(ctx, node):
                return  # one write per sync: the write re-queues this node

    def _heartbeat(self, ctx: Context, node: Obj) -> bool:
        now, name = ctx.now, node["metadata"]["name"]
        stopped = stopped_at(node)
        ready = condition(node, "Ready")
        if not ready.get("lastHeartbeatTime"):  # registered without timestamps: the first heartbeat
            ctx.update_status(_with_conditions(node, ready_conditions(now, ready.get("status") != "Unknown")))
            return True
        if stopped is None:
            if ready.get("status") == "True":
                return False
            conditions = _transition(node, ready_conditions(None), now, now)
            ctx.update_status(_with_conditions(node, conditions))
            ctx.record_event(node, "Normal", "NodeReady", f"Node {name} status is now: NodeReady")
            return True
        if ready.get("status") != "True":
            return False
        due = stopped + float(ctx.settings.node_grace)
        if now < due:
            ctx.requeue_at(due, name)
            return False
        conditions = _transition(node, ready_conditions(None, ready=False), now, stopped)
        node = ctx.update_status(_with_conditions(node, conditions))
        ctx.record_event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady")
        self._mark_pods_not_ready(ctx, name)
        return True

    def _mark_pods_not_ready(self, ctx: Context, node: str) -> None:
        """MarkPodsNotReady: every pod of the node loses its Ready condition."""
        for pod in ctx.list("Pod", node=node):
            conditions = (pod.get("status") or {}).get("conditions") or ()
            if not any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
                continue
            status = copy.deepcopy(pod["status"])
            for cond in status["conditions"]:
                if cond.get("type") == "Ready":
                    cond["status"] = "False"
                    cond["lastTransitionTime"] = rfc3339(ctx.now)
            updated = dict(pod)
            updated["status"] = status
            ctx.update_status(updated)
            ctx.record_event(pod, "Warning", "NodeNotReady", "Node is not ready")

    def _taints(self, ctx: Context, node: Obj) -> bool:
        current = list((node.get("spec") or {}).get("taints") or ())
        ready = condition(node, "Ready").get("status") == "True"
        unschedulable = bool((node.get("spec") or {}).get("unschedulable"))
        managed = (tt.UNREACHABLE, tt.NOT_READY, tt.UNSCHEDULABLE)
        stamp = rfc3339(ctx.now)
        wanted = [t for t in current if t.get("key") not in managed]
        # eviction counts from timeAdded: stamp NoExecute taints a user added without one
        wanted = [dict(t, timeAdded=stamp) if t.get("effect") == tt.NO_EXECUTE and not t.get("timeAdded")
                  else t for t in wanted]
        kept = {(t.get("key"), t.get("effect")): t for t in current}
        if not ready:
            for effect in (tt.NO_SCHEDULE, tt.NO_EXECUTE):
                taint = kept.get((tt.UNREACHABLE, effect)) or {"key": tt.UNREACHABLE, "effect": effect}
                if effect == tt.NO_EXECUTE and "timeAdded" not in taint:
                    taint = dict(taint, timeAdded=stamp)
                wanted.append(taint)
        if unschedulable:
            fresh = {"key": tt.UNSCHEDULABLE, "effect": tt.NO_SCHEDULE, "timeAdded": stamp}
            wanted.append(kept.get((tt.UNSCHEDULABLE, tt.NO_SCHEDULE)) or fresh)
        if sorted(map(repr, wanted)) == sorted(map(repr, current)):
            return False
        updated = copy.deepcopy(node)
        if wanted:
            updated["spec"]["taints"] = wanted
        else:
            updated["spec"].pop("taints", None)
        name = node["metadata"]["name"]
        had_cordon = (tt.UNSCHEDULABLE, tt.NO_SCHEDULE) in kept
        ctx.update(updated)
        if unschedulable != had_cordon:
            word = "NodeNotSchedulable" if unschedulable else "NodeSchedulable"
            ctx.record_event(node, "Normal", word, f"Node {name} status is now: {word}")
        return True

    def _evict(self, ctx: Context, node: Obj) -> bool:
        taints = [t for t in (node.get("spec") or {}).get("taints") or () if t.get("effect") == tt.NO_EXECUTE]
        if not taints:
            return False
        added = max(parse_time(t.get("timeAdded")) or ctx.now for t in taints)
        earliest = None
        for pod in ctx.list("Pod", node=node["metadata"]["name"]):
            meta = pod["metadata"]
            if meta.get("deletionTimestamp"):
                continue
            delay = tt.eviction_delay(taints, (pod.get("spec") or {}).get("tolerations") or ())
            if delay is None:
                continue
            at = added + delay
            if ctx.now >= at:
                ctx.record_event(pod, "Normal", "TaintManagerEviction",
                                 f"Marking for deletion Pod {meta.get('namespace')}/{meta['name']}")
                ctx.delete("Pod", meta.get("namespace", ""), meta["name"])
            elif earliest is None or at < earliest:
                earliest = at
        if earliest is not None:
            ctx.requeue_at(earliest, node["metadata"]["name"])
        return False
