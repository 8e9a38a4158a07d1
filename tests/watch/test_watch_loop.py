"""The loop survives what fails around the reconciles: a tick or a reconcile that raises is a line."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from kapply.watch import loop
from kapply.watch.result import ReconcileResult


class Stub:
    """A reconciler whose drift check raises the first time."""

    def __init__(self) -> None:
        self.drifts = 0

    def start(self) -> ReconcileResult:
        return ReconcileResult("start", 0.0)

    def drift_check(self) -> ReconcileResult:
        self.drifts += 1
        if self.drifts == 1:
            raise RuntimeError("drift bug")
        return ReconcileResult("drift", 0.0)

    def next_deadline(self) -> float | None:
        return None

    def settle(self) -> None:
        return None

    def rescan(self) -> None:
        return None

    def on_files(self, paths: Any) -> None:
        return None


def test_failures_around_the_reconciles_are_reported_and_the_loop_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop, "TICK_SECONDS", 0.01)
    stop = threading.Event()
    lines: list[ReconcileResult] = []
    ticks = {"n": 0}

    def tick() -> None:
        ticks["n"] += 1
        raise OSError("cluster state unreadable")

    def emit(result: ReconcileResult) -> None:
        lines.append(result)
        if sum(1 for r in lines if r.trigger == "drift") >= 2 and ticks["n"] >= 3:
            stop.set()

    reconciler: Any = Stub()
    thread = threading.Thread(target=loop.run, args=(reconciler, [str(tmp_path)], 0.01, emit),
                              kwargs={"stop": stop, "tick": tick})
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    errors = [e for r in lines for e in r.errors]
    assert "internal error while reconciling: RuntimeError: drift bug" in errors[0]
    # the failing tick repeats every tick, and is said once
    assert sum("internal error while running the cluster: OSError" in e for e in errors) == 1
    assert reconciler.drifts >= 3
