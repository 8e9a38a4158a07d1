"""The kubelets of every node: run the pods bound to them, post their status, finish deletions.

One controller plays all kubelets. Keys are pod keys (`namespace/name`) and `node:<name>` (resync
every pod of a node, used when a failed node comes back). The lifecycle itself is the pure state
machine in `podstatus.py`; this module feeds it the node's addresses, a pod IP and the image
faults of the cluster settings, writes the status when it changed, records the events and sets
the next timer. Pod IPs come from the node's podCIDR (`10.244.<node>.2` upwards, lowest free
first), never handed out twice while a pod holds them.

A failed node's kubelet (annotation `kapply.io/heartbeat-stopped`) does nothing. Graceful
deletion: a pod with a deletionTimestamp is removed when that time comes (the API sets it to
now + grace period). Simplification: on a failed node too, as if the pod garbage collector
force-deleted it, so evicted pods do not linger as Terminating forever.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context, Obj, ns_key, split_key
from kapply.cluster.sim.controllers.podstatus import Timings, parse_time, step_pod
from kapply.cluster.sim.nodes import HEARTBEAT_ANNOTATION

NODE_PREFIX = "node:"
TERMINAL = ("Succeeded", "Failed")


def heartbeat_stopped(node: Obj) -> bool:
    """Whether `kapply node fail` stopped this node's kubelet."""
    return HEARTBEAT_ANNOTATION in (node["metadata"].get("annotations") or {})


def internal_ip(node: Obj) -> str:
    for address in (node.get("status") or {}).get("addresses") or ():
        if address.get("type") == "InternalIP":
            return str(address.get("address", ""))
    return ""


class PodIPs:
    """Per-node pod IP allocation, built lazily from the pods already on a node."""

    def __init__(self) -> None:
        self._used: dict[str, dict[str, str]] = {}  # node -> ip -> pod uid

    def _node(self, ctx: Context, node: str) -> dict[str, str]:
        used = self._used.get(node)
        if used is None:
            used = self._used[node] = {}
            for pod in ctx.list("Pod", node=node):
                ip = (pod.get("status") or {}).get("podIP")
                if ip:
                    used[ip] = pod["metadata"].get("uid", "")
        return used

    def assign(self, ctx: Context, pod: Obj, node: Obj) -> str | None:
        """The pod's IP: the one it has, else the lowest free one of the node's podCIDR."""
        uid = pod["metadata"].get("uid", "")
        used = self._node(ctx, node["metadata"]["name"])
        ip = (pod.get("status") or {}).get("podIP")
        if ip:
            used[ip] = uid
            return str(ip)
        cidr = (node.get("spec") or {}).get("podCIDR")
        if not cidr:
            return None
        network = ipaddress.IPv4Network(cidr, strict=False)
        base = int(network.network_address)
        for offset in range(2, network.num_addresses - 1):
            candidate = str(ipaddress.IPv4Address(base + offset))
            if candidate not in used:
                used[candidate] = uid
                return candidate
        return None

    def release(self, pod: Obj) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        ip = (pod.get("status") or {}).get("podIP")
        used = self._used.get(node or "")
        if used is not None and ip and used.get(ip) == pod["metadata"].get("uid", ""):
            del used[ip]


class Kubelet:
    """Pod lifecycle on the nodes (see podstatus for the state machine)."""

    name = "kubelet"

    def __init__(self) -> None:
        self.ips = PodIPs()

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "Pod":
            obj, old = change.obj, change.old
            if change.type == "DELETED":
                self.ips.release(obj)
                return ()
            node = (obj.get("spec") or {}).get("nodeName")
            if not node:
                return ()
            meta, old_meta = obj["metadata"], (old or {}).get("metadata") or {}
            if old is None or (old.get("spec") or {}).get("nodeName") != node \
                    or (meta.get("deletionTimestamp") and not old_meta.get("deletionTimestamp")) \
                    or meta.get("generation") != old_meta.get("generation"):
                return (ns_key(obj),)
            return ()
        if change.kind == "Node" and change.old is not None and change.type == "MODIFIED" \
                and heartbeat_stopped(change.old) and not heartbeat_stopped(change.obj):
            return (NODE_PREFIX + change.obj["metadata"]["name"],)
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(NODE_PREFIX):
            for pod in ctx.list("Pod", node=key[len(NODE_PREFIX):]):
                ctx.requeue_at(ctx.now, ns_key(pod))
            return
        namespace, name = split_key(key)
        pod = ctx.get("Pod", namespace, name)
        if pod is None or not (pod.get("spec") or {}).get("nodeName"):
            return
        deadline = parse_time(pod["metadata"].get("deletionTimestamp"))
        if deadline is not None:
            if ctx.now >= deadline:
                ctx.delete("Pod", namespace, name, grace_seconds=0)
            else:
                ctx.requeue_at(deadline, key)
            return
        node = ctx.get("Node", "", pod["spec"]["nodeName"])
        if node is None or heartbeat_stopped(node) or (pod.get("status") or {}).get("phase") in TERMINAL:
            return
        ip = self.ips.assign(ctx, pod, node)
        if ip is None:
            ctx.record_event(pod, "Warning", "FailedCreatePodSandBox",
                             "Failed to create pod sandbox: failed to allocate for range 0: "
                             "no IP addresses available in range set")
            return
        settings = ctx.settings
        timings = Timings(float(settings.pod_startup), float(settings.image_pull))
        status, due, events = step_pod(pod, ctx.now, timings, settings.image_faults or {},
                                       internal_ip(node), ip)
        if status != pod.get("status"):
            updated = dict(pod)
            updated["status"] = status
            pod = ctx.update_status(updated)
        for type_, reason, message in events:
            ctx.record_event(pod, type_, reason, message)
        if due is not None:
            ctx.requeue_at(due, key)
