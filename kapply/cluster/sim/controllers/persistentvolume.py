"""The PersistentVolume controller (pkg/controller/volume/persistentvolume/pv_controller.go).

Binds claims to volumes and keeps both phases true. An unbound claim gets the volume that
matches best (pre-bound, else the smallest Available one of its class that is big enough and
offers its access modes, `storage.helpers`); without one it is retroactively given the default
class, waits for its first consumer (`WaitForFirstConsumer`), asks the external provisioner of
its class (`ExternalProvisioning`), or stays Pending (`FailedBinding`). A volume whose claim is
gone is Released and reclaimed: Retain keeps it, Delete removes it (the provisioner removes
the volumes it made), Recycle makes it Available again. Keys are `claim:ns/name`,
`volume:name` and `classes` (a new class: claims without one may get it). Unbound claims are
looked at again every 15 s (the controller's sync period), as housekeeping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, ns_key, split_key
from kapply.cluster.sim.nodes import rfc3339
from kapply.cluster.sim.storage.helpers import (
    BETA_STORAGE_PROVISIONER,
    BIND_COMPLETED,
    BOUND_BY_CONTROLLER,
    PROVISIONED_BY,
    SELECTED_NODE,
    STORAGE_PROVISIONER,
    access_modes_ok,
    best_match_for_claim,
    bind_volume_to_claim,
    bound_to,
    capacity,
    claim_class,
    default_class,
    has_class,
    is_delay_binding,
    requested,
    volume_class,
    volume_mode_mismatch,
)
from kapply.model.jsoncopy import deep_copy

Obj = dict[str, Any]
CLAIM, VOLUME, CLASSES = "claim:", "volume:", "classes"
SYNC_PERIOD = 15.0  # --pvclaimbinder-sync-period
EXTERNAL_PROVISIONING = ("Waiting for a volume to be created either by the external provisioner '{}' or "
                         "manually by the system administrator. If volume creation is delayed, please verify "
                         "that the provisioner is running and correctly registered.")
LOST_REFERENCE = "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"
LOST_VOLUME = "Bound claim has lost its PersistentVolume. Data on the volume is lost!"
MISBOUND = "Two claims are bound to the same volume, this one is bound incorrectly"
NO_RECYCLER = "No recycler plugin found for the volume!"
UNKNOWN_POLICY = "Volume has unrecognized PersistentVolumeReclaimPolicy"
TMP_PATH = re.compile(r"^/tmp/.+$")


def _annotations(obj: Obj) -> dict[str, Any]:
    return (obj.get("metadata") or {}).get("annotations") or {}


class PersistentVolumeController:
    """The binder of claims and volumes (events as `persistentvolume-controller`)."""

    name = "persistentvolume-controller"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "PersistentVolumeClaim":
            if _status_only(change):
                return ()  # its own status write
            keys = [] if change.type == "DELETED" else [CLAIM + ns_key(change.obj)]
            volume = (change.obj.get("spec") or {}).get("volumeName")
            if change.type == "DELETED" and volume:
                keys.append(VOLUME + str(volume))
            return keys
        if change.kind == "PersistentVolume":
            keys = [] if change.type == "DELETED" else [VOLUME + change.name]
            ref = (change.obj.get("spec") or {}).get("claimRef")
            if isinstance(ref, dict):  # a new or changed volume may complete a claim's binding
                keys.append(f"{CLAIM}{ref.get('namespace', '')}/{ref.get('name', '')}")
            return keys
        if change.kind == "StorageClass" and change.type == "ADDED":
            return [CLASSES]
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key == CLASSES:
            for claim in ctx.list("PersistentVolumeClaim"):
                if not has_class(claim) and not (claim.get("spec") or {}).get("volumeName"):
                    ctx.requeue_at(ctx.now, CLAIM + ns_key(claim))
        elif key.startswith(CLAIM):
            namespace, name = split_key(key[len(CLAIM):])
            claim = ctx.get("PersistentVolumeClaim", namespace, name)
            if claim is None:
                ctx.memory.get("provisioning", {}).pop(f"{namespace}/{name}", None)
                return
            if BIND_COMPLETED in _annotations(claim):
                self._bound_claim(ctx, claim)
            else:
                self._unbound_claim(ctx, claim)
            claim = ctx.get("PersistentVolumeClaim", namespace, name)
            if claim is not None and (claim.get("status") or {}).get("phase") != "Bound":
                ctx.requeue_at(ctx.now + SYNC_PERIOD, key, housekeeping=True)
        elif key.startswith(VOLUME):
            volume = ctx.get("PersistentVolume", "", key[len(VOLUME):])
            if volume is not None:
                self._volume(ctx, volume)

    # ---- claims ----------------------------------------------------------------------------

    def _unbound_claim(self, ctx: Context, claim: Obj) -> None:
        """syncUnboundClaim."""
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name:
            delay = is_delay_binding(ctx, claim)
            volume = best_match_for_claim(claim, ctx.list("PersistentVolume"), delay)
            if volume is not None:
                self._bind(ctx, volume, claim)
                return
            if self._assign_default_class(ctx, claim):
                return
            if delay and SELECTED_NODE not in _annotations(claim):
                self._wait_for_consumer(ctx, claim)
            elif claim_class(claim):
                self._provision(ctx, claim)
                return
            else:
                ctx.record_event(claim, "Normal", "FailedBinding",
                                 "no persistent volumes available for this claim and no storage class is set")
            self._claim_status(ctx, claim, "Pending", None)
            return
        volume = ctx.get("PersistentVolume", "", str(volume_name))
        if volume is None:  # asked for a volume that does not exist (yet)
            self._claim_status(ctx, claim, "Pending", None)
            return
        if not (volume.get("spec") or {}).get("claimRef"):
            problem = _satisfies(volume, claim)
            if problem:
                ctx.record_event(claim, "Warning", "VolumeMismatch",
                                 f'Cannot bind to requested volume "{volume["metadata"]["name"]}": {problem}')
                self._claim_status(ctx, claim, "Pending", None)
            else:
                self._bind(ctx, volume, claim)
        elif bound_to(volume, claim):
            self._bind(ctx, volume, claim)
        else:
            ctx.record_event(claim, "Warning", "FailedBinding",
                             f'volume "{volume["metadata"]["name"]}" already bound to a different claim.')
            if BOUND_BY_CONTROLLER not in _annotations(claim):
                self._claim_status(ctx, claim, "Pending", None)

    def _bound_claim(self, ctx: Context, claim: Obj) -> None:
        """syncBoundClaim: a claim bound before, checked against its volume."""
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name:
            self._lost(ctx, claim, "ClaimLost", LOST_REFERENCE)
            return
        volume = ctx.get("PersistentVolume", "", str(volume_name))
        if volume is None:
            self._lost(ctx, claim, "ClaimLost", LOST_VOLUME)
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref or ref.get("uid") == claim["metadata"].get("uid"):
            self._bind(ctx, volume, claim)
        else:
            self._lost(ctx, claim, "ClaimMisbound", MISBOUND)

    def _lost(self, ctx: Context, claim: Obj, reason: str, message: str) -> None:
        """updateClaimStatusWithEvent: the event only when the phase changes."""
        if (claim.get("status") or {}).get("phase") != "Lost":
            self._claim_status(ctx, claim, "Lost", None)
            ctx.record_event(claim, "Warning", reason, message)

    def _assign_default_class(self, ctx: Context, claim: Obj) -> bool:
        """assignDefaultStorageClass: a claim created before any default class gets it now."""
        if has_class(claim):
            return False
        found = default_class(ctx.list("StorageClass"))
        if found is None:
            return False
        updated = deep_copy(claim)
        updated.setdefault("spec", {})["storageClassName"] = found["metadata"]["name"]
        ctx.update(updated)
        return True

    def _wait_for_consumer(self, ctx: Context, claim: Obj) -> None:
        """emitEventForUnboundDelayBindingClaim."""
        from kapply.cluster.sim.helpers.volumebinding import claim_names

        name = claim["metadata"]["name"]
        waiting = [p["metadata"]["name"] for p in ctx.list("Pod", claim["metadata"].get("namespace", ""))
                   if not (p.get("spec") or {}).get("nodeName")
                   and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
                   and any(c == name for c, _ in claim_names(p))]
        if not waiting:
            ctx.record_event(claim, "Normal", "WaitForFirstConsumer",
                             "waiting for first consumer to be created before binding")
        elif len(waiting) == 1:
            ctx.record_event(claim, "Normal", "WaitForPodScheduled",
                             f"waiting for pod {waiting[0]} to be scheduled")
        else:
            ctx.record_event(claim, "Normal", "WaitForPodScheduled",
                             f"waiting for pods {','.join(waiting)} to be scheduled")

    def _provision(self, ctx: Context, claim: Obj) -> None:
        """provisionClaim for an external provisioner (every simulated class has one)."""
        class_name = claim_class(claim)
        storage_class = ctx.get("StorageClass", "", class_name)
        if storage_class is None:
            ctx.record_event(claim, "Warning", "ProvisioningFailed",
                             f'storageclass.storage.k8s.io "{class_name}" not found')
            return
        provisioner = str(storage_class.get("provisioner", ""))
        if provisioner.startswith("kubernetes.io/"):  # in-tree: none is left to provision
            ctx.record_event(claim, "Warning", "ProvisioningFailed",
                             f"no volume plugin matched name: {provisioner}")
            return
        seen = ctx.memory.setdefault("provisioning", {})
        key = ns_key(claim)
        if seen.get(key) == ctx.now:
            return  # this instant's provisioning request is under way (scheduleOperation)
        seen[key] = ctx.now
        annotations = _annotations(claim)
        if annotations.get(STORAGE_PROVISIONER) != provisioner or \
                annotations.get(BETA_STORAGE_PROVISIONER) != provisioner:
            updated = deep_copy(claim)  # setClaimProvisioner
            notes = updated["metadata"].setdefault("annotations", {})
            notes[STORAGE_PROVISIONER] = notes[BETA_STORAGE_PROVISIONER] = provisioner
            ctx.update(updated)
        ctx.record_event(claim, "Normal", "ExternalProvisioning", EXTERNAL_PROVISIONING.format(provisioner))

    def _bind(self, ctx: Context, volume: Obj, claim: Obj) -> None:
        """bind: the volume's claimRef, its phase, the claim's volumeName, its status."""
        updated, dirty = bind_volume_to_claim(volume, claim)
        if dirty:
            volume = ctx.update(updated)
        volume = self._volume_phase(ctx, volume, "Bound")
        updated = deep_copy(claim)  # bindClaimToVolume
        annotations = updated["metadata"].setdefault("annotations", {})
        changed = False
        if (claim.get("spec") or {}).get("volumeName") != volume["metadata"]["name"]:
            updated.setdefault("spec", {})["volumeName"] = volume["metadata"]["name"]
            annotations.setdefault(BOUND_BY_CONTROLLER, "yes")
            changed = True
        if BIND_COMPLETED not in annotations:
            annotations[BIND_COMPLETED] = "yes"
            changed = True
        if changed:
            claim = ctx.update(updated)
        self._claim_status(ctx, claim, "Bound", volume)
        ctx.memory.get("provisioning", {}).pop(ns_key(claim), None)

    def _claim_status(self, ctx: Context, claim: Obj, phase: str, volume: Obj | None) -> Obj:
        """updateClaimStatus: phase, and the volume's access modes and capacity."""
        status = dict(claim.get("status") or {})
        before = dict(status)
        becoming = status.get("phase") != phase
        status["phase"] = phase
        if volume is None:
            status.pop("accessModes", None)
            status.pop("capacity", None)
        else:
            status["accessModes"] = list((volume.get("spec") or {}).get("accessModes") or [])
            if becoming:
                status["capacity"] = dict((volume.get("spec") or {}).get("capacity") or {})
        if status == before:
            return claim
        ordered = {k: status[k] for k in ("phase", "accessModes", "capacity") if k in status}
        ordered.update({k: v for k, v in status.items() if k not in ordered})
        return ctx.update_status(dict(claim, status=ordered))

    # ---- volumes ---------------------------------------------------------------------------

    def _volume_phase(self, ctx: Context, volume: Obj, phase: str, message: str = "") -> Obj:
        """updateVolumePhase (the API server stamps lastPhaseTransitionTime)."""
        status = volume.get("status") or {}
        if status.get("phase") == phase:
            return volume
        new: Obj = {"phase": phase}
        if message:
            new["message"] = message
        new["lastPhaseTransitionTime"] = rfc3339(ctx.now)
        return ctx.update_status(dict(volume, status=new))

    def _volume(self, ctx: Context, volume: Obj) -> None:
        """syncVolume."""
        ref = (volume.get("spec") or {}).get("claimRef")
        if not isinstance(ref, dict) or not ref.get("uid"):
            self._volume_phase(ctx, volume, "Available")  # unused, or pre-bound to a claim to come
            return
        claim = ctx.get("PersistentVolumeClaim", str(ref.get("namespace", "")), str(ref.get("name", "")))
        if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
            claim = None  # deleted, and another made with its name
        phase = (volume.get("status") or {}).get("phase")
        if claim is None:
            if phase not in ("Released", "Failed"):
                volume = self._volume_phase(ctx, volume, "Released")
            self._reclaim(ctx, volume)
            return
        bound_volume = (claim.get("spec") or {}).get("volumeName")
        if not bound_volume:
            ctx.requeue_at(ctx.now, CLAIM + ns_key(claim))  # the claim's sync finishes the binding
        elif bound_volume == volume["metadata"]["name"]:
            self._volume_phase(ctx, volume, "Bound")
        elif PROVISIONED_BY in _annotations(volume) and _policy(volume) == "Delete":
            if phase not in ("Released", "Failed"):
                volume = self._volume_phase(ctx, volume, "Released")
            self._reclaim(ctx, volume)
        else:
            self._unbind(ctx, volume)

    def _unbind(self, ctx: Context, volume: Obj) -> None:
        """unbindVolume: forget a binding the controller made (or only its uid, if a user's)."""
        updated = deep_copy(volume)
        annotations = updated["metadata"].get("annotations") or {}
        if BOUND_BY_CONTROLLER in annotations:
            updated["spec"].pop("claimRef", None)
            del annotations[BOUND_BY_CONTROLLER]
            if not annotations:
                updated["metadata"].pop("annotations", None)
        else:
            updated["spec"]["claimRef"] = dict(updated["spec"]["claimRef"], uid="")
        self._volume_phase(ctx, ctx.update(updated), "Available")

    def _reclaim(self, ctx: Context, volume: Obj) -> None:
        """reclaimVolume."""
        policy = _policy(volume)
        if policy == "Retain":
            return
        if policy == "Recycle":
            if "hostPath" in (volume.get("spec") or {}) or "nfs" in (volume.get("spec") or {}):
                ctx.record_event(volume, "Normal", "VolumeRecycled", "Volume recycled")
                self._unbind(ctx, volume)
            elif (volume.get("status") or {}).get("phase") != "Failed":
                ctx.record_event(volume, "Warning", "VolumeFailedRecycle", NO_RECYCLER)
                self._volume_phase(ctx, volume, "Failed", NO_RECYCLER)
            return
        if policy != "Delete":
            if (volume.get("status") or {}).get("phase") != "Failed":
                ctx.record_event(volume, "Warning", "VolumeUnknownReclaimPolicy", UNKNOWN_POLICY)
                self._volume_phase(ctx, volume, "Failed", UNKNOWN_POLICY)
            return
        plugin = str(_annotations(volume).get(PROVISIONED_BY, ""))
        if plugin and not plugin.startswith("kubernetes.io/"):
            return  # its external provisioner deletes it
        problem = _deleter_problem(volume)
        if problem:
            if (volume.get("status") or {}).get("phase") != "Failed":
                ctx.record_event(volume, "Warning", "VolumeFailedDelete", problem)
                self._volume_phase(ctx, volume, "Failed", problem)
            return
        if not volume["metadata"].get("deletionTimestamp"):
            ctx.delete("PersistentVolume", "", volume["metadata"]["name"])


