"""Concurrent writers: a plan that writes is re-made where it is written, or retried on a race.

`other` is a second process on the same state file: it commits between this run's plan and its
write, as a concurrent `kapply apply` (or a `get` that catches the simulation up) does.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kapply.apply import atomic
from kapply.apply.applier import ApplyFailedError, execute
from kapply.apply.atomic import apply_planned
from kapply.apply.reconcile import PlanOptions, Prepared, plan_objects
from kapply.cluster.protocol import Transactional, VirtualClock
from kapply.cluster.sim import open_cluster
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import ConflictError

INV = "race-0123456789"


def configmap(name: str, value: str = "1") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": value}}


OBJECTS = [configmap("a"), configmap("b")]


class Plain:
    """The embedded cluster without its transactions: what any other target looks like."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.name = inner.name

    def __getattr__(self, attr: str) -> Any:
        if attr in ("session", "settings", "next_due", "advance"):
            raise AttributeError(attr)
        return getattr(self._inner, attr)


@pytest.fixture
def cluster(tmp_path: Path) -> Any:
    c = new_test_cluster(tmp_path)
    yield c
    c.close()


@pytest.fixture
def other(cluster: Any, tmp_path: Path) -> Any:
    c = open_cluster(cluster.name, home=tmp_path, clock=cluster.clock)
    yield c
    c.close()


def prepared(cluster: Any, objects: list[dict[str, Any]] = OBJECTS) -> Prepared:
    plan, inventory = plan_objects(cluster, copy.deepcopy(objects), INV, PlanOptions())
    return Prepared(None, plan, inventory)


def run_elsewhere(other: Any, objects: list[dict[str, Any]] = OBJECTS) -> None:
    plan, inventory = plan_objects(other, copy.deepcopy(objects), INV, PlanOptions())
    execute(other, plan, inventory)


def test_the_embedded_cluster_is_transactional_and_a_plain_target_is_not(cluster: Any) -> None:
    assert isinstance(cluster, Transactional) and isinstance(cluster, VirtualClock)
    assert not isinstance(Plain(cluster), Transactional) and not isinstance(Plain(cluster), VirtualClock)


@pytest.mark.parametrize("wrap", [lambda c: c, Plain], ids=["transactional", "retried"])
def test_a_create_that_another_run_made_meanwhile_is_unchanged_not_already_exists(
        cluster: Any, other: Any, wrap: Any) -> None:
    target = wrap(cluster)
    first = prepared(target)
    run_elsewhere(other)  # both planned `create`; the other one committed first
    with pytest.raises(ApplyFailedError, match="already exists"):
        execute(target, first.plan, first.inventory)  # the race, written naively
    done, report = apply_planned(target, first, lambda: prepared(target))
    assert [o.line() for o in report.outcomes] == ["configmap/a unchanged", "configmap/b unchanged"]
    assert not report.failed and done.plan is not first.plan


@pytest.mark.parametrize("wrap", [lambda c: c, Plain], ids=["transactional", "retried"])
def test_an_update_racing_another_writer_is_made_again_not_a_conflict(
        cluster: Any, other: Any, wrap: Any) -> None:
    target = wrap(cluster)
    run_elsewhere(other)
    first = prepared(target, [configmap("a", "2"), configmap("b")])
    live = other.get("ConfigMap", "default", "a")  # someone else writes the object meanwhile
    live["metadata"].setdefault("annotations", {})["touched"] = "yes"
    other.update(live)
    with pytest.raises(ApplyFailedError, match="the object has been modified"):
        execute(target, first.plan, first.inventory)
    _, report = apply_planned(target, first, lambda: prepared(target, [configmap("a", "2"), configmap("b")]))
    assert [o.line() for o in report.outcomes] == ["configmap/a configured", "configmap/b unchanged"]
    assert cluster.get("ConfigMap", "default", "a")["data"] == {"k": "2"}
    assert cluster.get("ConfigMap", "default", "a")["metadata"]["annotations"]["touched"] == "yes"


class RacingWrites(Plain):
    """Another run commits just before this run's first real create (after the dry run)."""

    def __init__(self, inner: Any, other: Any) -> None:
        super().__init__(inner)
        self._other, self._raced = other, False

    def create(self, obj: dict[str, Any], dry_run: bool = False) -> Any:
        if not dry_run and not self._raced and obj["metadata"]["name"] == "a":
            self._raced = True
            run_elsewhere(self._other, [configmap("a")])
        return self._inner.create(obj, dry_run=dry_run)


def test_a_retry_keeps_what_the_earlier_attempt_wrote(cluster: Any, other: Any) -> None:
    target = RacingWrites(cluster, other)
    _, report = apply_planned(target, prepared(target), lambda: prepared(target))
    lines = sorted(o.line() for o in report.outcomes)
    assert lines == ["configmap/a unchanged", "configmap/b created"]  # b was created by attempt 1
    assert not report.failed


class AlwaysConflicting(Plain):
    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.updates = 0

    def update(self, obj: dict[str, Any], dry_run: bool = False) -> Any:
        self.updates += 1
        raise ConflictError("Operation cannot be fulfilled: the object has been modified")


def test_retries_are_bounded(cluster: Any) -> None:
    run_elsewhere(cluster)
    target = AlwaysConflicting(cluster)
    first = prepared(target, [configmap("a", "2")])
    with pytest.raises(ApplyFailedError, match="has been modified"):
        apply_planned(target, first, lambda: prepared(target, [configmap("a", "2")]))
    assert target.updates == atomic.RETRIES + 1


def test_a_plan_without_writes_takes_no_transaction(cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    run_elsewhere(cluster)
    first = prepared(cluster)

    def no_replan() -> Prepared:
        raise AssertionError("an apply that writes nothing is not planned twice")

    _, report = apply_planned(cluster, first, no_replan)
    assert report.writes == 0 and [o.change.action for o in report.outcomes] == ["unchanged", "unchanged"]
