"""Pod garbage collection of orphaned pods (pkg/controller/podgc `gcOrphaned`).

A pod bound to a node that no longer exists (`kapply delete node X`) would otherwise stay
Running forever, counted as available by its ReplicaSet. As PodGC does, once a deleted node has
stayed absent for the 40 s quarantine its pods are force-deleted (grace period 0), so their
owners replace them on the nodes that are left. A node re-created within the quarantine keeps them.

Keys are node names; the only trigger is a Node's deletion, so pod writes cost nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context

QUARANTINE = 40.0  # seconds: podgc's quarantineTime
DELETED_PREFIX = "deleted:"


class PodGC:
    """Force-deletes the pods of nodes that have been gone for the quarantine period."""

    name = "podgc"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "Node" and change.type == "DELETED":
            return (DELETED_PREFIX + change.name,)
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(DELETED_PREFIX):  # the node just went: look again after the quarantine
            ctx.requeue_after(QUARANTINE, key[len(DELETED_PREFIX):])
            return
        if ctx.get("Node", "", key) is not None:
            return
        for pod in ctx.list("Pod", node=key):
            meta = pod["metadata"]
            ctx.delete("Pod", meta.get("namespace", ""), meta["name"], grace_seconds=0)
