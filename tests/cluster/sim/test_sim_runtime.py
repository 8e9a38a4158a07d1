"""The controller runtime: work queue, persisted timers in time order, catch-up, runaway guard."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.controllers import catalog
from kapply.cluster.sim.controllers.base import Change, Context
from kapply.cluster.sim.controllers.catalog import CONTROLLERS
from kapply.cluster.sim.runtime import TimerSet
from kapply.cluster.sim.store import Store
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import ClusterError, NotFoundError

T0 = 1_767_225_600.0


class Ticker:
    """Re-syncs a ConfigMap's key every `period` seconds, `times` times, recording when."""

    name = "ticker"

    def __init__(self, period: float = 10.0, times: int = 4) -> None:
        self.period, self.times = period, times
        self.seen: list[tuple[float, str]] = []

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "ConfigMap" and change.type == "ADDED":
            yield change.name

    def sync(self, ctx: Context, key: str) -> None:
        self.seen.append((ctx.now - T0, key))
        if len([k for _, k in self.seen if k == key]) < self.times:
            ctx.requeue_after(self.period, key)


class Flapper:
    """A broken controller: every write it makes wakes it again."""

    name = "flapper"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "ConfigMap":
            yield change.name

    def sync(self, ctx: Context, key: str) -> None:
        obj = copy.deepcopy(ctx.get("ConfigMap", "default", key))
        if obj is not None:
            obj["data"] = {"n": str(int(obj.get("data", {}).get("n", "0")) + 1)}
            ctx.update(obj)


def cm(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}


@pytest.fixture
def with_controller(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(controller: Any) -> Any:
        monkeypatch.setattr(catalog, "CONTROLLERS", [*CONTROLLERS, controller])
        return controller
    return install


def test_timers_fire_in_order_and_only_up_to_target(cluster: SimCluster, with_controller: Any) -> None:
    ticker = with_controller(Ticker())
    cluster.create(cm("b"))
    cluster.advance(5)
    cluster.create(cm("a"))
    assert ticker.seen == [(0, "b"), (5, "a")]
    result = cluster.advance(20)
    assert ticker.seen == [(0, "b"), (5, "a"), (10, "b"), (15, "a"), (20, "b"), (25, "a")]
    assert result.timers == 4 and result.end - result.start == 20


def test_timers_persist_across_processes(tmp_path: Path, with_controller: Any) -> None:
    first = with_controller(Ticker())
    c = new_test_cluster(tmp_path)
    c.create(cm("x"))
    c.close()
    assert [t for t in Store.open(tmp_path / "test.db").timers() if t[1] == "ticker"] == \
        [(T0 + 10, "ticker", "x")]
    second = with_controller(Ticker())
    reopened = SimCluster("test", Store.open(tmp_path / "test.db"), c.clock)
    reopened.advance(100)
    assert first.seen == [(0, "x")]
    assert second.seen == [(10, "x"), (20, "x"), (30, "x"), (40, "x")]  # its own count of 4


def test_wall_clock_drives_catch_up_without_manual_clock(tmp_path: Path, with_controller: Any) -> None:
    ticker = with_controller(Ticker())
    c = new_test_cluster(tmp_path, manual_clock=False)
    c.create(cm("x"))
    c.clock.advance(15)
    c.catch_up()
    assert ticker.seen == [(0, "x"), (10, "x")]
    c.clock.advance(-100)  # the wall clock goes backwards: virtual time does not
    assert c.now() == T0 + 15


def test_until_idle_jumps_between_events(cluster: SimCluster, with_controller: Any) -> None:
    ticker = with_controller(Ticker(period=60, times=3))
    cluster.create(cm("x"))
    result = cluster.advance_until_idle()
    assert result.idle and result.end == T0 + 120
    assert [t for t, _ in ticker.seen] == [0, 60, 120]


def test_until_idle_is_bounded(cluster: SimCluster, with_controller: Any) -> None:
    with_controller(Ticker(period=600, times=1000))
    cluster.create(cm("x"))
    result = cluster.advance_until_idle(limit=3600)
    assert not result.idle and result.end == T0 + 3600


def test_runaway_controller_is_named(cluster: SimCluster, with_controller: Any) -> None:
    with_controller(Flapper())
    with pytest.raises(ClusterError, match="controller 'flapper' did not settle"):
        cluster.create(cm("x"))
    assert cluster.list("ConfigMap", "default") == []


def test_idle_read_does_not_load_the_cache(tmp_path: Path) -> None:
    c = new_test_cluster(tmp_path)
    c.create(cm("x"))
    fresh = SimCluster("test", Store.open(tmp_path / "test.db"), c.clock)
    assert fresh.get("ConfigMap", "default", "x")["metadata"]["name"] == "x"
    assert [o["metadata"]["name"] for o in fresh.list("ConfigMap", "default")] == ["x"]
    assert fresh._cache is None


def test_timerset_keeps_earliest_and_pops_in_order() -> None:
    timers = TimerSet()
    timers.add("c", "k", 10)
    timers.add("c", "k", 20)
    timers.add("c", "j", 5)
    timers.add("d", "k", 5)
    assert timers.get("c", "k") == 10
    assert timers.pop_due(7) == [("c", "j"), ("d", "k")]
    assert timers.earliest() == 10
    upserts, deletes = timers.rows()
    assert upserts == [("c", "k", 10)] and deletes == [("c", "j"), ("d", "k")]


class Stubborn:
    """Creates a ConfigMap that is refused (namespace missing): the API says no, it retries later."""

    name = "stubborn"

    def __init__(self) -> None:
        self.attempts: list[float] = []

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "ConfigMap" and change.type == "ADDED" and change.name == "trigger":
            yield "x"

    def sync(self, ctx: Context, key: str) -> None:
        self.attempts.append(ctx.now - T0)
        ctx.create({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "copy", "namespace": "missing"}})


