"""The one thread that owns the cluster: it runs every request's cluster work, one at a time, and
between requests drives the cluster in real time like a control plane.

A cluster object is not thread-safe (one SQLite connection, one in-memory view), so the event loop
never touches it: handlers are plain functions submitted here (`call`), and their results come
back as futures. Between jobs the thread wakes when the next timer is due (pods becoming ready,
node grace periods, rollouts progressing: they fire without any request) and every `POLL` seconds
to ask whether another process committed (one `PRAGMA data_version`, so an idle server costs
almost nothing). After anything that may have changed the cluster it calls `on_change`, which the
watch hub uses to read the new changes and fan them out.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kapply.cluster.protocol import ChangeFeed, ControlPlane
from kapply.errors import KapplyError

T = TypeVar("T")
POLL = 0.04  # seconds between checks for other processes' writes (seen within 50 ms)
MAX_IDLE = 1.0  # wake at least this often (a clock jump, a timer added by another process)
log = logging.getLogger("kapply.serve")


class ClusterWorker:
    """Serialises access to `cluster`; `call` from any thread, `start` / `stop` from the owner."""

    def __init__(
        self, cluster: Any, on_change: Callable[[], None] = lambda: None, poll: float = POLL
    ) -> None:
        self.cluster = cluster
        self.on_change = on_change
        self.poll = poll
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any], bool] | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._run, name="kapply-cluster", daemon=True)
        self._stopping = threading.Event()
        self._next_due: float | None = None  # monotonic time of the next timer
        self._last_tick = 0.0
        self.failures = 0  # background catch-ups that failed (logged; the next tick retries)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._tick(force=True)
        # The cluster now lives in memory for good: hundreds of thousands of plain dicts that hold
        # no cycles. Taking them out of the cyclic collector's generations (they are still freed
        # by reference counting) keeps its passes from scanning them over and over: a list of
        # 10,000 pods costs half as much with it.
        gc.freeze()
        self._thread.start()

    def stop(self) -> None:
        """Finish the queued jobs, then end the thread."""
        self._stopping.set()
        self._jobs.put(None)
        self._thread.join()

    def submit(self, fn: Callable[[], T], write: bool = False) -> Future[T]:
        """Run `fn()` on the cluster thread; its result or exception lands in the future. After a
        `write` the watchers are notified at once (reads skip that)."""
        future: Future[T] = Future()
        if self._stopping.is_set() and not self._thread.is_alive():
            future.set_exception(RuntimeError("the cluster worker has stopped"))
            return future
        self._jobs.put((fn, future, write))
        return future

    def _timeout(self) -> float:
        wait = self.poll
        if self._next_due is not None:
            wait = min(wait, max(0.0, self._next_due - time.monotonic()))
        return wait

    def _run(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self._timeout())
            except queue.Empty:
                job = ()  # type: ignore[assignment]
            if job is None:
                return
            if job:
                fn, future, write = job
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn())
                    except BaseException as exc:  # handed to the waiting request
                        future.set_exception(exc)
                self._tick(force=write)
            else:
                self._tick(force=False)

    def _tick(self, force: bool) -> None:
        """Catch up when something is due, another process wrote, or after a job; then notify."""
        cluster = self.cluster
        due = self._next_due is not None and time.monotonic() >= self._next_due
        try:
            elsewhere = isinstance(cluster, ChangeFeed) and cluster.changed_elsewhere()
            if not (force or due or elsewhere or time.monotonic() - self._last_tick >= MAX_IDLE):
                return
            self._last_tick = time.monotonic()
            if isinstance(cluster, ControlPlane):
                wait = cluster.run_due()
                self._next_due = None if wait is None else time.monotonic() + wait
            self.on_change()
        except KapplyError as exc:  # e.g. the file busy for long: the next tick retries
            self._failed(f"catching the cluster up failed: {exc}")
        except Exception:  # a bug: keep serving, say it loudly
            log.exception("catching the cluster up failed")
            self._failed("")

    def _failed(self, message: str) -> None:
        self.failures += 1
        if message:
            log.warning(message)
        self._next_due = time.monotonic() + self.poll
