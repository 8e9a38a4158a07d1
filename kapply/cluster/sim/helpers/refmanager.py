"""Controller references: who owns what, adoption of orphans and release of strays.

Mirrors controller.ControllerRefManager (pkg/controller/controller_ref_manager.go), shared by the
replica manager (owner ReplicaSet/RC, dependents Pods) and the Deployment controller (owner
Deployment, dependents ReplicaSets): an object whose controller ownerReference names the owner is
kept while the selector matches it and released (reference removed) when it stops matching; an
orphan the selector matches is adopted, unless the owner or the orphan is being deleted.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Context, Obj, controller_of
from kapply.errors import ClusterError
from kapply.model.selectors import Selector


def controller_ref(owner: Obj) -> dict[str, Any]:
    """metav1.NewControllerRef: the ownerReference a controller puts on what it creates."""
    meta = owner["metadata"]
    return {"apiVersion": owner.get("apiVersion", ""), "kind": owner.get("kind", ""),
            "name": meta["name"], "uid": meta.get("uid", ""), "controller": True,
            "blockOwnerDeletion": True}


def set_controller(ctx: Context, obj: Obj, owner: Obj | None) -> Obj | None:
    """Write `obj` with `owner` as its controller (None: without one); None if the write failed."""
    new = copy.deepcopy(obj)
    refs = [r for r in new["metadata"].get("ownerReferences") or () if not r.get("controller")]
    if owner is not None:
        refs.append(controller_ref(owner))
    if refs:
        new["metadata"]["ownerReferences"] = refs
    else:
        new["metadata"].pop("ownerReferences", None)
    try:
        return ctx.update(new)
    except ClusterError:
        return None


def claim(ctx: Context, owner: Obj, selector: Selector, candidates: Iterable[Obj]) -> list[Obj]:
    """The candidates `owner` controls after adopting matching orphans and releasing strays."""
    meta = owner["metadata"]
    uid = meta.get("uid", "")
    deleting = bool(meta.get("deletionTimestamp"))
    claimed: list[Obj] = []
    seen: set[str] = set()
    for obj in candidates:
        name = obj["metadata"]["name"]
        if name in seen:
            continue
        seen.add(name)
        ref = controller_of(obj)
        matches = not selector.empty and selector.matches(obj["metadata"].get("labels"))
        if ref is not None:
            if ref.get("uid") != uid:
                continue  # someone else's
            if matches:
                claimed.append(obj)
            elif not deleting:
                set_controller(ctx, obj, None)  # release
            continue
        if deleting or not matches or obj["metadata"].get("deletionTimestamp"):
            continue
        adopted = set_controller(ctx, obj, owner)
        if adopted is not None:
            claimed.append(adopted)
    return claimed


def claim_kind(ctx: Context, owner: Obj, kind: str, selector: Selector,
               accept: Callable[[Obj], bool] | None = None) -> list[Obj]:
    """What `owner` controls of `kind` in its namespace: its own dependents plus the orphans its
    selector matches (and `accept` lets it adopt, as ClaimPods' filters), claimed."""
    meta = owner["metadata"]
    namespace = meta.get("namespace", "")
    candidates = ctx.list(kind, namespace, owner_uid=meta.get("uid", ""))
    if not selector.empty:
        matching = ctx.list(kind, namespace, selector=selector)
        candidates = [*candidates, *(o for o in matching if accept is None or accept(o))]
    return claim(ctx, owner, selector, candidates)
