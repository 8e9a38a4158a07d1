"""Coalesce bursts of file-system events into one batch of paths.

Editors save in bursts (write a temp file, rename it over the original, touch a backup, update a
swap file); one save must cause one reconcile. A batch closes once no event has arrived for
`quiet` seconds (100 ms), or `max_wait` after it opened, whichever comes first. Directory events
ask for a full rescan, since a moved folder carries files no event names.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Batch:
    paths: set[str] = field(default_factory=set)
    rescan: bool = False

    def __bool__(self) -> bool:
        return bool(self.paths) or self.rescan


class Debouncer:
    def __init__(self, quiet: float = 0.1, max_wait: float = 1.0) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self._cond = threading.Condition()
        self._batch = Batch()
        self._first = 0.0
        self._last = 0.0

    def add(self, path: str | None, rescan: bool = False) -> None:
        """Record an event (called from the observer thread)."""
        with self._cond:
            now = time.monotonic()
            if not self._batch:
                self._first = now
            self._last = now
            if path:
                self._batch.paths.add(path)
            self._batch.rescan = self._batch.rescan or rescan
            self._cond.notify_all()

    def wait(self, timeout: float) -> Batch:
        """Block up to `timeout` for a batch to open, then until it is quiet; empty on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._batch:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Batch()
                self._cond.wait(remaining)
            while True:
                now = time.monotonic()
                close_at = min(self._last + self.quiet, self._first + self.max_wait)
                if now >= close_at:
                    batch, self._batch = self._batch, Batch()
                    return batch
                self._cond.wait(close_at - now)

    def wake(self) -> None:
        """Interrupt a wait (shutdown)."""
        with self._cond:
            self._cond.notify_all()
