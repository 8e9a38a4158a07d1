"""The controller manager of the embedded cluster: work queue, timers and catch-up.

Controllers are level-triggered `sync(ctx, key)` functions (see `controllers/base.py`). Every
committed write becomes a `Change`; each controller's `watches(change)` names the keys to
re-sync, which go on one FIFO, de-duplicated work queue. Things that happen later are timers
(`ctx.requeue_at`), persisted in the store, unique per (controller, key) keeping the earliest.

`catch_up(target)`: repeat { drain the queue at the current virtual time; pop every timer due at
the earliest instant <= target, move the clock there, enqueue them } until nothing is due; then
the clock is `target`. A key that re-syncs without settling at one instant is a runaway loop and
raises an error naming the controller.

Two things kube-controller-manager keeps in memory live here too, persisted with the cluster so
the next command's session finds them: a controller's `memory` (the autoscaler's recent
recommendations and scale events), and its periodic resyncs, timers the controller marks as
housekeeping (`requeue_at(..., housekeeping=True)`) that keep nothing busy for `--until-idle`.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.api import SimAPI
from kapply.cluster.sim.controllers.base import Change, Controller, Obj
from kapply.errors import ClusterError
from kapply.model.selectors import Selector

MAX_SYNCS_PER_INSTANT = 500  # one key synced more often than this at one virtual instant: runaway
RETRY_BASE, RETRY_MAX = 1.0, 300.0  # virtual seconds between retries of a sync the API refused
RESYNC_SUFFIX = "/resync"  # a controller's housekeeping timers run under `<name>/resync`
# housekeeping timers that do not keep `advance --until-idle` busy (`*suffix`: every such name)
IDLE_IGNORED = ("event-ttl", "*" + RESYNC_SUFFIX)


def ignored(controller: str, patterns: Iterable[str]) -> bool:
    """Whether a timer's controller is one of `patterns` (a `*suffix` pattern ends the name)."""
    return any(controller.endswith(p[1:]) if p.startswith("*") else controller == p for p in patterns)


def load_controllers(entries: Iterable[Any]) -> list[Controller]:
    """The controllers of a session: each class instantiated, instances (tests' observers) as they are."""
    return [entry() if isinstance(entry, type) else entry for entry in entries]


class TimerSet:
    """Pending timers in memory for one session; `dirty` tracks what to write back."""

    def __init__(self, rows: Iterable[tuple[float, str, str]] = ()) -> None:
        self._due: dict[tuple[str, str], float] = {}
        self._heap: list[tuple[float, str, str]] = []
        self.dirty: set[tuple[str, str]] = set()
        for due, controller, key in rows:
            self._due[(controller, key)] = due
            self._heap.append((due, controller, key))
        heapq.heapify(self._heap)

    def __len__(self) -> int:
        return len(self._due)

    def add(self, controller: str, key: str, due: float) -> None:
        """Schedule; an earlier pending timer for the same (controller, key) wins."""
        current = self._due.get((controller, key))
        if current is not None and current <= due:
            return
        self._due[(controller, key)] = due
        heapq.heappush(self._heap, (due, controller, key))
        self.dirty.add((controller, key))

    def earliest(self) -> float | None:
        """Due time of the next timer."""
        heap = self._heap
        while heap and self._due.get((heap[0][1], heap[0][2])) != heap[0][0]:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, when: float) -> list[tuple[str, str]]:
        """Remove and return every timer due at or before `when`, in due order."""
        out = []
        while True:
            due = self.earliest()
            if due is None or due > when:
                return out
            _, controller, key = heapq.heappop(self._heap)
            del self._due[(controller, key)]
            self.dirty.add((controller, key))
            out.append((controller, key))

    def earliest_excluding(self, controllers: Iterable[str]) -> float | None:
        """Due time of the next timer not owned by `controllers` (housekeeping)."""
        skip = tuple(controllers)
        due = self.earliest()
        if due is None or not ignored(self._heap[0][1], skip):
            return due
        busy = [d for (c, _), d in self._due.items() if not ignored(c, skip)]
        return min(busy) if busy else None

    def get(self, controller: str, key: str) -> float | None:
        """Due time of one timer."""
        return self._due.get((controller, key))

    def rows(self) -> tuple[list[tuple[str, str, float]], list[tuple[str, str]]]:
        """(upserts, deletes) of the dirty timers for the store."""
        upserts, deletes = [], []
        for controller, key in sorted(self.dirty):
            due = self._due.get((controller, key))
            if due is None:
                deletes.append((controller, key))
            else:
                upserts.append((controller, key, due))
        return upserts, deletes


