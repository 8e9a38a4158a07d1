"""The StorageClass a cluster is created with: minikube's `standard`, the default class, served
by its hostPath provisioner (`k8s.io/minikube-hostpath`, controllers/hostpathprovisioner.py)."""

from __future__ import annotations

from typing import Any

PROVISIONER = "k8s.io/minikube-hostpath"


def make_default_storage_class() -> dict[str, Any]:
    """minikube's storageclass addon: `standard (default)`, Delete, Immediate."""
    return {
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "standard", "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"},
                     "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": PROVISIONER, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate",
    }
