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

import heapq
import ipaddress
from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context, Obj, controller_of, ns_key, split_key
from kapply.cluster.sim.helpers.podstatus import (
    Timings,
    image_id,
    image_size,
    normalize_image,
    parse_time,
    step_pod,
)
from kapply.cluster.sim.nodes import HEARTBEAT_ANNOTATION

NODE_PREFIX = "node:"
REGISTER_PREFIX = "register:"
SANDBOX_RETRY = 10.0
TERMINAL = ("Succeeded", "Failed")


def heartbeat_stopped(node: Obj) -> bool:
    """Whether `kapply node fail` stopped this node's kubelet."""
    return HEARTBEAT_ANNOTATION in (node["metadata"].get("annotations") or {})


def internal_ip(node: Obj) -> str:
    for address in (node.get("status") or {}).get("addresses") or ():
        if address.get("type") == "InternalIP":
            return str(address.get("address", ""))
    return ""


def node_images(node: Obj) -> set[str]:
    """The (normalized) images the node holds, from its status.images."""
    return {normalize_image(name) for entry in (node.get("status") or {}).get("images") or ()
            for name in entry.get("names") or () if "@" not in name}


def _record_images(ctx: Context, node: Obj, pulled: list[str]) -> None:
    """Add freshly pulled images to the node's status.images (as the kubelet's node status)."""
    have = node_images(node)
    new = [image for image in dict.fromkeys(pulled) if normalize_image(image) not in have]
    if not new:
        return
    images = list((node.get("status") or {}).get("images") or ())
    for image in new:
        repo = image_id(image).removeprefix("docker-pullable://")
        images.append({"names": [repo, normalize_image(image)], "sizeBytes": image_size(image)})
    ctx.update_status(dict(node, status=dict(node.get("status") or {}, images=images)))


class _NodeRange:
    """One node's podCIDR: lowest free host offset first (a heap of freed ones + a fresh counter)."""

    def __init__(self, cidr: str) -> None:
        network = ipaddress.IPv4Network(cidr, strict=False)
        self.base = int(network.network_address)
        self.limit = network.num_addresses - 1  # the broadcast address is not handed out
        self.prefix = str(network.network_address).rsplit(".", 1)[0] + "." if network.prefixlen >= 24 else ""
        self.owner: dict[int, str] = {}  # offset -> pod uid
        self.freed: list[int] = []
        self.fresh = 2  # .0 is the network, .1 the bridge gateway

    def ip(self, offset: int) -> str:
        if self.prefix:
            return f"{self.prefix}{(self.base & 0xFF) + offset}"
        return str(ipaddress.IPv4Address(self.base + offset))

    def offset(self, ip: str) -> int | None:
        try:
            value = int(ipaddress.IPv4Address(ip)) - self.base
        except ValueError:
            return None
        return value if 0 < value < self.limit else None

    def hold(self, offset: int, uid: str) -> None:
        self.owner[offset] = uid
        while self.fresh <= offset:
            if self.fresh not in self.owner:
                heapq.heappush(self.freed, self.fresh)
            self.fresh += 1

    def take(self, uid: str) -> int | None:
        while self.freed:
            offset = heapq.heappop(self.freed)
            if offset not in self.owner:
                self.owner[offset] = uid
                return offset
        if self.fresh >= self.limit:
            return None
        offset, self.fresh = self.fresh, self.fresh + 1
        self.owner[offset] = uid
        return offset

    def release(self, offset: int, uid: str) -> None:
        if self.owner.get(offset) == uid:
            del self.owner[offset]
            heapq.heappush(self.freed, offset)


class PodIPs:
    """Per-node pod IP allocation, built lazily from the pods already on a node."""

    def __init__(self) -> None:
        self._nodes: dict[str, _NodeRange] = {}

    def _range(self, ctx: Context, node: Obj) -> _NodeRange | None:
        name = node["metadata"]["name"]
        found = self._nodes.get(name)
        if found is None:
            cidr = (node.get("spec") or {}).get("podCIDR")
            if not cidr:
                return None
            found = self._nodes[name] = _NodeRange(cidr)
            for pod in ctx.list("Pod", node=name):
                offset = found.offset((pod.get("status") or {}).get("podIP") or "")
                if offset is not None:
                    found.hold(offset, pod["metadata"].get("uid", ""))
        return found

    def assign(self, ctx: Context, pod: Obj, node: Obj) -> str | None:
        """The pod's IP: the one it has, else the lowest free one of the node's podCIDR."""
        ip = (pod.get("status") or {}).get("podIP")
        if ip:
            return str(ip)
        pool = self._range(ctx, node)
        if pool is None:
            return None
        offset = pool.take(pod["metadata"].get("uid", ""))
        return None if offset is None else pool.ip(offset)

    def release(self, pod: Obj) -> None:
        pool = self._nodes.get((pod.get("spec") or {}).get("nodeName") or "")
        ip = (pod.get("status") or {}).get("podIP")
        if pool is not None and ip:
            offset = pool.offset(ip)
            if offset is not None:
                pool.release(offset, pod["metadata"].get("uid", ""))


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
        if change.kind == "Node" and change.type == "ADDED":
            return (REGISTER_PREFIX + change.obj["metadata"]["name"],)
        if change.kind == "Node" and change.old is not None and change.type == "MODIFIED" \
                and heartbeat_stopped(change.old) and not heartbeat_stopped(change.obj):
            return (NODE_PREFIX + change.obj["metadata"]["name"],)
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(REGISTER_PREFIX):
            node = ctx.get("Node", "", key[len(REGISTER_PREFIX):])
            if node is not None:  # what a starting kubelet reports about its node
                ctx.record_event(node, "Normal", "Starting", "Starting kubelet.")
                ctx.record_event(node, "Normal", "NodeAllocatableEnforced",
                                 "Updated Node Allocatable limit across pods")
            return
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
        ip = internal_ip(node) if pod["spec"].get("hostNetwork") else self.ips.assign(ctx, pod, node)
        if ip is None:
            ctx.record_event(pod, "Warning", "FailedCreatePodSandBox",
                             "Failed to create pod sandbox: failed to allocate for range 0: "
                             "no IP addresses available in range set")
            ctx.requeue_after(SANDBOX_RETRY, key)  # the kubelet retries the sandbox
            return
        settings = ctx.settings
        timings = Timings(float(settings.pod_startup), float(settings.image_pull))
        owner = controller_of(pod)
        is_job = owner is not None and owner.get("kind") == "Job"
        job_duration = float(settings.job_duration) if is_job else None
        status, due, events, pulled = step_pod(pod, ctx.now, timings, settings.image_faults or {},
                                               internal_ip(node), ip, node_images(node),
                                               settings.image_runs or {}, job_duration)
        if pulled:
            _record_images(ctx, node, pulled)
        if status != pod.get("status"):
            updated = dict(pod)
            updated["status"] = status
            pod = ctx.update_status(updated)
        for type_, reason, message in events:
            ctx.record_event(pod, type_, reason, message)
        if due is not None:
            ctx.requeue_at(due, key)