class ControllerContext:
    """The `Context` a controller sees during one sync (reads via the cache, writes via the API)."""

    def __init__(self, runtime: Runtime, controller: Controller) -> None:
        self._runtime = runtime
        self._api = runtime.api
        self._name = controller.name
        self.random = runtime.random

    @property
    def now(self) -> float:
        return self._runtime.now

    @property
    def settings(self) -> Any:
        return self._api.settings

    @property
    def cache(self) -> Any:
        """The indexed view (dependents by owner uid, objects by uid) for core controllers."""
        return self._api.cache

    def finalize_namespace(self, name: str) -> None:
        """Remove an emptied, terminating Namespace (the namespace controller's last step)."""
        ns = self._api.get("Namespace", "", name)
        if ns is not None:
            self._api.remove_unchecked("Namespace", ns)

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        return self._api.get(kind, namespace, name)

    def list(self, kind: str, namespace: str | None = None, selector: Selector | None = None,
             node: str | None = None, owner_uid: str | None = None) -> list[Obj]:
        return self._api.list(kind, namespace, selector, node, owner_uid)

    def create(self, obj: Obj) -> Obj:
        return self._api.create(obj, validate=False)

    def update(self, obj: Obj) -> Obj:
        return self._api.update(obj, validate=False)

    def update_status(self, obj: Obj) -> Obj:
        return self._api.update_status(obj)

    def delete(self, kind: str, namespace: str, name: str, grace_seconds: float | None = None,
               propagation: str = "Background") -> None:
        self._api.delete(kind, namespace, name, grace_seconds, propagation)

    def record_event(self, obj: Obj, type_: str, reason: str, message: str) -> None:
        self._runtime.record_event(obj, type_, reason, message, self._name)

    @property
    def memory(self) -> dict[str, Any]:
        """This controller's memory between syncs (JSON values), persisted with the cluster."""
        return self._runtime.memory_of(self._name)

    def requeue_at(self, when: float, key: str, housekeeping: bool = False) -> None:
        name = self._name + RESYNC_SUFFIX if housekeeping else self._name
        self._runtime.timers.add(name, key, max(when, self._runtime.now))

    def requeue_after(self, seconds: float, key: str) -> None:
        self.requeue_at(self._runtime.now + seconds, key)

    def due(self, key: str) -> float | None:
        return self._runtime.timers.get(self._name, key)


class Runtime:
    """Work queue + timers + controllers for one session (one transaction) of a cluster."""

    def __init__(self, api: SimAPI, controllers: list[Controller], timers: TimerSet, now: float,
                 seed: str, events: Any = None, failures: dict[tuple[str, str], int] | None = None,
                 memory: dict[str, Any] | None = None) -> None:
        self.api = api
        self.controllers = controllers
        self.timers = timers
        self.now = now
        self.random = random.Random(seed)
        self.events = events  # kapply.cluster.sim.events.EventRecorder
        self._by_name = {c.name: c for c in controllers}
        self._contexts = {c.name: ControllerContext(self, c) for c in controllers}
        self._queue: deque[tuple[str, str]] = deque()
        self._queued: set[tuple[str, str]] = set()
        self._syncs: dict[tuple[str, str], int] = {}
        self._syncs_at = now
        self.sync_count = 0
        self.fired = 0
        self.errors: list[tuple[str, str, str]] = []  # (controller, key, message) retried later
        self._failures = failures if failures is not None else {}  # kept by the cluster across sessions
        self.memory: dict[str, Any] = memory if memory is not None else {}  # controller -> its memory
        self.memory_dirty = False

    def memory_of(self, controller: str) -> dict[str, Any]:
        """A controller's memory (marks it to be saved with the session)."""
        self.memory_dirty = True
        return self.memory.setdefault(controller, {})

    def on_change(self, change: Change) -> None:
        """Feed one committed write to every controller's watches()."""
        if change.kind == "Event":
            return
        for controller in self.controllers:
            for key in controller.watches(change):
                self.enqueue(controller.name, key)

    def enqueue(self, controller: str, key: str) -> None:
        """Add to the work queue unless already queued."""
        item = (controller, key)
        if item not in self._queued:
            self._queued.add(item)
            self._queue.append(item)

    def record_event(self, obj: Obj, type_: str, reason: str, message: str, component: str) -> None:
        """Record a Kubernetes Event about `obj` (deduplicated by the recorder)."""
        if self.events is not None:
            self.events.record(obj, type_, reason, message, component)

    def drain(self) -> None:
        """Sync queued keys until the queue is empty (at the current virtual time)."""
        queue, queued = self._queue, self._queued
        while queue:
            item = queue.popleft()
            queued.discard(item)
            controller = self._by_name.get(item[0].removesuffix(RESYNC_SUFFIX))
            if controller is None:
                continue  # a timer of a controller that no longer exists
            if self._syncs_at != self.now:
                self._syncs.clear()
                self._syncs_at = self.now
            count = self._syncs.get(item, 0) + 1
            self._syncs[item] = count
            if count > MAX_SYNCS_PER_INSTANT:
                raise ClusterError(f"controller {item[0]!r} did not settle: key {item[1]!r} was synced "
                                   f"{MAX_SYNCS_PER_INSTANT} times at one instant (runaway loop)")
            self.sync_count += 1
            try:
                controller.sync(self._contexts[controller.name], item[1])
            except ClusterError as exc:
                # As the controller manager's rate-limited queue: an API refusal (a conflict, an
                # invalid object) is retried later with exponential backoff, not fatal.
                failures = self._failures.get(item, 0) + 1
                self._failures[item] = failures
                delay = min(RETRY_BASE * 2 ** (failures - 1), RETRY_MAX)
                self.errors.append((item[0], item[1], str(exc)))
                self.timers.add(item[0], item[1], self.now + delay)
            except Exception as exc:  # a bug: roll the whole session back and say where
                exc.add_note(f"while controller {item[0]!r} synced {item[1]!r}")
                raise
            else:
                self._failures.pop(item, None)

    def catch_up(self, target: float) -> int:
        """Run everything due up to `target`, in time order; returns how many timers fired."""
        fired = 0
        self.drain()
        while True:
            due = self.timers.earliest()
            if due is None or due > target:
                break
            self.now = max(self.now, due)
            for controller, key in self.timers.pop_due(self.now):
                self.enqueue(controller, key)
                fired += 1
            self.drain()
        self.now = max(self.now, target)
        self.fired += fired
        return fired
