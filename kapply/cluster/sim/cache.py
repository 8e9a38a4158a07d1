"""The in-memory, indexed view of every object of one cluster.

Controllers read only from here (by kind and namespace, by label key=value, by controller owner
uid, pods by node), so a sync never touches SQLite. It is loaded lazily, only when something is
due or a write happens, and kept current by this process's writes (`put` / `remove`); a read-only
command on an idle cluster never builds it. Objects here are shared: nobody mutates them, every
write replaces the dict.

Some kinds (Events: five per pod, read rarely) are loaded only when first listed or read: until
then the cache holds just the ones written or replayed by this process (always newer than the
file) plus tombstones of the ones deleted, and the first read merges the file's rows under them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kapply.model.selectors import Selector

Obj = dict[str, Any]
Ref = tuple[str, str, str]  # kind, namespace, name


def _meta(obj: Obj) -> dict[str, Any]:
    return obj.get("metadata") or {}


class Cache:
    """Objects by kind/namespace/name plus secondary indexes."""

    def __init__(self, rv: int = 0, lazy: dict[str, Callable[[str], Iterable[Obj]]] | None = None) -> None:
        self.rv = rv  # the store resourceVersion this cache reflects
        self._unloaded: dict[str, Callable[[str], Iterable[Obj]]] = dict(lazy or {})
        self._tombstones: dict[str, set[tuple[str, str]]] = {}
        self._objects: dict[str, dict[str, dict[str, Obj]]] = {}  # kind -> ns -> name -> obj
        self._labels: dict[tuple[str, str, str], set[Ref]] = {}  # (kind, key, value)
        self._controller: dict[str, set[Ref]] = {}  # controller owner uid -> dependents
        self._owners: dict[str, set[Ref]] = {}  # any owner uid -> dependents
        self._nodes: dict[str, set[Ref]] = {}  # spec.nodeName -> pods
        self._uids: dict[str, Ref] = {}

    # ---- reads -------------------------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """One object or None."""
        if kind in self._unloaded:
            self._load(kind)
        return self._objects.get(kind, {}).get(namespace, {}).get(name)

    def peek(self, kind: str, namespace: str, name: str) -> Obj | None:
        """Like get, without loading a lazy kind: what this process wrote or replayed."""
        return self._objects.get(kind, {}).get(namespace, {}).get(name)

    def deleted(self, kind: str, namespace: str, name: str) -> bool:
        """Whether a not-yet-loaded lazy object was deleted by this process."""
        return (namespace, name) in self._tombstones.get(kind, ())

    def is_loaded(self, kind: str) -> bool:
        """False for a lazy kind nobody has read yet."""
        return kind not in self._unloaded

    def _load(self, kind: str) -> None:
        loader = self._unloaded.pop(kind)
        tombstones = self._tombstones.pop(kind, set())
        for obj in loader(kind):
            meta = _meta(obj)
            key = (meta.get("namespace", "") or "", meta["name"])
            if key not in tombstones and self.peek(kind, *key) is None:
                self.put(kind, obj)

    def by_uid(self, uid: str) -> Obj | None:
        """The object with this uid (owner references are matched by uid)."""
        ref = self._uids.get(uid)
        return self.get(*ref) if ref else None

    def count(self, kind: str | None = None) -> int:
        """Number of objects (of a kind)."""
        for lazy in [kind] if kind else list(self._unloaded):
            if lazy in self._unloaded:
                self._load(lazy)
        kinds = [kind] if kind else list(self._objects)
        return sum(len(names) for k in kinds for names in self._objects.get(k, {}).values())

    def kinds(self) -> list[str]:
        """Kinds that have at least one object."""
        for lazy in list(self._unloaded):
            self._load(lazy)
        return sorted(k for k, spaces in self._objects.items() if any(spaces.values()))

    def namespaces_in_use(self, namespace: str) -> list[Ref]:
        """Every object living in `namespace`."""
        for lazy in list(self._unloaded):
            self._load(lazy)
        return [(kind, namespace, name) for kind, spaces in self._objects.items()
                for name in spaces.get(namespace, {})]

    def dependents(self, owner_uid: str) -> list[Ref]:
        """Objects naming `owner_uid` in any ownerReference, sorted."""
        return sorted(self._owners.get(owner_uid, ()))

    def list(self, kind: str, namespace: str | None = None, selector: Selector | None = None,
             node: str | None = None, owner_uid: str | None = None) -> list[Obj]:
        """Objects of a kind filtered by namespace, labels, node and controller owner, sorted."""
        if kind in self._unloaded:
            self._load(kind)
        candidates: Iterable[Ref] | None = None
        narrowed: list[set[Ref]] = []
        if owner_uid is not None:
            narrowed.append(self._controller.get(owner_uid, set()))
        if node is not None:
            narrowed.append(self._nodes.get(node, set()))
        if selector is not None:
            for key, value in selector.equality_pairs():
                narrowed.append(self._labels.get((kind, key, value), set()))
        if narrowed:
            narrowed.sort(key=len)
            smallest = narrowed[0]
            candidates = [ref for ref in smallest if ref[0] == kind and
                          all(ref in other for other in narrowed[1:])]
            out = []
            for ref in sorted(candidates):
                if namespace is not None and ref[1] != namespace:
                    continue
                obj = self.get(*ref)
                if obj is not None and (selector is None or selector.matches(_meta(obj).get("labels"))):
                    out.append(obj)
            return out
        spaces = self._objects.get(kind, {})
        names = [namespace] if namespace is not None else sorted(spaces)
        out = []
        for ns in names:
            objs = spaces.get(ns, {})
            for name in sorted(objs):
                obj = objs[name]
                if selector is None or selector.matches(_meta(obj).get("labels")):
                    out.append(obj)
        return out

    # ---- writes ------------------------------------------------------------------------------

    def put(self, kind: str, obj: Obj) -> Obj | None:
        """Insert or replace; returns the previous object."""
        meta = _meta(obj)
        ns, name = meta.get("namespace", "") or "", meta["name"]
        old = self.peek(kind, ns, name)
        if kind in self._unloaded:
            self._tombstones.get(kind, set()).discard((ns, name))
        if old is not None:
            self._unindex(kind, old)
        self._objects.setdefault(kind, {}).setdefault(ns, {})[name] = obj
        self._index(kind, obj)
        return old

    def remove(self, kind: str, namespace: str, name: str) -> Obj | None:
        """Delete; returns the removed object."""
        if kind in self._unloaded:
            self._tombstones.setdefault(kind, set()).add((namespace, name))
        spaces = self._objects.get(kind, {})
        old = spaces.get(namespace, {}).pop(name, None)
        if old is not None:
            self._unindex(kind, old)
            if not spaces[namespace]:
                del spaces[namespace]
        return old

    def _refs(self, kind: str, obj: Obj) -> tuple[Ref, dict[str, Any]]:
        meta = _meta(obj)
        return (kind, meta.get("namespace", "") or "", meta["name"]), meta

    def _index(self, kind: str, obj: Obj) -> None:
        ref, meta = self._refs(kind, obj)
        for key, value in (meta.get("labels") or {}).items():
            self._labels.setdefault((kind, key, str(value)), set()).add(ref)
        for owner in meta.get("ownerReferences") or ():
            uid = owner.get("uid", "")
            self._owners.setdefault(uid, set()).add(ref)
            if owner.get("controller"):
                self._controller.setdefault(uid, set()).add(ref)
        if kind == "Pod":
            node = (obj.get("spec") or {}).get("nodeName")
            if node:
                self._nodes.setdefault(node, set()).add(ref)
        if meta.get("uid"):
            self._uids[meta["uid"]] = ref

    def _unindex(self, kind: str, obj: Obj) -> None:
        ref, meta = self._refs(kind, obj)
        for key, value in (meta.get("labels") or {}).items():
            _discard(self._labels, (kind, key, str(value)), ref)
        for owner in meta.get("ownerReferences") or ():
            uid = owner.get("uid", "")
            _discard(self._owners, uid, ref)
            if owner.get("controller"):
                _discard(self._controller, uid, ref)
        if kind == "Pod":
            node = (obj.get("spec") or {}).get("nodeName")
            if node:
                _discard(self._nodes, node, ref)
        if meta.get("uid") and self._uids.get(meta["uid"]) == ref:
            del self._uids[meta["uid"]]


def _discard(index: dict[Any, set[Ref]], key: Any, ref: Ref) -> None:
    bucket = index.get(key)
    if bucket is not None:
        bucket.discard(ref)
        if not bucket:
            del index[key]
