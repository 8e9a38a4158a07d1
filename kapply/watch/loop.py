"""The watch loop: watchdog events and timers feed the Reconciler, one reconcile at a time.

Runs in the calling thread; the watchdog observer thread only records paths in the Debouncer.
Three timers: the drift check every `interval`, the settle deadline of prunes that wait
(`holds`), and a tick about once a second that checks the followed folders are still the ones
watched (`roots`: a folder deleted and re-created is followed again) and catches the embedded
cluster up, so rollouts progress and failed nodes are handled while nothing is edited.
SIGINT/SIGTERM set a flag: the reconcile in progress finishes, then the loop returns.

Nothing that happens in a reconcile or a tick ends the loop: the Reconciler reports its own
errors, and an exception that escapes anyway (a bug) is reported as an error line.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from kapply.load.walk import is_ignored_name
from kapply.watch.bugs import internal_error
from kapply.watch.debounce import Debouncer
from kapply.watch.reconciler import Reconciler
from kapply.watch.result import ReconcileResult
from kapply.watch.roots import Roots

TICK_SECONDS = 1.0


def _handler(debouncer: Debouncer, roots: Roots) -> Any:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "") or ""):
                path = os.fsdecode(raw) if raw else ""
                if not path:
                    continue
                kind = roots.classify(path, event.is_directory, event.event_type)
                if kind == "rescan":
                    debouncer.add(None, rescan=True)
                elif kind == "read" and not is_ignored_name(os.path.basename(path)):
                    debouncer.add(path)

    return Handler()


def run(reconciler: Reconciler, paths: list[str], interval: float, emit: Callable[[ReconcileResult], None],
        stop: threading.Event | None = None, tick: Callable[[], None] | None = None,
        debouncer: Debouncer | None = None, on_ready: Callable[[], None] | None = None,
        folders: Callable[[], list[str]] | None = None) -> None:
    """Reconcile at start, on every batch of file changes, and every `interval` seconds.

    `folders` names further folders to follow (what kustomizations read beyond `paths`).
    """
    from watchdog.observers import Observer

    stop = stop or threading.Event()
    debouncer = debouncer or Debouncer()
    observer = Observer()
    roots = Roots(paths, observer, None)
    roots.handler = _handler(debouncer, roots)
    roots.check()
    observer.start()
    previous = _install_signals(stop, debouncer)
    guard = _Guard(emit)
    try:
        emit(reconciler.start())
        if folders is not None:
            roots.follow(folders())
            roots.check()
        if on_ready is not None:
            on_ready()
        next_drift = time.monotonic() + interval
        next_tick = time.monotonic() + TICK_SECONDS
        while not stop.is_set():
            now = time.monotonic()
            deadline = reconciler.next_deadline()
            wake = min(next_tick, next_drift, next_drift if deadline is None else deadline)
            batch = debouncer.wait(max(0.0, wake - now))
            if stop.is_set():
                break
            if folders is not None:
                roots.follow(folders())
            moved = guard.call("following the folders", roots.check)
            if moved or (batch and batch.rescan):
                guard.reconcile(reconciler.rescan)
            elif batch:
                guard.reconcile(functools.partial(reconciler.on_files, batch.paths))
            now = time.monotonic()
            deadline = reconciler.next_deadline()
            if deadline is not None and now >= deadline:
                guard.reconcile(reconciler.settle)
            if now >= next_drift:
                guard.reconcile(reconciler.drift_check)
                next_drift = time.monotonic() + interval
            if now >= next_tick:
                if tick is not None:
                    guard.call("running the cluster", tick)
                next_tick = time.monotonic() + TICK_SECONDS
    finally:
        _restore_signals(previous)
        observer.stop()
        observer.join(timeout=5)


class _Guard:
    """Runs the loop's steps so that an exception is a line of output, not the end of the watch."""

    def __init__(self, emit: Callable[[ReconcileResult], None]) -> None:
        self.emit = emit
        self._last = ""  # a failing tick repeats every second: say it once, until it changes

    def reconcile(self, step: Callable[[], ReconcileResult | None]) -> None:
        result = self.call("reconciling", step)
        if result is not None:
            self.emit(result)

    def call(self, stage: str, step: Callable[[], Any]) -> Any:
        try:
            return step()
        except Exception as exc:
            text = internal_error(stage, exc)
            if text != self._last:
                self._last = text
                self.emit(ReconcileResult("change", time.time(), errors=[text]))
            return None


def _install_signals(stop: threading.Event, debouncer: Debouncer) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        debouncer.wake()

    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, on_signal)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
