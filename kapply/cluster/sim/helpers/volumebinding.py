"""The scheduler's VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding).

PreFilter: every claim a pod mounts must exist, not be lost or being deleted, and be bound
unless its class binds at the first consumer (`WaitForFirstConsumer`); otherwise the pod stays
Pending with `pod has unbound immediate PersistentVolumeClaims` or the claim's error. Filter,
per node: a bound claim's volume must allow the node (its nodeAffinity); a claim still to bind
needs a matching Available volume there, or a class that can provision (not
`kubernetes.io/no-provisioner`), and a claim the scheduler already chose a node for only fits
that node. PreBind, once a node is chosen: static volumes are bound to their claims, claims to
provision get `volume.kubernetes.io/selected-node`; the pod is bound when all its claims are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kapply.cluster.sim.controllers.base import Context
from kapply.cluster.sim.storage.helpers import (
    SELECTED_NODE,
    bind_volume_to_claim,
    claim_class,
    find_matching_volume,
    fully_bound,
    is_delay_binding,
    volume_allows_node,
)
from kapply.model.jsoncopy import deep_copy

Obj = dict[str, Any]
UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
NODE_CONFLICT = "node(s) didn't match PersistentVolume's node affinity"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
NO_PROVISIONER = "kubernetes.io/no-provisioner"


def claim_names(pod: Obj) -> list[tuple[str, bool]]:
    """(claim name, ephemeral) of every volume of the pod that is a PersistentVolumeClaim."""
    found = []
    meta = pod.get("metadata") or {}
    for vol in (pod.get("spec") or {}).get("volumes") or ():
        if not isinstance(vol, dict):
            continue
        if isinstance(vol.get("persistentVolumeClaim"), dict):
            found.append((str(vol["persistentVolumeClaim"].get("claimName", "")), False))
        elif isinstance(vol.get("ephemeral"), dict):
            found.append((f"{meta.get('name', '')}-{vol.get('name', '')}", True))
    return found


@dataclass
class PodVolumes:
    """The claims of a pod as the plugin sorts them (GetPodVolumeClaims)."""

    bound: list[tuple[Obj, Obj | None]] = field(default_factory=list)  # (claim, its volume)
    delayed: list[Obj] = field(default_factory=list)  # unbound, WaitForFirstConsumer

    def __bool__(self) -> bool:
        return bool(self.bound or self.delayed)


def prefilter(ctx: Context, pod: Obj) -> PodVolumes | str:
    """PreFilter: the pod's claims, or the message that makes it unschedulable everywhere."""
    namespace = (pod.get("metadata") or {}).get("namespace", "")
    volumes = PodVolumes()
    immediate = False
    for name, ephemeral in claim_names(pod):
        claim = ctx.get("PersistentVolumeClaim", namespace, name)
        if claim is None:
            if ephemeral:
                return f'waiting for ephemeral volume controller to create the persistentvolumeclaim "{name}"'
            return f'persistentvolumeclaim "{name}" not found'
        if (claim.get("status") or {}).get("phase") == "Lost":
            return (f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume '
                    f'"{(claim.get("spec") or {}).get("volumeName", "")}"')
        if claim["metadata"].get("deletionTimestamp"):
            return f'persistentvolumeclaim "{name}" is being deleted'
        if fully_bound(claim):
            volume_name = str((claim.get("spec") or {}).get("volumeName", ""))
            volumes.bound.append((claim, ctx.get("PersistentVolume", "", volume_name)))
        elif is_delay_binding(ctx, claim):
            volumes.delayed.append(claim)
        else:
            immediate = True
    if immediate:
        return UNBOUND_IMMEDIATE
    return volumes


def _volumes(ctx: Context) -> list[Obj]:
    return ctx.list("PersistentVolume")


def node_reason(ctx: Context, volumes: PodVolumes, node: Obj) -> str | None:
    """Filter: why the node cannot host these claims, or None."""
    labels = node["metadata"].get("labels") or {}
    name = node["metadata"]["name"]
    for _, volume in volumes.bound:
        if volume is None:
            return PV_NOT_EXIST
        if not volume_allows_node(volume, labels):
            return NODE_CONFLICT
    chosen: set[str] = set()
    for claim in volumes.delayed:
        match = find_matching_volume(claim, _volumes(ctx), labels, chosen, delay_binding=True)
        if match is not None:
            chosen.add(match["metadata"]["name"])
            continue
        selected = (claim["metadata"].get("annotations") or {}).get(SELECTED_NODE)
        if selected is not None:
            if selected != name:
                return BIND_CONFLICT
            continue
        storage_class = ctx.get("StorageClass", "", claim_class(claim))
        if storage_class is None or storage_class.get("provisioner") == NO_PROVISIONER:
            return BIND_CONFLICT
    return None


def prebind(ctx: Context, volumes: PodVolumes, node: Obj) -> bool:
    """PreBind: bind static volumes and ask for provisioning on the node; True when every claim
    of the pod is bound already (the pod can be bound now)."""
    labels = node["metadata"].get("labels") or {}
    chosen: set[str] = set()
    for claim in volumes.delayed:
        match = find_matching_volume(claim, _volumes(ctx), labels, chosen, delay_binding=True)
        if match is not None:
            chosen.add(match["metadata"]["name"])
            updated, dirty = bind_volume_to_claim(match, claim)
            if dirty:
                ctx.update(updated)
            continue
        annotations = claim["metadata"].get("annotations") or {}
        if annotations.get(SELECTED_NODE) != node["metadata"]["name"]:
            updated = deep_copy(claim)
            updated["metadata"].setdefault("annotations", {})[SELECTED_NODE] = node["metadata"]["name"]
            ctx.update(updated)
    return not volumes.delayed
