"""Read, plan and write as one step, so concurrent applies of one source all succeed.

Two `kapply apply` runs of one folder both plan from the live state they read; written naively,
the later one's creates fail with AlreadyExists and its updates with Conflict (and a `get` that
catches the simulation up between a run's read and its write bumps resourceVersions the same
way). So a plan that writes is made again where it is written:

- on a `Transactional` target (the embedded cluster), the plan is re-read and re-made inside
  the write transaction, so concurrent runs serialise and each plans from what the one before
  committed (a no-op plan writes nothing and needs no transaction);
- on any other target, read-plan-write is retried when the server answers Conflict or
  AlreadyExists, at most `RETRIES` more times, as controllers requeue on conflicts; objects
  written by an earlier attempt keep their result (`created`), not the `unchanged` of the retry.

Results reach `on_outcome` only once the writes are committed.
"""

from __future__ import annotations

from collections.abc import Callable

from kapply.apply.applier import ApplyFailedError, ApplyReport, Outcome, execute, next_inventory
from kapply.apply.reconcile import Prepared
from kapply.cluster.protocol import Cluster, Transactional
from kapply.errors import ClusterError
from kapply.model.keys import ResourceKey
from kapply.plan.change import WRITES

RETRIES = 4
RACES = frozenset({"Conflict", "AlreadyExists"})


def apply_planned(cluster: Cluster, first: Prepared, replan: Callable[[], Prepared], *,
                  dry_run: bool = False, on_outcome: Callable[[Outcome], None] | None = None
                  ) -> tuple[Prepared, ApplyReport]:
    """Execute `first`, re-planned with `replan` where it is written; returns what was executed."""
    emit = on_outcome or (lambda _: None)
    if dry_run or not _writes(first):
        return first, execute(cluster, first.plan, first.inventory, dry_run=dry_run, on_outcome=emit)
    if isinstance(cluster, Transactional):
        done: list[Outcome] = []
        with cluster.session():
            prepared = replan()
            report = execute(cluster, prepared.plan, prepared.inventory, on_outcome=done.append)
        for outcome in done:
            emit(outcome)
        return prepared, report
    return _with_retries(cluster, first, replan, emit)


def _with_retries(cluster: Cluster, prepared: Prepared, replan: Callable[[], Prepared],
                  emit: Callable[[Outcome], None]) -> tuple[Prepared, ApplyReport]:
    written: dict[ResourceKey, Outcome] = {}
    for attempt in range(RETRIES + 1):
        last = attempt == RETRIES
        try:
            report = execute(cluster, prepared.plan, prepared.inventory)
        except ApplyFailedError as exc:
            if last or not exc.refused or any(o.error_reason not in RACES for o in exc.refused):
                raise
            prepared = replan()
            continue
        except ClusterError as exc:  # the inventory's own write raced
            if last or exc.reason not in RACES:
                raise
            prepared = replan()
            continue
        written.update({o.change.key: o for o in report.outcomes if o.ok and o.change.is_write})
        if report.failed and not last and all(o.error_reason in RACES for o in report.failed):
            prepared = replan()
            continue
        report.outcomes = [_earlier(o, written) for o in report.outcomes]
        for outcome in report.outcomes:
            emit(outcome)
        return prepared, report
    raise AssertionError("unreachable")  # pragma: no cover - the last attempt returns or raises


def _earlier(outcome: Outcome, written: dict[ResourceKey, Outcome]) -> Outcome:
    """An object an earlier attempt wrote reads `unchanged` now: report the write instead."""
    if outcome.ok and outcome.change.action == "unchanged" and outcome.change.key in written:
        return written[outcome.change.key]
    return outcome


def _writes(prepared: Prepared) -> bool:
    """Whether executing the plan writes anything: an object, or the inventory."""
    plan = prepared.plan
    return any(c.action in WRITES for c in plan.changes) or \
        next_inventory(plan, prepared.inventory) is not None
