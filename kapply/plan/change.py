"""Diffs are values: a `Change` per object, made of `FieldChange(op, path, old, new)` items.

Text rendering (`render.py`), the JSON plan and the tests all read the same values, the way kopf
models a diff as `(op, field_path, old, new)` tuples. `diff` computes the items between two
normalised objects; lists of named things are matched by their merge key (`merge_keys.py`), so
reordering containers is not a change and a changed image is reported at `containers[i].image`
rather than as a new list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kapply.model.keys import ResourceKey
from kapply.model.paths import format_path
from kapply.plan.merge_keys import SET, item, merge_key
from kapply.plan.three_way import scalar_equal

# `cascade`: deleted by the API server with a pruned Namespace (the executor writes nothing for it)
ACTIONS = ("create", "update", "replace", "prune", "cascade", "unchanged", "skip")
WRITES = frozenset({"create", "update", "replace", "prune"})


@dataclass(frozen=True)
class FieldChange:
    op: str  # "add" | "remove" | "replace"
    path: tuple[str | int, ...]
    old: Any
    new: Any

    @property
    def path_text(self) -> str:
        """`spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`."""
        return path_text(self.path)

    def to_json(self) -> dict:
        """JSON form: op, path (text), segments, old, new."""
        return {"op": self.op, "path": self.path_text, "segments": list(self.path),
                "old": self.old, "new": self.new}


path_text = format_path


@dataclass(frozen=True)
class Change:
    """What apply would do to one object, and why."""

    action: str
    key: ResourceKey
    desired: dict | None
    live: dict | None
    fields: tuple[FieldChange, ...]
    reason: str = ""
    # Set when the API server would refuse the write (an immutable field without --force-replace);
    # apply refuses the whole plan before writing anything.
    error: str = ""

    @property
    def is_write(self) -> bool:
        """Whether executing this change writes to the cluster."""
        return self.action in WRITES

    def to_json(self) -> dict:
        """JSON form of this change (see `kapply.plan.plan` for the format)."""
        out: dict[str, Any] = {
            "action": self.action,
            "object": {"group": self.key.group, "kind": self.key.kind,
                       "namespace": self.key.namespace, "name": self.key.name},
            "ref": self.key.ref,
            "fields": [f.to_json() for f in self.fields],
        }
        if self.reason:
            out["reason"] = self.reason
        if self.error:
            out["error"] = self.error
        return out


def diff(old: Any, new: Any, kind: str = "", path: tuple[str | int, ...] = (),
         pat: str = "") -> tuple[FieldChange, ...]:
    """Field changes turning `old` into `new` (both already normalised)."""
    if old == new and _strict(old, new):
        return ()
    return tuple(_diff(old, new, kind, path, pat))


def _strict(a: Any, b: Any) -> bool:
    # `==` says True == 1; JSON does not. Only walk when a bool is involved somewhere cheap to see.
    if isinstance(a, dict):
        return all(_strict(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return all(_strict(x, y) for x, y in zip(a, b, strict=True))
    return isinstance(a, bool) == isinstance(b, bool)


def _diff(old: Any, new: Any, kind: str, path: tuple[str | int, ...], pat: str) -> Iterator[FieldChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        # absent and null are the same to the API server
        for k, v in old.items():
            sub = f"{pat}.{k}" if pat else k
            if new.get(k) is None:
                if v is not None:
                    yield FieldChange("remove", (*path, k), v, None)
            elif v is None:
                yield FieldChange("add", (*path, k), None, new[k])
            else:
                yield from _diff(v, new[k], kind, (*path, k), sub)
        for k, v in new.items():
            if k not in old and v is not None:
                yield FieldChange("add", (*path, k), None, v)
        return
    if isinstance(old, list) and isinstance(new, list):
        yield from _diff_list(old, new, kind, path, pat)
        return
    if isinstance(old, dict | list) or isinstance(new, dict | list) or not scalar_equal(old, new):
        yield FieldChange("replace", path, old, new)


def _diff_list(old: list, new: list, kind: str, path: tuple[str | int, ...],
               pat: str) -> Iterator[FieldChange]:
    ipat = item(pat)
    key = merge_key(kind, pat)
    if key is not None and key != SET and _all_keyed(old, key) and _all_keyed(new, key):
        old_by = {x[key]: (i, x) for i, x in enumerate(old)}
        new_keys = set()
        for i, x in enumerate(new):
            new_keys.add(x[key])
            if x[key] in old_by:
                yield from _diff(old_by[x[key]][1], x, kind, (*path, i), ipat)
            else:
                yield FieldChange("add", (*path, i), None, x)
        for k, (i, x) in old_by.items():
            if k not in new_keys:
                yield FieldChange("remove", (*path, i), x, None)
        return
    for i in range(max(len(old), len(new))):
        if i >= len(new):
            yield FieldChange("remove", (*path, i), old[i], None)
        elif i >= len(old):
            yield FieldChange("add", (*path, i), None, new[i])
        else:
            yield from _diff(old[i], new[i], kind, (*path, i), ipat)


def _all_keyed(items: list, key: str) -> bool:
    keys = [x.get(key) if isinstance(x, dict) else None for x in items]
    hashable = all(k is not None and not isinstance(k, dict | list) for k in keys)
    return hashable and len(set(keys)) == len(keys)
