"""The watch loop: watchdog events and a drift timer feed the Reconciler, one reconcile at a time.

Runs in the calling thread; the watchdog observer thread only records paths in the Debouncer.
Between reconciles the embedded cluster is caught up about once a second, so rollouts progress
and failed nodes are handled while nothing is edited. SIGINT/SIGTERM set a flag: the reconcile in
progress finishes, then the loop returns.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from kapply.load.walk import is_ignored_name
from kapply.watch.debounce import Debouncer
from kapply.watch.reconciler import Reconciler, ReconcileResult

TICK_SECONDS = 1.0


def _handler(debouncer: Debouncer) -> Any:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            paths = [event.src_path, getattr(event, "dest_path", "") or ""]
            for raw in paths:
                path = os.fsdecode(raw) if raw else ""
                if not path:
                    continue
                if event.is_directory:
                    if event.event_type in ("moved", "deleted", "created"):
                        debouncer.add(None, rescan=True)
                    continue
                if is_ignored_name(os.path.basename(path)):
                    continue
                debouncer.add(path)

    return Handler()


def _watch_roots(paths: list[str]) -> list[str]:
    roots = []
    for p in paths:
        if p == "-":
            continue
        real = os.path.realpath(p)
        roots.append(real if os.path.isdir(real) else os.path.dirname(real))
    return sorted(set(roots))


def run(reconciler: Reconciler, paths: list[str], interval: float, emit: Callable[[ReconcileResult], None],
        stop: threading.Event | None = None, tick: Callable[[], None] | None = None,
        debouncer: Debouncer | None = None, on_ready: Callable[[], None] | None = None) -> None:
    """Reconcile at start, on every batch of file changes, and every `interval` seconds."""
    from watchdog.observers import Observer

    stop = stop or threading.Event()
    debouncer = debouncer or Debouncer()
    observer = Observer()
    handler = _handler(debouncer)
    for root in _watch_roots(paths):
        observer.schedule(handler, root, recursive=True)
    observer.start()
    previous = _install_signals(stop, debouncer)
    try:
        emit(reconciler.start())
        if on_ready is not None:
            on_ready()
        next_drift = time.monotonic() + interval
        while not stop.is_set():
            wait = max(0.0, min(TICK_SECONDS, next_drift - time.monotonic()))
            batch = debouncer.wait(wait)
            if stop.is_set():
                break
            if batch:
                result = reconciler.rescan() if batch.rescan else reconciler.on_files(batch.paths)
                if result is not None:
                    emit(result)
            elif time.monotonic() >= next_drift:
                emit(reconciler.drift_check())
                next_drift = time.monotonic() + interval
            elif tick is not None:
                tick()
    finally:
        _restore_signals(previous)
        observer.stop()
        observer.join(timeout=5)


def _install_signals(stop: threading.Event, debouncer: Debouncer) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        debouncer.wake()

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, on_signal)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
