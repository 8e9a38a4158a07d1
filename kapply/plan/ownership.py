"""Whose inventory a run writes, and whether it may prune: the run's source against the recorded one.

An inventory records the source it was applied from (`Inventory.source`). A run relates to the
inventory it reaches in one of these ways (`relate`):

- `new`: no inventory yet; the run's source is recorded when it is written.
- `same`: the recorded source is the run's.
- `subset`: every path of the run lies within the recorded source without being all of it (one
  file of a folder, a sub-folder): objects are created and updated as members of that inventory,
  which only gains keys and keeps its recorded source; prune is refused, since prune never acts
  on part of a source.
- `unknown`: the inventory records no source (an earlier kapply wrote it). Such ids were derived
  from the folder's path alone, so two repositories may have shared one: the run may write
  (objects are updated, keys added) but the source is not recorded and nothing is pruned until
  the user confirms with `--same-source`. Recording the first writer's source silently would let
  that writer prune the other repository's objects.
- `other`: the recorded source is another one (a reused `--inventory ID`, or the same id reached
  from elsewhere): refused before anything is written, naming both, unless `--same-source` says
  the recorded source is this one, moved or renamed (the new one is recorded).
- `none`: standard input without `--inventory`: objects are labelled managed by kapply but
  recorded in no inventory, and prune is refused (`pruning objects read from standard input
  needs --inventory ID`), so two pipelines never prune each other's objects.

Pure: `kapply.apply.ownership` finds the inventory and reads it; `choose` picks, among the
inventories of a cluster, the one a run without `--inventory` belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from kapply.errors import OwnershipError, PruneRefusedError
from kapply.load.origin import Location, Origin
from kapply.plan.inventory import Inventory

RELATIONS = ("new", "same", "subset", "unknown", "other", "none")
STDIN_PRUNE = "pruning objects read from standard input needs --inventory ID"


def relate(source: Origin, inventory: Inventory | None) -> str:
    """How a run from `source` relates to the inventory it reaches (None: there is none yet)."""
    if inventory is None:
        return "new"
    recorded = inventory.source
    if recorded is None:
        return "unknown"
    if recorded == source:
        return "same"
    if source.within(recorded):
        return "subset"
    return "other"


@dataclass(frozen=True)
class Ownership:
    """The inventory a run writes (None: none, standard input) and how the run relates to it."""

    inventory_id: str | None
    source: Origin
    relation: str
    recorded: Origin | None = None
    same_source: bool = False  # the user said the recorded source is this one

    def against(self, inventory: Inventory | None) -> Ownership:
        """The same run related to `inventory` as read now (it may have appeared meanwhile)."""
        if self.inventory_id is None:
            return self
        recorded = inventory.source if inventory is not None else None
        return replace(self, relation=relate(self.source, inventory), recorded=recorded)

    @property
    def record(self) -> Origin | None:
        """The source the inventory records after this run (None: none)."""
        if self.inventory_id is None:
            return None
        if self.relation in ("new", "same") or self.same_source:
            return self.source
        return self.recorded

    def check(self, prune: bool) -> None:
        """Refuse what this relation does not allow: OwnershipError, PruneRefusedError."""
        self.check_source()
        if prune:
            self.check_prune()

    def check_source(self) -> None:
        """OwnershipError when the inventory records another source (writing it is refused)."""
        if self.relation == "other" and not self.same_source:
            assert self.recorded is not None
            raise OwnershipError(
                f'inventory "{self.inventory_id}" records another source: {self.recorded.display()}; '
                f"this run's source is {self.source.display()}. Nothing was written. If the recorded "
                "source is this one, moved or renamed, re-run with --same-source to record this one; "
                "otherwise use another --inventory")

    def check_prune(self) -> None:
        """PruneRefusedError when this run may write the inventory but not prune from it."""
        if self.same_source:
            return
        if self.relation == "none":
            raise PruneRefusedError(f"{STDIN_PRUNE} (objects applied from standard input without it "
                                    "are recorded in no inventory)")
        if self.relation == "subset":
            assert self.recorded is not None
            whole = self.recorded.local_paths(dict(self.source.roots))
            hint = f": {' '.join(whole)}" if whole else ""
            raise PruneRefusedError(
                f"refusing to prune: this run's source ({self.source.display()}) is part of the source "
                f'of inventory "{self.inventory_id}" ({self.recorded.display()}), and prune never acts '
                f"on part of a source; prune with the whole source instead{hint}")
        if self.relation == "unknown":
            raise PruneRefusedError(
                f'refusing to prune: inventory "{self.inventory_id}" records no source (an earlier '
                "kapply wrote it), so it may hold objects of another source; if it is this one's "
                f"({self.source.display()}), re-run with --same-source to record it")

    def to_json(self) -> dict:
        return {"relation": self.relation, "source": self.source.to_json(),
                "recorded": self.recorded.to_json() if self.recorded is not None else None}


def choose(source: Origin, inventories: Iterable[Inventory],
           legacy_id: str | None = None) -> Inventory | None:
    """The inventory a run from `source` belongs to, among those of a cluster (None: a new one).

    One recording exactly this source wins; else the nearest one whose source encloses this one
    (deepest enclosing paths, then the smallest source, then the id); else the inventory an
    earlier kapply wrote for these paths (`legacy_id`, recording no source).
    """
    listed = sorted(inventories, key=lambda inv: inv.id)
    for inv in listed:
        if inv.source == source:
            return inv
    enclosing = [(inv, inv.source) for inv in listed if inv.source is not None and source.within(inv.source)]
    if enclosing:
        best = min(enclosing, key=lambda pair: (-_depth(source, pair[1]), len(pair[1].locations), pair[0].id))
        return best[0]
    return next((inv for inv in listed if inv.id == legacy_id and inv.source is None), None)


def _depth(source: Origin, enclosing: Origin) -> int:
    """How specific `enclosing` is for `source`: the path depth of its nearest enclosing locations."""
    def depth(loc: Location) -> int:
        return 0 if loc.path in (".", "/") else loc.path.strip("/").count("/") + 1

    return sum(max(depth(theirs) for theirs in enclosing.locations if mine.within(theirs))
               for mine in source.locations)
