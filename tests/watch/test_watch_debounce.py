"""Bursts of file events become one batch; quiet periods and the max wait close it."""

from __future__ import annotations

import threading
import time

from kapply.watch.debounce import Debouncer


def test_burst_is_one_batch() -> None:
    d = Debouncer(quiet=0.05, max_wait=1.0)
    for name in ("a.yaml", ".a.yaml.tmp", "a.yaml", "b.yaml"):
        d.add(name)
    batch = d.wait(timeout=1.0)
    assert batch.paths == {"a.yaml", ".a.yaml.tmp", "b.yaml"} and not batch.rescan
    assert not d.wait(timeout=0.01)


def test_timeout_without_events_is_empty() -> None:
    start = time.monotonic()
    assert not Debouncer().wait(timeout=0.05)
    assert time.monotonic() - start < 0.5


def test_batch_closes_after_max_wait_even_if_events_keep_coming() -> None:
    d = Debouncer(quiet=0.05, max_wait=0.2)
    stop = threading.Event()

    def spam() -> None:
        while not stop.is_set():
            d.add("busy.yaml")
            time.sleep(0.01)

    thread = threading.Thread(target=spam)
    thread.start()
    start = time.monotonic()
    try:
        batch = d.wait(timeout=1.0)
    finally:
        stop.set()
        thread.join()
    assert batch.paths == {"busy.yaml"}
    assert time.monotonic() - start < 0.6


def test_directory_events_ask_for_a_rescan() -> None:
    d = Debouncer(quiet=0.01)
    d.add(None, rescan=True)
    assert d.wait(timeout=1.0).rescan
