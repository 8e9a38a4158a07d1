"""A Pod from a controller's pod template (controller.GetPodFromTemplate).

Shared by the StatefulSet, DaemonSet and Job controllers: the template's labels, annotations and
finalizers, plus whatever the controller adds (identity labels, a revision hash), a controller
ownerReference to the owner, and a copy of the pod spec. The caller names the pod and creates it.
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.controllers.base import Obj
from kapply.cluster.sim.helpers.refmanager import controller_ref
from kapply.model.jsoncopy import deep_copy

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # utilrand's: what generateName suffixes are made of


def pod_from_template(owner: Obj, template: Obj | None, labels: dict[str, str] | None = None,
                      annotations: dict[str, str] | None = None) -> Obj:
    """A new Pod (no name yet) of `owner`'s template, with extra labels and annotations."""
    template = template or {}
    t_meta = template.get("metadata") or {}
    meta: dict[str, Any] = {"namespace": owner["metadata"].get("namespace", "")}
    merged_labels = {**(t_meta.get("labels") or {}), **(labels or {})}
    merged_annotations = {**(t_meta.get("annotations") or {}), **(annotations or {})}
    if merged_labels:
        meta["labels"] = merged_labels
    if merged_annotations:
        meta["annotations"] = merged_annotations
    if t_meta.get("finalizers"):
        meta["finalizers"] = list(t_meta["finalizers"])
    meta["ownerReferences"] = [controller_ref(owner)]
    spec = deep_copy(template.get("spec") or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def random_suffix(rng: Any, length: int = 5) -> str:
    """A generateName suffix drawn from the simulation's seeded randomness."""
    return "".join(rng.choice(NAME_ALPHABET) for _ in range(length))


def generated_name(ctx: Any, namespace: str, prefix: str, kind: str = "Pod") -> str:
    """`prefix` plus a random suffix no object of `kind` in `namespace` has yet."""
    while True:
        name = prefix + random_suffix(ctx.random)
        if ctx.get(kind, namespace, name) is None:
            return name
