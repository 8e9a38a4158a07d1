"""Garbage collection: ownerReferences with background and foreground propagation, and namespace
finalization.

As pkg/controller/garbagecollector: when an owner is deleted, every dependent whose owners are all
gone (matched by uid, not name: a new object with the old name does not adopt) is deleted, and
its own dependents follow when its deletion lands, so deleting a Deployment removes its
ReplicaSets and then their Pods. An object created with an ownerReference to a uid that does not
exist is an orphan and is collected too. A Namespace being deleted has its content deleted
(the namespace controller's job), then the Namespace itself is removed. An owner deleted with
propagationPolicy=Foreground keeps its `foregroundDeletion` finalizer until its dependents are
gone (simplification: every dependent blocks, not only those with blockOwnerDeletion).
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context

OWNER = "owner:"  # owner:<uid>   - the owner is gone (or deleted in the foreground): its dependents
OBJECT = "object:"  # object:<kind>/<namespace>/<name> - check this object's owners
NAMESPACE = "namespace:"  # namespace:<name> - empty a terminating namespace
FOREGROUND = "foregroundDeletion"  # the finalizer of an owner deleted with propagationPolicy=Foreground


class GarbageCollector:
    name = "garbagecollector"

    def watches(self, change: Change) -> Iterable[str]:
        meta = change.obj.get("metadata") or {}
        if change.type == "DELETED" and meta.get("uid"):
            yield OWNER + meta["uid"]
        if change.type != "DELETED" and FOREGROUND in (meta.get("finalizers") or ()) and meta.get("uid"):
            yield OWNER + meta["uid"]
        if change.type == "DELETED":  # an owner waiting in the foreground may be free now
            for ref in meta.get("ownerReferences") or ():
                if ref.get("uid"):
                    yield OWNER + ref["uid"]
        if change.type != "DELETED" and meta.get("ownerReferences"):
            old_refs = ((change.old or {}).get("metadata") or {}).get("ownerReferences")
            if change.type == "ADDED" or old_refs != meta["ownerReferences"]:
                yield f"{OBJECT}{change.kind}/{meta.get('namespace', '')}/{meta.get('name', '')}"
        if change.kind == "Namespace" and change.type != "DELETED" and meta.get("deletionTimestamp"):
            yield NAMESPACE + meta.get("name", "")
        if change.type == "DELETED" and meta.get("namespace"):
            yield NAMESPACE + meta["namespace"]

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(OWNER):
            self._collect_dependents(ctx, key[len(OWNER):])
        elif key.startswith(OBJECT):
            kind, _, rest = key[len(OBJECT):].partition("/")
            namespace, _, name = rest.partition("/")
            self._check(ctx, kind, namespace, name)
        elif key.startswith(NAMESPACE):
            self._finalize_namespace(ctx, key[len(NAMESPACE):])

    def _collect_dependents(self, ctx: Context, uid: str) -> None:
        cache = getattr(ctx, "cache", None)
        refs = cache.dependents(uid) if cache is not None else []
        owner = cache.by_uid(uid) if cache is not None else None
        if owner is not None and FOREGROUND in (owner["metadata"].get("finalizers") or ()):
            self._foreground(ctx, owner, refs)
            return
        for kind, namespace, name in refs:
            self._check(ctx, kind, namespace, name)

    def _foreground(self, ctx: Context, owner: dict, refs: list[tuple[str, str, str]]) -> None:
        """Foreground deletion: delete the dependents (in the foreground too); once none is left,
        drop the owner's `foregroundDeletion` finalizer so its deletion completes."""
        pending = False
        for kind, namespace, name in refs:
            dep = ctx.get(kind, namespace, name)
            if dep is None:
                continue
            pending = True
            if not dep["metadata"].get("deletionTimestamp"):
                ctx.delete(kind, namespace, name, propagation="Foreground")
        if pending:
            return
        meta = owner["metadata"]
        kind = str(owner.get("kind", ""))
        done = dict(owner, metadata=dict(meta, finalizers=[f for f in meta["finalizers"] if f != FOREGROUND]))
        if not done["metadata"]["finalizers"]:
            del done["metadata"]["finalizers"]
        ctx.update(done)

    def _check(self, ctx: Context, kind: str, namespace: str, name: str) -> None:
        obj = ctx.get(kind, namespace, name)
        if obj is None or obj["metadata"].get("deletionTimestamp"):
            return
        owners = obj["metadata"].get("ownerReferences") or []
        cache = getattr(ctx, "cache", None)
        if not owners or cache is None:
            return
        if all(cache.by_uid(ref.get("uid", "")) is None for ref in owners):
            ctx.delete(kind, namespace, name)

    def _finalize_namespace(self, ctx: Context, name: str) -> None:
        ns = ctx.get("Namespace", "", name)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        cache = getattr(ctx, "cache", None)
        content = cache.namespaces_in_use(name) if cache is not None else []
        pending = False
        for kind, namespace, obj_name in sorted(content):
            obj = ctx.get(kind, namespace, obj_name)
            if obj is None:
                continue
            pending = True
            if not obj["metadata"].get("deletionTimestamp"):
                ctx.delete(kind, namespace, obj_name)
        if not pending:
            finalize = getattr(ctx, "finalize_namespace", None)
            if finalize is not None:
                finalize(name)
