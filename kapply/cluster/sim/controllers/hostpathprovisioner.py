"""minikube's storage-provisioner: the external provisioner `k8s.io/minikube-hostpath`.

As sig-storage-lib-external-provisioner runs it: a claim the PersistentVolume controller
handed to this provisioner (`volume.kubernetes.io/storage-provisioner`), once a node is
selected when its class waits for the first consumer, gets a hostPath volume `pvc-<uid>` at
`/tmp/hostpath-provisioner/<namespace>/<claim>`: the claim's size and access modes, the class's
reclaim policy and mount options, a claimRef to the claim (events `Provisioning`,
`ProvisioningSucceeded`). A volume it made that is Released with the Delete policy is deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, ns_key, split_key
from kapply.cluster.sim.storage.classes import PROVISIONER
from kapply.cluster.sim.storage.helpers import (
    BETA_STORAGE_PROVISIONER,
    PROVISIONED_BY,
    SELECTED_NODE,
    STORAGE_PROVISIONER,
    claim_class,
    claim_ref,
)

Obj = dict[str, Any]
DELETE = "delete:"
IDENTITY = str(uuid.uuid5(uuid.NAMESPACE_URL, "kapply:hostpath-provisioner-identity"))
ROOT = "/tmp/hostpath-provisioner"


def _annotations(obj: Obj) -> dict[str, Any]:
    return (obj.get("metadata") or {}).get("annotations") or {}


def _mine(claim: Obj) -> bool:
    annotations = _annotations(claim)
    return PROVISIONER in (annotations.get(STORAGE_PROVISIONER), annotations.get(BETA_STORAGE_PROVISIONER))


def _releasable(volume: Obj) -> bool:
    return (_annotations(volume).get(PROVISIONED_BY) == PROVISIONER
            and (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete"
            and (volume.get("status") or {}).get("phase") == "Released")


class HostPathProvisioner:
    """The provisioner (its events' source is `k8s.io/minikube-hostpath_minikube_<id>`)."""

    name = "hostpath-provisioner"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "PersistentVolumeClaim" and change.type != "DELETED" and _mine(change.obj):
            return [ns_key(change.obj)]
        if change.kind == "PersistentVolume" and change.type != "DELETED" and _releasable(change.obj):
            return [DELETE + change.name]
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(DELETE):
            volume = ctx.get("PersistentVolume", "", key[len(DELETE):])
            if volume is not None and _releasable(volume) and not volume["metadata"].get("deletionTimestamp"):
                ctx.delete("PersistentVolume", "", volume["metadata"]["name"])
            return
        namespace, name = split_key(key)
        claim = ctx.get("PersistentVolumeClaim", namespace, name)
        if claim is None or not self._should_provision(ctx, claim):
            return
        class_name = claim_class(claim)
        storage_class = ctx.get("StorageClass", "", class_name) or {}
        pv_name = f"pvc-{claim['metadata'].get('uid', '')}"
        if ctx.get("PersistentVolume", "", pv_name) is not None:
            return
        ctx.record_event(claim, "Normal", "Provisioning",
                         f'External provisioner is provisioning volume for claim "{namespace}/{name}"')
        if (claim.get("spec") or {}).get("selector") is not None:
            ctx.record_event(claim, "Warning", "ProvisioningFailed", f'failed to provision volume with '
                             f'StorageClass "{class_name}": claim.Spec.Selector is not supported')
            return
        ctx.create(self._volume(claim, storage_class, pv_name))
        ctx.record_event(claim, "Normal", "ProvisioningSucceeded",
                         f"Successfully provisioned volume {pv_name}")

    def _should_provision(self, ctx: Context, claim: Obj) -> bool:
        """shouldProvision: handed to this provisioner, unbound, a node chosen if the class waits."""
        if not _mine(claim) or (claim.get("spec") or {}).get("volumeName") or \
                claim["metadata"].get("deletionTimestamp"):
            return False
        storage_class = ctx.get("StorageClass", "", claim_class(claim))
        if storage_class is None or storage_class.get("provisioner") != PROVISIONER:
            return False
        waits = storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"
        return not waits or SELECTED_NODE in _annotations(claim)

    def _volume(self, claim: Obj, storage_class: Obj, pv_name: str) -> Obj:
        spec = claim.get("spec") or {}
        meta = claim["metadata"]
        size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")
        volume: Obj = {
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": pv_name, "annotations": {"hostPathProvisionerIdentity": IDENTITY,
                                                          PROVISIONED_BY: PROVISIONER}},
            "spec": {
                "accessModes": list(spec.get("accessModes") or []),
                "capacity": {"storage": size},
                "claimRef": claim_ref(claim),
                "hostPath": {"path": f"{ROOT}/{meta.get('namespace', '')}/{meta['name']}", "type": ""},
                "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
                "storageClassName": claim_class(claim),
                "volumeMode": spec.get("volumeMode") or "Filesystem",
            },
        }
        if storage_class.get("mountOptions"):
            volume["spec"]["mountOptions"] = list(storage_class["mountOptions"])
        return volume
