"""Coalesce bursts of file-system events into one batch of paths.

Editors save in bursts (write a temp file, rename it over the original, touch a backup, update a
swap file); one save must cause one reconcile. A batch closes once no event has arrived for
`quiet` seconds (100 ms), or `max_wait` after it opened, whichever comes first. Directory events
ask for a full rescan, since a moved folder carries files no event names.

The batching is plain arithmetic on an injected clock (`poll(now)`, `closes_at()`), so it is
tested without sleeping; `wait` is the blocking shell the loop uses, woken by `add` from the
observer thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Batch:
    paths: set[str] = field(default_factory=set)
    rescan: bool = False

    def __bool__(self) -> bool:
        return bool(self.paths) or self.rescan


class Debouncer:
    def __init__(self, quiet: float = 0.1, max_wait: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self.clock = clock
        self._cond = threading.Condition()
        self._batch = Batch()
        self._first = 0.0
        self._last = 0.0
        self._woken = False

    def add(self, path: str | None, rescan: bool = False) -> None:
        """Record an event (called from the observer thread)."""
        with self._cond:
            now = self.clock()
            if not self._batch:
                self._first = now
            self._last = now
            if path:
                self._batch.paths.add(path)
            self._batch.rescan = self._batch.rescan or rescan
            self._cond.notify_all()

    def closes_at(self) -> float | None:
        """When the open batch closes (None: no batch is open)."""
        with self._cond:
            return self._closes_at()

    def poll(self) -> Batch:
        """The batch, if it has closed by now; otherwise an empty one (the open batch stays)."""
        with self._cond:
            close_at = self._closes_at()
            if close_at is None or self.clock() < close_at:
                return Batch()
            batch, self._batch = self._batch, Batch()
            return batch

    def wait(self, timeout: float) -> Batch:
        """Block up to `timeout` for a batch to open, then until it closes; empty on timeout."""
        deadline = self.clock() + timeout
        with self._cond:
            while True:
                batch = self.poll()
                if batch:
                    return batch
                if self._woken:
                    self._woken = False
                    return Batch()
                close_at = self._closes_at()
                if close_at is None:
                    remaining = deadline - self.clock()
                    if remaining <= 0:
                        return Batch()
                    self._cond.wait(remaining)
                else:
                    self._cond.wait(max(0.0, close_at - self.clock()))

    def wake(self) -> None:
        """Make the current (or next) wait return at once (shutdown)."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def _closes_at(self) -> float | None:
        if not self._batch:
            return None
        return min(self._last + self.quiet, self._first + self.max_wait)