def test_refused_controller_writes_are_retried_with_backoff(cluster: SimCluster,
                                                            with_controller: Any) -> None:
    stubborn = with_controller(Stubborn())
    cluster.create(cm("trigger"))  # the command itself succeeds
    cluster.advance(10)
    assert stubborn.attempts == [0, 1, 3, 7]
    assert cluster.get("ConfigMap", "default", "trigger")


def test_advance_on_a_wall_clock_cluster_persists_the_offset(tmp_path: Path) -> None:
    c = new_test_cluster(tmp_path, manual_clock=False)
    c.advance(300)
    assert c.now() == T0 + 300
    c.clock.advance(10)
    reopened = SimCluster("test", Store.open(tmp_path / "test.db"), c.clock)
    assert reopened.now() == T0 + 310


def test_update_settings_is_seen_by_later_sessions(cluster: SimCluster) -> None:
    faults = {"nginx:broken": {"reason": "ErrImagePull"}}
    cluster.update_settings(image_faults=faults)
    assert cluster.settings.image_faults == faults
    with cluster.session() as rt:
        assert rt.api.settings.image_faults == faults


def test_a_failed_read_keeps_the_catch_up(tmp_path: Path, with_controller: Any) -> None:
    ticker = with_controller(Ticker())
    c = new_test_cluster(tmp_path, manual_clock=False)
    c.create(cm("x"))
    c.clock.advance(15)  # the timer at +10 is due
    with pytest.raises(NotFoundError):
        c.get("ConfigMap", "default", "missing")
    assert [t for t, _ in ticker.seen] == [0, 10]
    assert [t for t in c.store.timers() if t[1] == "ticker"] == [(T0 + 20, "ticker", "x")]


class Resyncer:
    """Keeps a memory of its passes and resyncs every 30 s as housekeeping after the third."""

    name = "resyncer"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "ConfigMap" and change.type == "ADDED":
            yield change.name

    def sync(self, ctx: Context, key: str) -> None:
        passes = ctx.memory.setdefault("passes", [])
        passes.append(ctx.now - T0)
        ctx.requeue_at(ctx.now + 30, key, housekeeping=len(passes) >= 3)


def test_housekeeping_resyncs_keep_nothing_busy_and_memory_is_kept(tmp_path: Path,
                                                                   with_controller: Any) -> None:
    with_controller(Resyncer())
    cluster = new_test_cluster(tmp_path)
    cluster.create(cm("x"))
    result = cluster.advance_until_idle()
    assert result.idle and result.end == T0 + 60  # the two busy passes; the rest is housekeeping
    assert cluster.next_due() is None
    assert ("resyncer/resync", "x") in {(c, k) for _, c, k in Store.open(tmp_path / "test.db").timers()}
    cluster.advance(90)
    cluster.close()
    reopened = SimCluster("test", Store.open(tmp_path / "test.db"), cluster.clock)
    reopened.advance(30)
    memory = reopened.store.meta()["memory"]["resyncer"]
    assert memory["passes"] == [0, 30, 60, 90, 120, 150, 180]  # one list across sessions and processes
