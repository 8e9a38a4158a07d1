"""Bursts of file events become one batch; quiet periods and the max wait close it (on a fake clock)."""

from __future__ import annotations

import threading

from kapply.cluster.sim.clock import FakeClock
from kapply.watch.debounce import Debouncer


def test_burst_is_one_batch_once_quiet() -> None:
    clock = FakeClock(100.0)
    d = Debouncer(quiet=0.125, max_wait=1.0, clock=clock.time)  # binary fractions: exact clock arithmetic
    for name in ("a.yaml", ".a.yaml.tmp", "a.yaml", "b.yaml"):
        d.add(name)
        clock.now += 0.0625
    assert not d.poll()  # 1/16 s since the last event: not quiet yet
    assert d.closes_at() == 100.1875 + 0.125
    clock.now = 100.3125
    batch = d.poll()
    assert batch.paths == {"a.yaml", ".a.yaml.tmp", "b.yaml"} and not batch.rescan
    assert not d.poll() and d.closes_at() is None


def test_each_event_restarts_the_quiet_period() -> None:
    clock = FakeClock(100.0)
    d = Debouncer(quiet=0.25, max_wait=1.0, clock=clock.time)
    d.add("a.yaml")
    clock.now += 0.1875
    d.add("a.yaml")
    clock.now += 0.1875  # 0.375 s after the first event, less than `quiet` after the last
    assert not d.poll()
    clock.now += 0.0625
    assert d.poll().paths == {"a.yaml"}


def test_batch_closes_after_max_wait_even_if_events_keep_coming() -> None:
    clock = FakeClock(100.0)
    d = Debouncer(quiet=0.25, max_wait=1.0, clock=clock.time)
    for _ in range(8):  # an event every 1/8 s: never quiet
        d.add("busy.yaml")
        assert not d.poll()
        clock.now += 0.125
    d.add("busy.yaml")
    assert d.closes_at() == 101.0
    assert d.poll().paths == {"busy.yaml"}  # at 101.0: the max wait


def test_directory_events_ask_for_a_rescan() -> None:
    clock = FakeClock(100.0)
    d = Debouncer(quiet=0.1, clock=clock.time)
    d.add(None, rescan=True)
    clock.now += 0.1
    batch = d.poll()
    assert batch.rescan and not batch.paths


def test_wait_returns_an_empty_batch_on_timeout() -> None:
    clock = FakeClock(100.0)
    d = Debouncer(clock=clock.time)
    assert not d.wait(timeout=0)  # the deadline has passed already: no blocking
    assert d.closes_at() is None


def test_wait_returns_a_closed_batch_without_blocking() -> None:
    clock = FakeClock(100.0)
    d = Debouncer(quiet=0.1, clock=clock.time)
    d.add("a.yaml")
    clock.now += 0.2
    assert d.wait(timeout=0).paths == {"a.yaml"}


def test_an_event_from_another_thread_wakes_a_wait() -> None:
    """The blocking shell: `add` on the observer thread ends the loop's wait (real time, no bound)."""
    d = Debouncer(quiet=0.0)
    thread = threading.Timer(0.01, d.add, args=("a.yaml",))
    thread.start()
    try:
        assert d.wait(timeout=60).paths == {"a.yaml"}
    finally:
        thread.join()


def test_wake_ends_a_wait_at_once() -> None:
    d = Debouncer()
    thread = threading.Timer(0.01, d.wake)
    thread.start()
    try:
        assert not d.wait(timeout=60)
    finally:
        thread.join()
