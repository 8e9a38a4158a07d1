"""Ownership bookkeeping for one write: Update and Apply (sigs.k8s.io/structured-merge-diff
merge/update.go, Updater).

- **Update** (create, update, patch): the writer takes every field it added or changed, even from
  other managers (an update is always forced); a field it removed leaves every manager.
- **Apply**: the configuration is merged into the live object; the applier's set becomes exactly
  the configuration's fields; what it owned before and no longer sets is pruned, unless another
  manager also owns it; a field another manager owns and the result changes is a conflict unless
  `force`, which moves it to the applier.

`reset` filters what a manager may own at this endpoint (a workload's main resource resets
`status`, its status subresource everything else), so such fields never conflict and never
change owner. The objects passed are the whole objects (metadata included, managedFields not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kapply.cluster.fieldmanager import typed
from kapply.cluster.fieldmanager.compare import Comparison, compare
from kapply.cluster.fieldmanager.fieldpath import EMPTY, FieldSet
from kapply.cluster.fieldmanager.managers import Managed, Manager, Owned
from kapply.cluster.fieldmanager.merge import merge, remove_items
from kapply.cluster.fieldmanager.typed import MISSING
from kapply.validate.structure import Node

Obj = dict


def _no_reset(fs: FieldSet) -> FieldSet:
    return fs


def _whole(obj: Obj) -> Obj:
    return obj


@dataclass
class Conflicts(Exception):
    """Fields other managers own that an apply would change: {manager: fields}."""

    by_manager: dict[Manager, FieldSet] = field(default_factory=dict)


@dataclass(frozen=True)
class Updater:
    """The Update and Apply rules for objects of one type (`node`) at one endpoint."""

    node: Node
    reset: Callable[[FieldSet], FieldSet] = _no_reset
    view: Callable[[Obj], Obj] = _whole  # the part `reset` keeps, so comparing skips the rest

    def _compare(self, old: Obj, new: Obj) -> Comparison:
        cmp = compare(self.view(old), self.view(new), self.node)
        return Comparison(self.reset(cmp.added), self.reset(cmp.modified), self.reset(cmp.removed))

    def _settle(self, old: Obj, new: Obj, managed: Managed, writer: Manager,
                force: bool) -> tuple[Managed, Comparison]:
        """Take the changed fields from the other managers (Conflicts unless force); drop removed ones."""
        cmp = self._compare(old, new)
        changed = cmp.modified.union(cmp.added)
        conflicts: dict[Manager, FieldSet] = {}
        out: Managed = {}
        for manager, owned in managed.items():
            fields = owned.fields
            if manager != writer:
                taken = fields.intersection(changed)
                if not taken.empty():
                    conflicts[manager] = taken
                    fields = fields.difference(taken)
                fields = fields.difference(cmp.removed)
            if not fields.empty():
                out[manager] = Owned(fields, owned.api_version, owned.time)
        if conflicts and not force:
            raise Conflicts(conflicts)
        return out, cmp

    def update(self, live: Obj, new: Obj, api_version: str, managed: Managed,
               writer: Manager) -> Managed:
        """Ownership after `writer` replaced `live` by `new` (Updater.Update)."""
        managed, cmp = self._settle(live, new, managed, writer, force=True)
        previous = managed.get(writer)
        fields = (previous.fields if previous else EMPTY).difference(cmp.removed)
        fields = self.reset(fields.union(cmp.modified).union(cmp.added))
        managed.pop(writer, None)
        if not fields.empty():
            managed[writer] = Owned(fields, api_version, previous.time if previous else None)
        return managed

    def apply(self, live: Obj, config: Obj, api_version: str, managed: Managed, applier: Manager,
              force: bool) -> tuple[Obj | None, Managed]:
        """(the merged object, or None when it equals `live`; ownership) for an apply (Updater.Apply)."""
        merged = merge(live, config, self.node)
        last = managed.get(applier)
        managed = dict(managed)
        fields = self.reset(typed.to_set(config, self.node))
        managed[applier] = Owned(fields, api_version, last.time if last else None)
        if last is not None and not last.fields.difference(fields).empty():
            merged = self._prune(merged, managed, last)  # only when the applier dropped something
        if typed.json_equal(live, merged):
            return None, managed  # nothing changes: nobody loses a field, nothing conflicts
        managed, _ = self._settle(live, merged, managed, applier, force)
        return merged, managed

    def _prune(self, merged: Obj, managed: Managed, last: Owned | None) -> Obj:
        """Remove what the applier owned last time and nobody owns now (Updater.prune)."""
        if last is None or last.fields.empty():
            return merged
        node = self.node

        def named(fs: FieldSet) -> FieldSet:
            return typed.ensure_named_fields_are_members(fs, node)

        pruned = _removed(merged, named(last.fields), node)
        owned = EMPTY
        for held in managed.values():
            owned = owned.union(held.fields)
        merged_set = named(typed.to_set(merged, node))
        keep = named(typed.to_set(pruned, node)).union(named(owned))
        pruned = _removed(merged, merged_set.difference(keep), node)
        dangling = merged_set.difference(named(typed.to_set(pruned, node))).intersection(named(last.fields))
        return _removed(merged, dangling, node)


def _removed(obj: Obj, fs: FieldSet, node: Node) -> Obj:
    out = remove_items(obj, fs, node)
    return {} if out is MISSING else out
