"""Pod garbage collection of orphaned pods (pkg/controller/podgc `gcOrphaned`).

A pod bound to a node that does not exist (`kapply delete node X`, or a manifest whose
`spec.nodeName` names no node) would otherwise stay forever, counted by its ReplicaSet. As PodGC
does, once the node has stayed absent for the 40 s quarantine its pods are force-deleted (grace
period 0), so their owners replace them on the nodes there are. A node (re-)created within the
quarantine keeps them.

Keys are node names. Triggers: a Node's deletion, and a Pod created already bound (rare: the
scheduler binds with an update), so the pod writes of a running cluster cost nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context

QUARANTINE = 40.0  # seconds: podgc's quarantineTime
CHECK_PREFIX = "check:"


class PodGC:
    """Force-deletes the pods of nodes that have been absent for the quarantine period."""

    name = "podgc"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "Node" and change.type == "DELETED":
            return (CHECK_PREFIX + change.name,)
        if change.kind == "Pod" and change.type == "ADDED":
            node = (change.obj.get("spec") or {}).get("nodeName")
            return (CHECK_PREFIX + node,) if node else ()
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(CHECK_PREFIX):  # is the node missing? then look again after the quarantine
            node = key[len(CHECK_PREFIX):]
            if ctx.get("Node", "", node) is None:
                ctx.requeue_after(QUARANTINE, node)
            return
        if ctx.get("Node", "", key) is not None:
            return
        for pod in ctx.list("Pod", node=key):
            meta = pod["metadata"]
            ctx.delete("Pod", meta.get("namespace", ""), meta["name"], grace_seconds=0)
