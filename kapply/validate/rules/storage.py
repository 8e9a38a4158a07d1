"""PersistentVolumeClaim rules (core ValidatePersistentVolumeClaimSpec).

Access modes required and supported, a positive storage request, a valid storage class name and
volume mode, and a valid selector.
"""

from __future__ import annotations

from typing import Any

from kapply.model.quantity import QuantityError, from_value
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Key, Path
from kapply.validate.rules.metadata import check_label_selector

_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_VOLUME_MODES = ("Block", "Filesystem")


def check_pvc(obj: dict[str, Any], errs: Errors) -> None:
    """ValidatePersistentVolumeClaim's spec checks."""
    spec = obj.get("spec")
    if isinstance(spec, dict):
        check_pvc_spec(spec, ("spec",), errs)


def check_pvc_spec(spec: dict[str, Any], path: Path, errs: Errors) -> None:
    """ValidatePersistentVolumeClaimSpec."""
    modes = spec.get("accessModes")
    modes = modes if isinstance(modes, list) else []
    if not modes:
        errs.required((*path, "accessModes"), "at least 1 access mode is required", "pvc-access-modes")
    selector = spec.get("selector")
    if isinstance(selector, dict):
        check_label_selector(selector, (*path, "selector"), errs)
    once_pod = other = False
    for mode in modes:
        if not isinstance(mode, str):
            continue
        if mode not in _ACCESS_MODES:
            errs.unsupported((*path, "accessModes"), mode, _ACCESS_MODES, "pvc-access-modes")
        elif mode == "ReadWriteOncePod":
            once_pod = True
        else:
            other = True
    if once_pod and other:
        errs.forbidden(
            (*path, "accessModes"), "may not use ReadWriteOncePod with other access modes", "pvc-access-modes"
        )
    resources = spec.get("resources")
    requests = resources.get("requests") if isinstance(resources, dict) else None
    storage_path = (*path, "resources", Key("storage"))
    if not isinstance(requests, dict) or "storage" not in requests:
        errs.required(storage_path, "", "pvc-storage")
    else:
        try:
            storage = from_value(requests["storage"])
        except QuantityError as exc:  # the API server fails to decode it
            errs.invalid(storage_path, requests["storage"], str(exc), "resource-quantity")
        else:
            if storage.sign <= 0:
                errs.invalid(storage_path, str(storage), "must be greater than zero", "pvc-storage")
    class_name = spec.get("storageClassName")
    if isinstance(class_name, str) and class_name:
        msgs = fmt.is_dns1123_subdomain(class_name)
        if msgs:
            errs.invalid_each((*path, "storageClassName"), class_name, msgs, "storage-class-name")
    mode = spec.get("volumeMode")
    if isinstance(mode, str) and mode not in _VOLUME_MODES:
        errs.unsupported((*path, "volumeMode"), mode, _VOLUME_MODES, "pvc-volume-mode")
