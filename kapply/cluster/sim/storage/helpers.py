"""Volume and claim facts (pkg/controller/volume/persistentvolume/util, component-helpers'
storage/volume): a claim's class, binding modes, the annotations of a binding, the volume
that best matches a claim (FindMatchingVolume and the controller's access-mode index), and a
volume's node affinity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from kapply.cluster.sim.helpers.schedfit import matches_node_affinity
from kapply.model.jsoncopy import deep_copy
from kapply.model.quantity import QuantityError, parse_quantity
from kapply.model.selectors import from_label_selector
from kapply.model.storage import BETA_STORAGE_CLASS, annotations_of, is_default_class, storage_class_of

Obj = dict[str, Any]
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
SELECTED_NODE = "volume.kubernetes.io/selected-node"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"


def has_class(claim: Obj) -> bool:
    """PersistentVolumeClaimHasClass: the claim names a class (even "")."""
    return "storageClassName" in (claim.get("spec") or {}) or BETA_STORAGE_CLASS in annotations_of(claim)


def claim_class(claim: Obj) -> str:
    """GetPersistentVolumeClaimClass."""
    return storage_class_of(claim)


def volume_class(volume: Obj) -> str:
    """GetPersistentVolumeClass."""
    return storage_class_of(volume)


def default_class(classes: Iterable[Obj]) -> Obj | None:
    """GetDefaultClass: the newest of the classes marked default (then by name)."""
    defaults = [c for c in classes if is_default_class(c)]
    if not defaults:
        return None
    return max(defaults, key=lambda c: (str(c["metadata"].get("creationTimestamp", "")),
                                        c["metadata"]["name"]))


def is_delay_binding(reader: Any, claim: Obj) -> bool:
    """IsDelayBindingMode: the claim's class binds at the first consumer."""
    name = claim_class(claim)
    storage_class = reader.get("StorageClass", "", name) if name else None
    return storage_class is not None and storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"


def fully_bound(claim: Obj) -> bool:
    """The claim names its volume and the binding is complete."""
    return bool((claim.get("spec") or {}).get("volumeName")) and BIND_COMPLETED in annotations_of(claim)


def storage(value: Any) -> Fraction:
    """A `storage` quantity (0 when absent or malformed)."""
    try:
        return parse_quantity(value) if value is not None else Fraction(0)
    except QuantityError:
        return Fraction(0)


def requested(claim: Obj) -> Fraction:
    return storage(((claim.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage"))


def capacity(volume: Obj) -> Fraction:
    return storage(((volume.get("spec") or {}).get("capacity") or {}).get("storage"))


def claim_ref(claim: Obj) -> Obj:
    """reference.GetReference(claim): the ObjectReference a bound volume keeps."""
    meta = claim["metadata"]
    return {"kind": "PersistentVolumeClaim", "namespace": meta.get("namespace", ""), "name": meta["name"],
            "uid": meta.get("uid", ""), "apiVersion": "v1",
            "resourceVersion": meta.get("resourceVersion", "")}


def bound_to(volume: Obj, claim: Obj) -> bool:
    """IsVolumeBoundToClaim: pre-bound or bound to this claim (the uid, when set, must agree)."""
    ref = (volume.get("spec") or {}).get("claimRef")
    meta = claim["metadata"]
    if not isinstance(ref, dict) or ref.get("name") != meta["name"] or \
            ref.get("namespace") != meta.get("namespace"):
        return False
    return not ref.get("uid") or ref.get("uid") == meta.get("uid")


def bind_volume_to_claim(volume: Obj, claim: Obj) -> tuple[Obj, bool]:
    """GetBindVolumeToClaim: (the volume with its claimRef, whether it changed)."""
    set_by_controller = not bound_to(volume, claim)
    updated = deep_copy(volume)
    ref = (volume.get("spec") or {}).get("claimRef") or {}
    meta = claim["metadata"]
    dirty = False
    if (ref.get("name"), ref.get("namespace"), ref.get("uid")) != (meta["name"], meta.get("namespace"),
                                                                   meta.get("uid")):
        updated.setdefault("spec", {})["claimRef"] = claim_ref(claim)
        dirty = True
    annotations = updated["metadata"].setdefault("annotations", {})
    if set_by_controller and BOUND_BY_CONTROLLER not in annotations:
        annotations[BOUND_BY_CONTROLLER] = "yes"
        dirty = True
    return updated, dirty


def volume_mode_mismatch(claim: Obj, volume: Obj) -> bool:
    """CheckVolumeModeMismatches (an unset mode is Filesystem)."""
    return ((claim.get("spec") or {}).get("volumeMode") or "Filesystem") != \
        ((volume.get("spec") or {}).get("volumeMode") or "Filesystem")


def access_modes_ok(claim: Obj, volume: Obj) -> bool:
    """CheckAccessModes: the volume offers every mode the claim asks for."""
    return set((claim.get("spec") or {}).get("accessModes") or ()) <= \
        set((volume.get("spec") or {}).get("accessModes") or ())


def volume_allows_node(volume: Obj, labels: Mapping[str, str], name: str | None = None) -> bool:
    """CheckNodeAffinity: the volume's required node affinity admits the node."""
    required = ((volume.get("spec") or {}).get("nodeAffinity") or {}).get("required")
    if not required:
        return True
    spec = {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}
    return matches_node_affinity(spec, labels, name)


def find_matching_volume(claim: Obj, volumes: Iterable[Obj], node_labels: Mapping[str, str] | None,
                         excluded: set[str], delay_binding: bool) -> Obj | None:
    """FindMatchingVolume: a volume pre-bound to the claim, else the smallest Available one that
    fits (class, size, selector, mode; access modes and node affinity on the scheduler's path)."""
    want, want_class = requested(claim), claim_class(claim)
    sel = (claim.get("spec") or {}).get("selector")
    selector = from_label_selector(sel) if isinstance(sel, dict) else None
    smallest: Obj | None = None
    for volume in volumes:
        meta = volume["metadata"]
        if meta["name"] in excluded or volume_mode_mismatch(claim, volume) or meta.get("deletionTimestamp"):
            continue
        node_ok = node_labels is None or volume_allows_node(volume, node_labels)
        if bound_to(volume, claim):
            if capacity(volume) < want:
                continue
            return volume if node_ok else None
        if node_labels is None and delay_binding:
            continue  # the scheduler binds this claim
        if (volume.get("status") or {}).get("phase") != "Available" or \
                (volume.get("spec") or {}).get("claimRef"):
            continue
        if selector is not None and not selector.matches(meta.get("labels")):
            continue
        if volume_class(volume) != want_class or not node_ok:
            continue
        if node_labels is not None and not access_modes_ok(claim, volume):
            continue
        if capacity(volume) >= want and (smallest is None or capacity(smallest) > capacity(volume)):
            smallest = volume
    return smallest


def best_match_for_claim(claim: Obj, volumes: Iterable[Obj], delay_binding: bool) -> Obj | None:
    """findBestMatchForClaim: volumes indexed by access modes, those offering the fewest modes
    that still cover the claim's tried first."""
    wanted = set((claim.get("spec") or {}).get("accessModes") or ())
    groups: dict[tuple[str, ...], list[Obj]] = {}
    for volume in volumes:
        modes = tuple(sorted(set((volume.get("spec") or {}).get("accessModes") or ())))
        if wanted <= set(modes):
            groups.setdefault(modes, []).append(volume)
    for modes in sorted(groups, key=lambda m: (len(m), m)):
        found = find_matching_volume(claim, groups[modes], None, set(), delay_binding)
        if found is not None:
            return found
    return None
