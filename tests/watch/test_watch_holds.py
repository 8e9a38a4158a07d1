"""Which prunes the watch holds back: the reasons in their order, and the absence timer (fake clock)."""

from __future__ import annotations

import pytest

from kapply.cluster.sim.clock import FakeClock
from kapply.model.keys import ResourceKey
from kapply.plan.change import Change
from kapply.plan.plan import Plan
from kapply.watch.holds import NO_PRUNE, PruneHolds

A = ResourceKey("", "ConfigMap", "default", "a")
B = ResourceKey("", "ConfigMap", "default", "b")


def plan(*prunes: ResourceKey, unchanged: tuple[ResourceKey, ...] = ()) -> Plan:
    changes = [Change("unchanged", k, {}, {}, ()) for k in unchanged]
    changes += [Change("prune", k, None, {}, (), "absent from the source") for k in prunes]
    return Plan(tuple(changes), "inv")


def actions(p: Plan) -> dict[str, tuple[str, str]]:
    return {c.key.name: (c.action, c.reason) for c in p.changes}


@pytest.mark.parametrize(("prune", "gone", "unknown", "held", "reason"), [
    (True, ["m"], ["m/b.yaml"], {A: "m/a.yaml"},
     "not pruned: m is gone (nothing is pruned until it is back)"),
    (True, [], ["m/b.yaml"], {A: "m/a.yaml"}, "not pruned: m/b.yaml does not load, and may hold it"),
    (True, [], [], {A: "m/a.yaml"}, "not pruned: m/a.yaml held it and is broken"),
    (False, [], [], {}, "not pruned: absent from the source (--prune deletes it)"),
    (True, [], [], {}, "not pruned yet: absent from the source for 0.0s (pruned once absent for 5s)"),
])
def test_the_first_reason_that_applies_is_given(prune: bool, gone: list[str], unknown: list[str],
                                                held: dict[ResourceKey, str], reason: str) -> None:
    holds = PruneHolds(prune, 5.0, FakeClock(0.0).time)
    out, kept = holds.apply(plan(A), None, gone=gone, unknown=unknown, held=held)
    assert actions(out) == {"a": ("skip", reason)}
    assert (kept[A] == NO_PRUNE) == (not prune)


def test_an_object_is_pruned_once_absent_for_the_whole_wait() -> None:
    clock = FakeClock(0.0)
    holds = PruneHolds(True, 5.0, clock.time)
    holds.apply(plan(A), None, gone=[], unknown=[], held={})
    assert holds.next_due() == 5.0
    clock.now = 4.9
    assert holds.due() == set()
    out, _ = holds.apply(plan(A), {A}, gone=[], unknown=[], held={})
    assert actions(out)["a"][0] == "skip"
    clock.now = 5.0
    assert holds.due() == {A}
    assert holds.due() == set() and holds.next_due() is None  # handed out once
    out, _ = holds.apply(plan(A), {A}, gone=[], unknown=[], held={})
    assert actions(out) == {"a": ("prune", "absent from the source")}


def test_an_object_back_in_the_folder_restarts_its_wait() -> None:
    clock = FakeClock(0.0)
    holds = PruneHolds(True, 5.0, clock.time)
    holds.apply(plan(A), None, gone=[], unknown=[], held={})
    clock.now = 3.0
    holds.apply(plan(unchanged=(A,)), {A}, gone=[], unknown=[], held={})  # the file was refilled
    assert holds.next_due() is None
    clock.now = 4.0
    holds.apply(plan(A), {A}, gone=[], unknown=[], held={})  # emptied again
    clock.now = 8.9
    out, _ = holds.apply(plan(A), None, gone=[], unknown=[], held={})
    assert actions(out)["a"][0] == "skip"
    assert holds.next_due() == 9.0


def test_a_scoped_plan_leaves_the_other_timers_alone() -> None:
    clock = FakeClock(0.0)
    holds = PruneHolds(True, 5.0, clock.time)
    holds.apply(plan(A, B), None, gone=[], unknown=[], held={})
    clock.now = 1.0
    holds.apply(plan(), {B}, gone=[], unknown=[], held={})  # b is back; a was not looked at
    assert set(holds.absent) == {A}


def test_a_folder_gone_restarts_every_timer() -> None:
    clock = FakeClock(0.0)
    holds = PruneHolds(True, 5.0, clock.time)
    holds.apply(plan(A), None, gone=[], unknown=[], held={})
    clock.now = 10.0
    out, _ = holds.apply(plan(A), None, gone=["m"], unknown=[], held={})
    assert actions(out)["a"][0] == "skip" and holds.next_due() is None
    clock.now = 11.0  # back, filling up file by file: a gets a fresh wait
    out, _ = holds.apply(plan(A), None, gone=[], unknown=[], held={})
    assert actions(out)["a"] == ("skip", "not pruned yet: absent from the source for 0.0s "
                                         "(pruned once absent for 5s)")
    assert holds.next_due() == 16.0


def test_a_zero_wait_prunes_at_once_and_without_prune_nothing_is_timed() -> None:
    out, _ = PruneHolds(True, 0.0, FakeClock(0.0).time).apply(plan(A), None, gone=[], unknown=[], held={})
    assert actions(out)["a"][0] == "prune"
    holds = PruneHolds(False, 5.0, FakeClock(0.0).time)
    holds.apply(plan(A), None, gone=[], unknown=[], held={})
    assert holds.next_due() is None and holds.due() == set()
