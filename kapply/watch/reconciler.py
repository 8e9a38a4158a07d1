"""One reconcile of the watch loop, through the same plan/apply pipeline as `kapply apply`.

Triggers: start-up (full scan and apply), file changes (only the objects of the files that
changed, plus the objects those files no longer hold), a rescan (a folder moved, went or came
back), the drift timer (a rescan, then the whole folder against the live cluster: an imperative
`scale`, a deleted object, an edited Service), and the settle timer (prunes that waited, see
`holds`). Planning is `apply.reconcile.plan_objects`, the function `diff` and `apply` use, with a
scope for incremental reconciles; its empty-source guard and prune rules are the only ones.

No single file stops the loop. Whatever goes wrong for one file, at any stage, is reported with
that file and the others are reconciled: a load or validation failure (`sources`); a failure to
plan its objects, a change the API server refuses, or an exception while applying them (here:
the file is found by planning or dry-running file by file, `reject`ed back to its last good
objects, its keys held from pruning, and the rest planned again without it). Anything else is
reported as the reconcile's error, and the loop goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from kapply.apply.applier import ApplyFailedError, execute
from kapply.apply.live import read_inventory
from kapply.apply.reconcile import PlanOptions, plan_objects
from kapply.cluster.protocol import Cluster
from kapply.errors import KapplyError, PruneRefusedError
from kapply.load.walk import display_path
from kapply.model.keys import ResourceKey
from kapply.plan.inventory import Inventory
from kapply.plan.ownership import Ownership
from kapply.plan.plan import Plan
from kapply.validate.diagnostics import Diagnostic
from kapply.watch import isolate
from kapply.watch.bugs import internal_error
from kapply.watch.holds import PRUNE_AFTER, PruneHolds
from kapply.watch.result import ReconcileResult
from kapply.watch.sources import SourceSet, Update

Planner = Callable[..., tuple[Plan, Inventory | None]]


class Reconciler:
    def __init__(self, cluster: Cluster, sources: SourceSet, inventory_id: str, *, prune: bool = False,
                 allow_empty: bool = False, self_heal: bool = True, prune_after: float = PRUNE_AFTER,
                 clock: Callable[[], float] = time.monotonic, planner: Planner = plan_objects,
                 ownership: Ownership | None = None) -> None:
        self.cluster = cluster
        self.ownership = ownership  # from resolve_source: the inventory records this source
        self.sources = sources
        self.inventory_id = inventory_id
        self.prune = prune
        self.allow_empty = allow_empty
        self.self_heal = self_heal
        self.planner = planner  # a seam: tests inject a planner that fails
        self.holds = PruneHolds(prune, prune_after, clock)
        # planned with prune even without --prune, so what the folder no longer holds is reported
        self.options = PlanOptions(prune=True, allow_empty=allow_empty or not prune)
        self._gone: list[str] = []  # as the last result said
        self._last_file: dict[ResourceKey, str] = {}  # for prunes that wait: the file that held each

    def start(self) -> ReconcileResult:
        result = self._run("start", self.sources.scan, full=True)
        assert result is not None
        return result

    def rescan(self) -> ReconcileResult | None:
        """After a folder event; None when no manifest changed and no folder went or came back."""
        return self._run("change", self.sources.scan, full=True)

    def on_files(self, paths: Iterable[str]) -> ReconcileResult | None:
        """After file events; None when none of them is one of the source's manifests."""
        paths = list(paths)
        return self._run("change", lambda: self.sources.refresh(paths), full=False)

    def drift_check(self) -> ReconcileResult:
        """A rescan (events can be missed), then the whole folder against the cluster."""
        result = self._run("drift", self.sources.scan, full=True)
        assert result is not None
        return result

    def settle(self) -> ReconcileResult | None:
        """The prunes whose wait is over (`next_deadline`); None when there was nothing to do."""
        due = self.holds.due()
        if not due:
            return None
        files = sorted({display_path(p) for k, p in self._last_file.items() if k in due})
        result = self._run("settle", lambda: Update(touched_keys=due), full=False)
        if result is None or (not result.applied and result.ok):
            return None  # back in the folder, or deleted meanwhile: nothing to say
        result.files = files
        return result

    def next_deadline(self) -> float | None:
        """When `settle` has work (clock time), if ever."""
        return self.holds.next_due()

    def _run(self, trigger: str, read: Callable[[], Update], full: bool) -> ReconcileResult | None:
        result = ReconcileResult(trigger, time.time(), full=full, paths=list(self.sources.paths))
        begin = time.perf_counter()
        try:
            update = read()
            gone = self.sources.gone()
            if trigger == "change" and not update.files and gone == self._gone:
                return None  # a file beside the source, or a folder event that changed no manifest
            result.gone, result.back = gone, [p for p in self._gone if p not in gone]
            self._gone = gone
            result.files = [display_path(p) for p in update.files]
            result.diagnostics = list(update.errors)
            self._remember_files(update)
            self._reconcile(result, update, None if full else update.touched_keys)
        except KapplyError as exc:
            result.errors.append(str(exc))
        except Exception as exc:  # a bug in kapply: reported, and the loop goes on
            result.errors.append(internal_error("reconciling", exc))
        broken = self.sources.broken()
        if full:
            result.broken = [display_path(p) for p in broken]
        result.unapplied = {display_path(p) for p in broken if not self.sources.files[p].objects}
        result.objects = len(self.sources.desired())
        result.sources = sum(1 for s in self.sources.files.values() if s.objects)
        result.duration = time.perf_counter() - begin
        return result

    def _remember_files(self, update: Update) -> None:
        """Which file last held each key, so a prune that waited can say where it came from."""
        for path, previous in update.previous.items():
            for key in previous.keys if previous is not None else ():
                self._last_file[key] = path
        self._last_file = {k: p for k, p in self._last_file.items()
                           if k in self.holds.absent or k in update.touched_keys}

    def _reconcile(self, result: ReconcileResult, update: Update, scope: set[ResourceKey] | None) -> None:
        """Plan, hold back, apply; a file that fails is set aside and the rest planned again."""
        excluded: set[ResourceKey] = set()
        for _ in range(len(self.sources.files) + 2):  # every retry sets at least one more file aside
            plan, inventory = self._plan(result, update, scope, excluded)
            plan, result.holds = self.holds.apply(
                plan, scope, gone=result.gone, unknown=self.sources.unknown(), held=self.sources.held())
            failures = self._refused_in_plan(plan)
            if not failures:
                todo, result.drift = self._split_drift(result, plan, update)
                failures = self._apply(result, todo, inventory)
                if not failures:
                    self.holds.forget([o.change.key for o in result.applied if o.change.action == "prune"])
                    return
            excluded |= self._set_aside(result, update, failures)
        raise KapplyError("giving up: every retry found another file that cannot be applied")

    def _split_drift(self, result: ReconcileResult, plan: Plan, update: Update) -> tuple[Plan, list[Any]]:
        """On a drift check, the writes no file change explains are drift; without self-heal
        they are reported, and only what the rescan found changed in the files is applied."""
        if result.trigger != "drift":
            return plan, []
        drift = [c for c in plan.changes if c.is_write and c.key not in update.touched_keys]
        if not drift:
            return plan, []
        result.healed = self.self_heal
        if self.self_heal:
            return plan, drift
        kept = tuple(c for c in plan.changes if not c.is_write or c.key in update.touched_keys)
        return replace(plan, changes=kept), drift

    def _plan(self, result: ReconcileResult, update: Update, scope: set[ResourceKey] | None,
              excluded: set[ResourceKey]) -> tuple[Plan, Inventory | None]:
        """`plan_objects` over the scope; a file whose objects make it raise is set aside."""
        for _ in range(len(self.sources.files) + 2):
            narrowed = self._narrow(scope, excluded)
            try:
                return self._plan_keys(narrowed)
            except PruneRefusedError:
                raise
            except Exception:
                failures = isolate.find(self._keys(narrowed), self.sources.origin(), self._plan_keys,
                                        "planning")
                if not failures:
                    raise
                excluded |= self._set_aside(result, update, failures)
        raise KapplyError("giving up: every retry found another file that cannot be planned")

    def _plan_keys(self, scope: set[ResourceKey] | None) -> tuple[Plan, Inventory | None]:
        desired = self.sources.desired()
        extra = {"ownership": self.ownership} if self.ownership is not None else {}
        return self.planner(self.cluster, desired, self.inventory_id, self.options, scope=scope, **extra)

    def _narrow(self, scope: set[ResourceKey] | None, excluded: set[ResourceKey]) -> set[ResourceKey] | None:
        """The scope less `excluded` (None, the whole folder, while nothing is excluded)."""
        return self._keys(scope) - excluded if excluded else scope

    def _keys(self, scope: set[ResourceKey] | None) -> set[ResourceKey]:
        """The keys a scope covers: None is every desired object and every inventory entry."""
        if scope is not None:
            return set(scope)
        inventory = read_inventory(self.cluster, self.inventory_id)
        return set(self.sources.origin()) | (inventory.keys if inventory is not None else set())

    def _refused_in_plan(self, plan: Plan) -> dict[str, isolate.Failure]:
        """Changes the API server would refuse (an immutable field), by file."""
        failures: dict[str, isolate.Failure] = {}
        if not plan.errors:
            return failures
        origin = self.sources.origin()
        for change in plan.errors:
            path = origin[change.key][0] if change.key in origin else isolate.PRUNES
            isolate.refused(failures, path, change.key, "; ".join(change.error.splitlines()))
        return failures

    def _apply(self, result: ReconcileResult, plan: Plan,
               inventory: Inventory | None) -> dict[str, isolate.Failure]:
        """Execute the plan; on a refusal or an exception, the failing files (nothing was written)."""
        try:
            result.outcomes = execute(self.cluster, plan, inventory).outcomes
            return {}
        except ApplyFailedError as exc:
            if not exc.refused:
                raise
            origin = self.sources.origin()
            failures: dict[str, isolate.Failure] = {}
            for outcome in exc.refused:
                key = outcome.change.key
                path = origin[key][0] if key in origin else isolate.PRUNES
                isolate.refused(failures, path, key, outcome.message)
            return failures
        except Exception:
            def dry_run(keys: set[ResourceKey]) -> None:
                part = replace(plan, changes=tuple(c for c in plan.changes if c.key in keys))
                execute(self.cluster, part, inventory, dry_run=True)

            found = isolate.find({c.key for c in plan.changes}, self.sources.origin(), dry_run, "applying")
            if not found:
                raise
            return found

    def _set_aside(self, result: ReconcileResult, update: Update,
                   failures: dict[str, isolate.Failure]) -> set[ResourceKey]:
        """Report each failing file and reject it; the keys to leave out of this reconcile."""
        excluded: set[ResourceKey] = set()
        origin = self.sources.origin()
        for path, failure in failures.items():
            excluded |= failure.keys
            if path == isolate.PRUNES:
                result.errors.append(f"not pruned: {failure.text}")
                continue
            at = failure.found or failure.keys
            line = min((origin[k][1] for k in at if k in origin), default=1)
            obj = next(iter(failure.found)).display if len(failure.found) == 1 else ""
            diagnostic = Diagnostic(display_path(path), line, 1, failure.text, "not-applied", "error", obj)
            result.diagnostics.append(diagnostic)
            self.sources.reject(path, [diagnostic], update.previous.get(path, self.sources.files.get(path)))
            rejected = self.sources.files.get(path)
            if rejected is not None:
                excluded |= set(rejected.keys) | rejected.held
        return excluded
