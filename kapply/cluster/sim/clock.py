"""The virtual clock of the embedded cluster, and RFC 3339 timestamps.

Virtual time is wall time plus a persisted offset (`cluster advance` grows the offset), or, with
the `manual_clock` setting, the last time the cluster reached (time moves only when advanced).
It never goes backwards: the target of a catch-up is never before the time already reached.
Wall time comes from an injectable `WallClock` so tests use a `FakeClock` and never sleep.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol


class WallClock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    """The machine's clock."""

    def time(self) -> float:
        return time.time()


class FakeClock:
    """A wall clock that moves only when told (tests)."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = float(start)

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the fake wall clock forward."""
        self.now += seconds


def target_time(wall: float, offset: float, reached: float, manual: bool) -> float:
    """The virtual time a catch-up should reach now; never before `reached`."""
    if manual:
        return reached
    return max(wall + offset, reached)


def rfc3339(ts: float) -> str:
    """Epoch seconds -> `2026-01-02T03:04:05Z` (whole seconds, as metav1.Time serialises)."""
    return _rfc3339(int(ts))


@lru_cache(maxsize=4096)
def _rfc3339(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def parse_rfc3339(text: str) -> float:
    """`2026-01-02T03:04:05Z` -> epoch seconds."""
    value = text.replace("Z", "+00:00") if text.endswith("Z") else text
    return datetime.fromisoformat(value).timestamp()