def _status_only(change: Change) -> bool:
    """A write of nothing but the claim's status (the controller's own)."""
    old = change.old
    if change.type != "MODIFIED" or old is None or old.get("spec") != change.obj.get("spec"):
        return False
    before, after = old.get("metadata") or {}, change.obj.get("metadata") or {}
    return all(before.get(k) == after.get(k) for k in ("annotations", "deletionTimestamp", "finalizers"))


def _policy(volume: Obj) -> str:
    return str((volume.get("spec") or {}).get("persistentVolumeReclaimPolicy") or "Retain")


def _deleter_problem(volume: Obj) -> str:
    """Why no in-tree deleter can delete the volume ("" when the hostPath deleter can)."""
    host_path = (volume.get("spec") or {}).get("hostPath")
    if isinstance(host_path, dict):
        path = str(host_path.get("path", ""))
        return "" if TMP_PATH.match(path) else \
            f"host_path deleter only supports /tmp/.+ but received provided {path}"
    return (f'error getting deleter volume plugin for volume "{volume["metadata"]["name"]}": '
            "no deletable volume plugin matched")


def _satisfies(volume: Obj, claim: Obj) -> str:
    """checkVolumeSatisfyClaim: why a requested volume does not fit the claim ("" if it does)."""
    if volume["metadata"].get("deletionTimestamp"):
        return f'the volume is marked for deletion "{volume["metadata"]["name"]}"'
    if capacity(volume) < requested(claim):
        return "requested PV is too small"
    if volume_class(volume) != claim_class(claim):
        return "storageClassName does not match"
    if volume_mode_mismatch(claim, volume):
        return "incompatible volumeMode"
    if not access_modes_ok(claim, volume):
        return "incompatible accessMode"
    return ""
