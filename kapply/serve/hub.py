"""The watch hub: reads the cluster's change log once and fans each change out to every watcher.

`pump` runs on the cluster thread after anything may have changed (a write through the server,
timers fired, another process's commit); it reads the changes after the last one it delivered
and offers each to the subscriptions, which filter by kind, namespace, labels and fields and hand
matching events to their watch stream on the event loop. A subscription registers on the cluster
thread too, at the hub's position, so between the history it replays and the live changes it
receives nothing is lost or doubled.

Label- and field-filtered watches follow the API server's rule: an object that stops matching is
sent as DELETED, one that starts matching as ADDED. A watch resumed from a resourceVersion learns
what matched as it goes (the API server keeps the previous state of every object in its watch
cache; this hub does not), so an object already matching before is reported MODIFIED.

A watcher that does not read fast enough (its queue full) is closed, as the API server closes a
slow watcher; the client lists and watches again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kapply.cluster.fields import FieldRequirement, matches_fields
from kapply.cluster.protocol import Change, ChangeFeed, ResourceExpiredError
from kapply.model.selectors import Selector
from kapply.serve import resources

Obj = dict[str, Any]
QUEUE_LIMIT = 10_000  # events buffered for one watcher before it is closed
CLOSED = object()  # queue marker: the stream ends
EXPIRED = object()  # queue marker: the hub fell behind the change log; the watch must restart


@dataclass(frozen=True)
class Event:
    type: str
    object: Obj
    resource_version: int


@dataclass(frozen=True)
class Position:
    """Queue item: every change up to `resource_version` has been considered for this watcher."""

    resource_version: int


class Subscription:
    """One watcher's filter and queue; `offer` runs on the cluster thread."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        kind: str,
        namespace: str | None,
        selector: Selector | None,
        fields: tuple[FieldRequirement, ...],
        start: int,
        known: set[tuple[str, str]] | None = None,
    ) -> None:
        self._loop = loop
        self.kind = kind
        self.group: str | None = None  # the kind's group, when a watch names it (custom kinds)
        self.namespace = namespace
        self.selector = selector
        self.fields = fields
        self.position = start  # the resourceVersion of the last change considered
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self._put = 0  # items handed to the loop (written by the cluster thread only)
        self._taken = 0  # items the stream took (written by the loop only)
        self.bookmarks = False  # the stream sends bookmarks: keep it told how far the hub got
        self._marked = 0  # the position last told
        self.knows_all = known is not None  # started from a full list: ADDED/DELETED exact
        self._matching: set[tuple[str, str]] = set(known or ())
        self.closed = False

    def _matches(self, obj: Obj) -> bool:
        meta = obj.get("metadata") or {}
        return (self.selector is None or self.selector.matches(meta.get("labels"))) and matches_fields(
            obj, self.fields
        )

    def filter(self, change: Change) -> Event | None:
        """The event this watcher gets for a change, if any (and its matching set updated)."""
        if change.resource_version <= self.position:
            return None
        self.position = change.resource_version
        obj = change.object
        meta = obj.get("metadata") or {}
        if change.kind != self.kind or (self.group is not None and change.group != self.group) or (
            self.namespace is not None and meta.get("namespace") != self.namespace
        ):
            return None
        if self.selector is None and not self.fields:
            return Event(change.type, obj, change.resource_version)
        key = (meta.get("namespace", "") or "", meta.get("name", ""))
        now = self._matches(obj)
        was = key in self._matching
        if change.type == "DELETED":
            self._matching.discard(key)
            return Event("DELETED", obj, change.resource_version) if now or was else None
        if now:
            self._matching.add(key)
            kind = "ADDED" if change.type == "ADDED" or (self.knows_all and not was) else change.type
            return Event(kind, obj, change.resource_version)
        if was:
            self._matching.discard(key)
            return Event("DELETED", obj, change.resource_version)
        return None

    def offer(self, change: Change) -> None:
        event = self.filter(change)
        if event is not None:
            self.put(event)

    def put(self, item: Any) -> None:
        """Hand an event (or a marker) to the stream; closes the watch when it is too far behind."""
        if self.closed:
            return
        self._put += 1
        if self._put - self._taken > QUEUE_LIMIT:
            self.close()
            return
        self._loop.call_soon_threadsafe(self.queue.put_nowait, item)

    def taken(self) -> None:
        """The stream took one item off the queue (called on the loop)."""
        self._taken += 1

    def mark(self) -> None:
        """Tell a bookmarking stream how far the hub got, when changes it filtered out moved it."""
        if self.bookmarks and self.position > self._marked:
            self._marked = self.position
            self.put(Position(self.position))

    def close(self, marker: Any = CLOSED) -> None:
        if not self.closed:
            self.closed = True
            self._loop.call_soon_threadsafe(self.queue.put_nowait, marker)


class Hub:
    """Change-log reader and subscription registry (all methods on the cluster thread)."""

    def __init__(
        self,
        cluster: ChangeFeed,
        loop: asyncio.AbstractEventLoop,
        on_error: Callable[[str], None] = lambda message: None,
    ) -> None:
        self._cluster = cluster
        self._loop = loop
        self._on_error = on_error
        self._subs: set[Subscription] = set()
        self.position = int(cluster.resource_version())
        resources.refresh(cluster)

    def __len__(self) -> int:
        return len(self._subs)

    def pump(self) -> None:
        """Deliver every change committed since the last pump."""
        try:
            changes = self._cluster.changes_since(self.position)
        except ResourceExpiredError as exc:  # fell behind compaction: every watcher restarts
            self._on_error(f"watchers restarted: {exc}")
            for sub in list(self._subs):
                sub.close(EXPIRED)
            self._subs.clear()
            self.position = int(self._cluster.resource_version())
            return
        if not changes:
            return
        if any(c.kind == "CustomResourceDefinition" for c in changes):
            resources.refresh(self._cluster)  # a kind served or gone: routing and discovery follow
        subs = [sub for sub in self._subs if not sub.closed]
        self._subs = set(subs)
        for change in changes:
            for sub in subs:
                sub.offer(change)
            self.position = change.resource_version
        for sub in subs:
            sub.position = max(sub.position, self.position)
            sub.mark()

    def subscribe(
        self,
        kind: str,
        namespace: str | None,
        selector: Selector | None,
        fields: tuple[FieldRequirement, ...],
        start: int,
        known: set[tuple[str, str]] | None = None,
        group: str | None = None,
    ) -> tuple[Subscription, list[Event]]:
        """Register a watcher whose stream starts after `start`; returns it with the history it
        must replay first (changes after `start` up to the hub's position), already filtered."""
        self.pump()
        history = self._cluster.changes_since(start) if start < self.position else []
        sub = Subscription(self._loop, kind, namespace, selector, fields, start, known)
        sub.group = group
        replay = [c for c in history if c.resource_version <= self.position]
        events = []
        for change in replay:
            event = sub.filter(change)
            if event is not None:
                events.append(event)
        sub.position = max(sub.position, self.position)
        self._subs.add(sub)
        return sub, events

    def close_all(self) -> None:
        """End every watch (server shutdown): their streams finish cleanly."""
        for sub in list(self._subs):
            sub.close()
        self._subs.clear()
