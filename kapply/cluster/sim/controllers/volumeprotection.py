"""The pvc-protection and pv-protection controllers (pkg/controller/volume/pvcprotection,
pvprotection): a claim being deleted keeps its `kubernetes.io/pvc-protection` finalizer while a
scheduled, unfinished pod mounts it (`get pvc` shows it Terminating); a volume being deleted
keeps `kubernetes.io/pv-protection` while it is Bound. Keys: `pvc:ns/name`, `pv:name`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, ns_key, split_key
from kapply.cluster.sim.helpers.volumebinding import claim_names
from kapply.cluster.sim.storage.helpers import PV_PROTECTION, PVC_PROTECTION
from kapply.model.jsoncopy import deep_copy

Obj = dict[str, Any]
PVC, PV = "pvc:", "pv:"


def _deleting_with(obj: Obj, finalizer: str) -> bool:
    meta = obj.get("metadata") or {}
    return bool(meta.get("deletionTimestamp")) and finalizer in (meta.get("finalizers") or ())


def _uses(pod: Obj, claim: str) -> bool:
    """podUsesPVC: a pod on a node, not finished, that mounts the claim."""
    return bool((pod.get("spec") or {}).get("nodeName")) and \
        (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") and \
        any(name == claim for name, _ in claim_names(pod))


class VolumeProtectionController:
    """Both protection controllers (they differ only in what keeps the finalizer)."""

    name = "volume-protection"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "PersistentVolumeClaim" and _deleting_with(change.obj, PVC_PROTECTION):
            return [PVC + ns_key(change.obj)]
        if change.kind == "PersistentVolume" and _deleting_with(change.obj, PV_PROTECTION):
            return [PV + change.name]
        if change.kind == "Pod" and (change.type == "DELETED" or (change.obj.get("status") or {}).get("phase")
                                     in ("Succeeded", "Failed")):
            return [f"{PVC}{change.namespace}/{name}" for name, _ in claim_names(change.obj)]
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(PV):
            volume = ctx.get("PersistentVolume", "", key[len(PV):])
            if volume is not None and _deleting_with(volume, PV_PROTECTION) and \
                    (volume.get("status") or {}).get("phase") != "Bound":
                self._release(ctx, volume, PV_PROTECTION)
            return
        namespace, name = split_key(key[len(PVC):])
        claim = ctx.get("PersistentVolumeClaim", namespace, name)
        if claim is None or not _deleting_with(claim, PVC_PROTECTION):
            return
        if not any(_uses(pod, name) for pod in ctx.list("Pod", namespace)):
            self._release(ctx, claim, PVC_PROTECTION)

    def _release(self, ctx: Context, obj: Obj, finalizer: str) -> None:
        updated = deep_copy(obj)
        updated["metadata"]["finalizers"] = [f for f in updated["metadata"]["finalizers"] if f != finalizer]
        if not updated["metadata"]["finalizers"]:
            del updated["metadata"]["finalizers"]
        ctx.update(updated)
