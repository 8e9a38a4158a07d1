"""One reconcile of the watch loop, through the same plan/apply pipeline as `kapply apply`.

Three triggers: start-up (full scan and apply), file changes (only the objects of the files that
changed, plus the objects those files no longer hold), and the drift timer (the whole folder
against the live cluster: an imperative `scale`, a deleted object, an edited Service). Each
reconcile returns a `ReconcileResult`; errors are reported in it, never raised, so the loop
keeps running.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from kapply.apply.applier import ApplyFailedError, Outcome, execute
from kapply.apply.live import fetch_live, read_inventory
from kapply.apply.reconcile import settled
from kapply.cluster.protocol import Cluster
from kapply.errors import KapplyError
from kapply.model.keys import ResourceKey
from kapply.plan.change import Change
from kapply.plan.inventory import Inventory
from kapply.plan.plan import Plan, make_plan
from kapply.validate.diagnostics import Diagnostic
from kapply.watch.sources import SourceSet, Update


@dataclass
class ReconcileResult:
    trigger: str  # "start" | "change" | "drift"
    started: float  # wall time
    duration: float = 0.0
    files: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    drift: list[Change] = field(default_factory=list)  # what differed from the folder (drift checks)
    healed: bool = False
    errors: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok and o.change.is_write]

    @property
    def reported(self) -> list[Outcome]:
        """Writes, failures, and (except on every drift check) objects left alone and why."""
        return [o for o in self.outcomes if o.change.is_write or not o.ok
                or (o.change.action == "skip" and self.trigger != "drift")]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.diagnostics and all(o.ok for o in self.outcomes)

    def line(self) -> str:
        """One human line: time, trigger, what changed, duration."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.started))
        parts: list[str] = []
        if self.trigger == "drift" and self.drift:
            what = ", ".join(_drift_text(c) for c in self.drift)
            parts.append(f"drift detected: {what}" + ("" if self.healed else " (not healed: --no-self-heal)"))
        parts.extend(o.line() for o in self.reported)
        for d in self.diagnostics:
            where = f"{d.file}:{d.line}:{d.column}"
            parts.append(f"{where}: {d.severity}: {d.text} (keeping its last good objects)")
        parts.extend(f"error: {e}" for e in self.errors)
        if not parts:
            unchanged = sum(1 for o in self.outcomes if o.change.action == "unchanged")
            parts.append(f"in sync ({unchanged} unchanged)")
        head = {"start": "start", "change": "change", "drift": "drift check"}[self.trigger]
        if self.files:
            more = len(self.files) - 3
            head += " " + ", ".join(self.files[:3]) + (f" +{more} more" if more > 0 else "")
        return f"{stamp} {head}: " + "; ".join(parts) + f" ({self.duration * 1000:.0f}ms)"

    def to_json(self) -> dict[str, Any]:
        return {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "trigger": self.trigger, "durationMs": round(self.duration * 1000, 1), "files": self.files,
            "results": [{"ref": o.change.key.ref, "result": o.verb, "message": o.message or None}
                        for o in self.reported],
            "drift": [{"ref": c.key.ref, "action": c.action,
                       "fields": [f.path_text for f in c.fields][:10]} for c in self.drift],
            "healed": self.healed, "errors": self.errors,
            "diagnostics": [d.to_json() for d in self.diagnostics], "ok": self.ok,
        }


def _drift_text(change: Change) -> str:
    if change.action == "create":
        return f"{change.key.ref} missing"
    if change.action == "prune":
        return f"{change.key.ref} no longer in the folder"
    fields = ", ".join(f.path_text for f in change.fields[:3]) or "metadata"
    return f"{change.key.ref} changed ({fields})"


