"""The writes of one session, in order, and the rows they become at commit.

`SimAPI` appends every write (resourceVersion, ADDED/MODIFIED/DELETED, kind, object) while a
session runs; `SimCluster` turns them into the store's rows in one batch: the final state of each
object, and the changelog entries above the kept floor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kapply.cluster.sim import codec
from kapply.cluster.sim.controllers.base import ChangeType

Obj = dict[str, Any]


class Journal:
    """The writes of the current transaction, in order (flushed by the cluster at commit)."""

    def __init__(self, group_of: Callable[[str], str]) -> None:
        self.changes: list[tuple[int, ChangeType, str, Obj]] = []
        self._group_of = group_of  # a kind's API group, for the store's rows

    def clear(self) -> None:
        self.changes.clear()

    def rows(self, floor: int = 0) -> tuple[list[Any], list[Any], list[Any]]:
        """(object upserts, object deletes, changelog rows after `floor`) for Store.write_batch."""
        changelog = []
        final: dict[tuple[str, str, str], tuple[str, Obj, str | None] | None] = {}
        for rv, type_, kind, obj in self.changes:
            meta = obj["metadata"]
            ns = meta.get("namespace", "") or ""
            text = codec.dumps(obj) if rv > floor else None
            if text is not None:
                changelog.append((rv, type_, kind, ns, meta["name"], text))
            final[(kind, ns, meta["name"])] = None if type_ == "DELETED" else (kind, obj, text)
        upserts, deletes = [], []
        for key, state in final.items():
            if state is None:
                deletes.append(key)
            else:
                kind, obj, text = state
                text = text if text is not None else codec.dumps(obj)
                meta = obj["metadata"]
                group = self._group_of(kind)
                upserts.append((*key, group, meta.get("uid", ""), int(meta["resourceVersion"]), text))
        return upserts, deletes, changelog
