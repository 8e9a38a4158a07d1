"""StorageClass and claim facts every layer reads the same way (component-helpers' storage):
which class is the default, and a claim's or volume's class (the beta annotation still wins)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Obj = dict[str, Any]
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"


def annotations_of(obj: Obj) -> Mapping[str, Any]:
    """An object's annotations, empty when it has none."""
    return (obj.get("metadata") or {}).get("annotations") or {}


def is_default_class(storage_class: Obj) -> bool:
    """IsDefaultAnnotation: marked `"true"` by the GA or the beta annotation."""
    annotations = annotations_of(storage_class)
    return annotations.get(DEFAULT_CLASS) == "true" or annotations.get(BETA_DEFAULT_CLASS) == "true"


def storage_class_of(obj: Obj) -> str:
    """GetPersistentVolume[Claim]Class: the beta annotation, else spec.storageClassName."""
    annotations = annotations_of(obj)
    if BETA_STORAGE_CLASS in annotations:
        return str(annotations[BETA_STORAGE_CLASS])
    return str((obj.get("spec") or {}).get("storageClassName") or "")