class Reconciler:
    def __init__(self, cluster: Cluster, sources: SourceSet, inventory_id: str, *, prune: bool = False,
                 allow_empty: bool = False, self_heal: bool = True) -> None:
        self.cluster = cluster
        self.sources = sources
        self.inventory_id = inventory_id
        self.prune = prune
        self.allow_empty = allow_empty
        self.self_heal = self_heal

    def start(self) -> ReconcileResult:
        result = self._run("start", lambda: self.sources.scan(), full=True)
        assert result is not None
        return result

    def rescan(self) -> ReconcileResult | None:
        """After a folder event; None when no manifest changed."""
        return self._run("change", lambda: self.sources.scan(), full=True)

    def on_files(self, paths: Iterable[str]) -> ReconcileResult | None:
        """After file events; None when none of them is one of the source's manifests."""
        paths = list(paths)
        return self._run("change", lambda: self.sources.refresh(paths), full=False)

    def drift_check(self) -> ReconcileResult:
        result = ReconcileResult("drift", time.time())
        begin = time.perf_counter()
        try:
            plan, inventory = self._plan(self.sources.desired(), None)
            plan = _set_aside_refused(plan, result)
            result.drift = [c for c in plan.changes if c.is_write]
            if result.drift and self.self_heal:
                result.outcomes = self._execute(plan, inventory, result)
                result.healed = True
            elif not result.drift:
                result.outcomes = [Outcome(c, True, c.reason) for c in plan.changes]
        except KapplyError as exc:
            result.errors.append(str(exc))
        result.duration = time.perf_counter() - begin
        return result

    def _run(self, trigger: str, refresh: Any, full: bool) -> ReconcileResult | None:
        result = ReconcileResult(trigger, time.time())
        begin = time.perf_counter()
        try:
            update: Update = refresh()
            if trigger == "change" and not (update.changed or update.removed):
                return None  # a file beside the source, or a folder event that changed no manifest
            result.files = [_display(p) for p in update.changed + update.removed]
            result.diagnostics = update.errors
            desired = self.sources.desired()
            if full:
                plan, inventory = self._plan(desired, None)
            else:
                subset = [o for o in desired if ResourceKey.of(o) in update.touched_keys]
                plan, inventory = self._plan(subset, update.touched_keys, whole=desired)
            result.outcomes = self._execute(_set_aside_refused(plan, result), inventory, result)
        except KapplyError as exc:
            result.errors.append(str(exc))
        result.duration = time.perf_counter() - begin
        return result

    def _execute(self, plan: Plan, inventory: Inventory | None, result: ReconcileResult) -> list[Outcome]:
        """Apply the plan; objects the cluster refuses are reported and the others applied without them."""
        try:
            return execute(self.cluster, plan, inventory).outcomes
        except ApplyFailedError as exc:
            if not exc.refused:
                raise
            result.errors.extend(f"{o.change.key.ref}: {o.message}" for o in exc.refused)
            refused = {o.change.key for o in exc.refused}
            rest = replace(plan, changes=tuple(c for c in plan.changes if c.key not in refused))
            return execute(self.cluster, rest, inventory).outcomes

    def _plan(self, desired: list[dict[str, Any]], touched: set[ResourceKey] | None,
              whole: list[dict[str, Any]] | None = None) -> tuple[Plan, Inventory | None]:
        """Plan `desired`; with `touched`, prune only touched keys the folder no longer holds."""
        whole = desired if whole is None else whole
        if self.prune and not whole and not self.allow_empty:
            from kapply.errors import PruneRefusedError

            raise PruneRefusedError("refusing to prune: the folder holds no objects any more, so every "
                                    "object kapply applied from it would be deleted (use --allow-empty)")
        inventory = read_inventory(self.cluster, self.inventory_id)
        scope = inventory
        if inventory is not None and touched is not None:
            scope = Inventory(inventory.id, inventory.keys & touched)
        keys = {ResourceKey.of(o) for o in desired}
        if scope is not None:
            keys |= scope.keys
        live = fetch_live(self.cluster, keys)
        # planned with prune even without --prune, so what the folder no longer holds is reported
        plan = settled(self.cluster, make_plan(desired, live, scope, inventory_id=self.inventory_id,
                                               prune=True, allow_empty=True))
        unknown = self.sources.unknown()
        if any(c.action == "prune" for c in plan.changes) and (unknown or not self.prune):
            reason = (f"not pruned: {_display(unknown[0])} does not load, and may hold it" if unknown
                      else "not pruned: absent from the source (--prune deletes it)")
            kept = (replace(c, action="skip", fields=(), reason=reason) if c.action == "prune" else c
                    for c in plan.changes)
            plan = replace(plan, changes=tuple(kept))
        return plan, inventory


def _set_aside_refused(plan: Plan, result: ReconcileResult) -> Plan:
    """The plan without the changes the API server refuses (an immutable field), reported as errors:
    one object that cannot be applied does not hold back the others."""
    refused = plan.errors
    if not refused:
        return plan
    result.errors.extend(f"{c.key.ref}: " + "; ".join(c.error.splitlines()) for c in refused)
    return replace(plan, changes=tuple(c for c in plan.changes if not c.error))


def _display(path: str) -> str:
    from kapply.load.walk import display_path

    return display_path(path)
