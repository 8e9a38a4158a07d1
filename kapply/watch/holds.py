"""Which of a plan's prunes the watch carries out now, which it holds back, and why.

`plan_objects` decides what may be pruned at all, by apply's rules (in the inventory, still
labelled, absent from the source, not `kapply.io/prune: disabled`). A watcher sees the folder
while it changes, so on top of those rules it holds a prune back when:

1. a followed folder is gone: nothing is pruned until it is back;
2. a file has not loaded since the watch started: it may hold the object;
3. a broken file held the object in a version that was not applied;
4. it runs without --prune: the object is reported, never deleted;
5. the object has been absent from the folder for less than `prune_after` seconds (default 5):
   a file being rewritten (`helm template > file` empties it first), `git checkout` unlinking
   a file before writing its new version, a folder filling up again after a re-create. The
   absence is timed from the first reconcile that finds the object missing; the timers restart
   while a folder is gone, so a folder that comes back file by file loses nothing it brings.

Holds 1, 2, 3 and 5 mean the cluster is not yet what the folder says, so a reconcile holding
one is never "in sync"; hold 4 is the mode the user chose (`kapply diff` without --prune does
not count such objects either).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from kapply.load.walk import display_path
from kapply.model.keys import ResourceKey
from kapply.plan.change import Change
from kapply.plan.plan import Plan

PRUNE_AFTER = 5.0
GONE, UNKNOWN, BROKEN, NO_PRUNE, WAITING = "gone", "unknown", "broken", "no-prune", "waiting"  # the holds


class PruneHolds:
    def __init__(self, prune: bool, prune_after: float, clock: Callable[[], float]) -> None:
        self.prune = prune
        self.prune_after = prune_after
        self.clock = clock
        self.absent: dict[ResourceKey, float] = {}  # first seen absent (clock time)
        self._fired: set[ResourceKey] = set()  # deadlines already handed out by due()

    def apply(self, plan: Plan, scope: Collection[ResourceKey] | None, *, gone: list[str], unknown: list[str],
              held: Mapping[ResourceKey, str]) -> tuple[Plan, dict[ResourceKey, str]]:
        """The plan with held prunes made skips, and which hold (`HOLDS`) kept each."""
        now = self.clock()
        prunes = {c.key for c in plan.changes if c.action == "prune"}
        self._track(prunes, scope, now, restart=bool(gone))
        changes: list[Change] = []
        kept: dict[ResourceKey, str] = {}
        for change in plan.changes:
            hold = self._hold(change.key, now, gone, unknown, held) if change.action == "prune" else None
            if hold is None:
                changes.append(change)
                continue
            kept[change.key], reason = hold
            changes.append(replace(change, action="skip", fields=(), reason=reason))
        return replace(plan, changes=tuple(changes)), kept

    def _track(self, prunes: set[ResourceKey], scope: Collection[ResourceKey] | None, now: float,
               restart: bool) -> None:
        if restart:
            self.forget(self.absent)
            return
        looked = self.absent.keys() if scope is None else set(scope) & self.absent.keys()
        self.forget([k for k in looked if k not in prunes])
        for key in prunes:
            self.absent.setdefault(key, now)

    def _hold(self, key: ResourceKey, now: float, gone: list[str], unknown: list[str],
              held: Mapping[ResourceKey, str]) -> tuple[str, str] | None:
        if gone:
            return GONE, f"not pruned: {display_path(gone[0])} is gone (nothing is pruned until it is back)"
        if unknown:
            return UNKNOWN, f"not pruned: {display_path(unknown[0])} does not load, and may hold it"
        if key in held:
            return BROKEN, f"not pruned: {display_path(held[key])} held it and is broken"
        if not self.prune:
            return NO_PRUNE, "not pruned: absent from the source (--prune deletes it)"
        elapsed = now - self.absent.get(key, now)
        if elapsed < self.prune_after:
            return WAITING, (f"not pruned yet: absent from the source for {elapsed:.1f}s "
                             f"(pruned once absent for {self.prune_after:g}s)")
        return None

    def forget(self, keys: Collection[ResourceKey]) -> None:
        """Stop timing these keys (back in the folder, pruned, or no longer prunable)."""
        for key in list(keys):
            self.absent.pop(key, None)
            self._fired.discard(key)

    def next_due(self) -> float | None:
        """When the next absence reaches `prune_after` (None: nothing is waiting)."""
        if not self.prune:
            return None
        pending = [t for k, t in self.absent.items() if k not in self._fired]
        return min(pending) + self.prune_after if pending else None

    def due(self) -> set[ResourceKey]:
        """The keys whose absence reached `prune_after` since the last call."""
        if not self.prune:
            return set()
        now = self.clock()
        keys = {k for k, t in self.absent.items() if k not in self._fired and t + self.prune_after <= now}
        self._fired |= keys
        return keys
