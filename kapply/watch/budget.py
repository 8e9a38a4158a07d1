"""A time limit on reading one file, so a file that never finishes validating cannot stall the loop.

An exception in one file is caught where it happens (`sources`); a computation that runs away
(a quantity parser expanding `1e9999999`, a rule looping) raises nothing, and the watch would
wait forever. `time_budget` arms a timer signal: when it fires, the code running in the main
thread gets `OverBudget` at its next bytecode, and the file is reported as broken. A single
long C call (one huge integer operation) finishes first; the limit then applies as it returns.
Outside the main thread (where signals cannot be handled) no limit is set.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BASE_SECONDS = 10.0  # for any file: a few documents validate in milliseconds
SECONDS_PER_MIB = 2.0  # a large file legitimately takes longer (about 0.8 s/MiB measured)


class OverBudget(Exception):
    """Reading a file took longer than its budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"reading it took longer than {round(seconds, 2):g}s")
        self.seconds = seconds


def budget_for(size: int) -> float:
    """The time allowed to load and validate a file of `size` bytes."""
    return BASE_SECONDS + SECONDS_PER_MIB * size / (1024 * 1024)


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise OverBudget inside the block once `seconds` have passed (main thread only)."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
