"""The storage admission plugins: DefaultStorageClass and StorageObjectInUseProtection.

DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault) gives a claim
created without a class the default StorageClass (`storageclass.kubernetes.io/is-default-class:
"true"`; the newest when several are marked). StorageObjectInUseProtection adds the
`kubernetes.io/pvc-protection` and `kubernetes.io/pv-protection` finalizers, so a claim in use
by a pod, or a bound volume, outlives its deletion until it is free. Both act on create only;
the API server's create also resets a claim's or volume's status (a new volume is Pending).
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.clock import rfc3339
from kapply.cluster.sim.storage.helpers import PV_PROTECTION, PVC_PROTECTION, default_class, has_class

Obj = dict[str, Any]


class DefaultStorageClass:
    """Admission plugin (see admission.AdmissionPlugin)."""

    kinds = ("PersistentVolumeClaim",)

    def admit(self, api: Any, op: str, obj: Obj, old: Obj | None) -> None:
        spec = obj.get("spec")
        if op != "CREATE" or not isinstance(spec, dict) or has_class(obj):
            return
        found = default_class(api.list("StorageClass"))
        if found is not None:
            spec["storageClassName"] = found["metadata"]["name"]

    def released(self, api: Any, obj: Obj) -> None:
        """Nothing is allocated."""


class StorageObjectInUseProtection:
    """Admission plugin (see admission.AdmissionPlugin); also PrepareForCreate's status reset."""

    kinds = ("PersistentVolumeClaim", "PersistentVolume")

    def admit(self, api: Any, op: str, obj: Obj, old: Obj | None) -> None:
        if op != "CREATE":
            return
        meta = obj.setdefault("metadata", {})
        finalizer = PVC_PROTECTION if obj.get("kind") == "PersistentVolumeClaim" else PV_PROTECTION
        finalizers = meta.get("finalizers")
        if not isinstance(finalizers, list):
            finalizers = []
        if finalizer not in finalizers:
            meta["finalizers"] = [*finalizers, finalizer]
        if obj.get("kind") == "PersistentVolume":
            obj["status"] = {"phase": "Pending", "lastPhaseTransitionTime": rfc3339(api.now)}
        else:
            obj["status"] = {"phase": "Pending"}  # reset, and defaulted again when read

    def released(self, api: Any, obj: Obj) -> None:
        """Nothing is allocated."""
