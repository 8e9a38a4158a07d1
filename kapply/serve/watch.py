"""WATCH (`?watch=1`): a chunked stream of `{"type": ..., "object": ...}` lines, one per change.

Where the stream starts follows the API server: without a resourceVersion (or with "0", or
`sendInitialEvents=true`) every current object comes first as ADDED, then the changes after that
list; with a resourceVersion, the changes after it (replayed from the change log), then live ones.
A resourceVersion older than the change log gets one ERROR event carrying a 410 `Expired` Status
(`too old resource version: 5 (120)`), as the API server's watch cache sends it. With
`allowWatchBookmarks` the stream carries BOOKMARK events (the resourceVersion reached, every
minute and just before `timeoutSeconds` ends the stream); `sendInitialEvents` ends its initial
events with the bookmark annotated `k8s.io/initial-events-end`. Events of a Table watch
(`kubectl get -w`) are one-row Tables.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from kapply.cluster.fields import parse_field_selector
from kapply.cluster.protocol import PagedLists, ResourceExpiredError
from kapply.errors import KapplyError
from kapply.model.selectors import parse as parse_selector
from kapply.serve import tables
from kapply.serve.call import Call, encode
from kapply.serve.hub import CLOSED, EXPIRED, Event, Hub, Position, Subscription
from kapply.serve.status import ApiError, bad_request, from_error, status_body

Obj = dict[str, Any]
BOOKMARK_EVERY = 60.0  # seconds between bookmarks, as the API server's watch cache
MIN_TIMEOUT = 1800.0  # the API server's --min-request-timeout: a watch without timeoutSeconds
INITIAL_EVENTS_END = "k8s.io/initial-events-end"


@dataclass
class WatchStart:
    """What the cluster thread prepared: the subscription and the events to send first."""

    sub: Subscription | None
    first: list[Event]
    error: Obj | None = None  # an ERROR event's Status (410 Expired) instead of a stream
    initial_end: int | None = None  # send the initial-events-end bookmark at this resourceVersion
    skew: float = 0.0  # the cluster's clock minus the wall clock (ages in Table events)


def _selectors(call: Call) -> tuple[Any, Any]:
    res = call.target.resource
    text = call.query.get("labelSelector")
    selector = parse_selector(text) if text else None
    fields = call.query.get("fieldSelector")
    if call.target.name:
        fields = f"metadata.name={call.target.name}" + (f",{fields}" if fields else "")
    return selector, parse_field_selector(res.kind, fields) if fields else ()


def start(call: Call, hub: Hub) -> WatchStart:
    """Register the watch at a consistent point (runs on the cluster thread)."""
    res = call.target.resource
    query = call.query
    rv_text = query.get("resourceVersion")
    initial = query.flag("sendInitialEvents")
    if initial and (
        query.get("resourceVersionMatch") != "NotOlderThan" or not query.flag("allowWatchBookmarks")
    ):
        raise ApiError(
            422,
            "Invalid",
            'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: '
            "sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to "
            "NotOlderThan and allowWatchBookmarks is true",
            {},
        )
    try:
        selector, fields = _selectors(call)
    except KapplyError as exc:
        raise from_error(exc) from None
    namespace = call.target.namespace if res.namespaced else None
    if rv_text in ("", "0") or initial:
        cluster = call.cluster
        if isinstance(cluster, PagedLists):
            hub.pump()
            page = cluster.list_page(res.kind, namespace, selector, group=res.group)
            items, at = page.items, int(page.resource_version)
        else:
            at = int(cluster.resource_version())
            items = cluster.list(res.kind, namespace, selector, group=res.group)
        items = [o for o in items if not fields or all(f.matches(o) for f in fields)]
        known = {(o["metadata"].get("namespace", "") or "", o["metadata"]["name"]) for o in items}
        sub, later = hub.subscribe(res.kind, namespace, selector, fields, at, known, group=res.group)
        sub.bookmarks = query.flag("allowWatchBookmarks")
        first = [Event("ADDED", o, int(o["metadata"].get("resourceVersion") or at)) for o in items]
        return WatchStart(sub, first + later, initial_end=at if initial else None, skew=_skew(call))
    try:
        at = int(rv_text)
    except ValueError:
        raise bad_request(f'invalid resource version "{rv_text}"') from None
    try:
        sub, events = hub.subscribe(res.kind, namespace, selector, fields, at, group=res.group)
    except ResourceExpiredError as exc:
        return WatchStart(None, [], status_body(410, "Expired", str(exc)))
    sub.bookmarks = query.flag("allowWatchBookmarks")
    return WatchStart(sub, events, skew=_skew(call))


def _skew(call: Call) -> float:
    return float(call.cluster.now()) - time.time() if call.output.shape == "Table" else 0.0


def timeout_of(call: Call) -> float:
    seconds = call.query.integer("timeoutSeconds")
    if seconds is None:
        return MIN_TIMEOUT * (1 + random.random())
    if seconds < 0:
        raise bad_request(f"timeoutSeconds: Invalid value: {seconds}: must be greater than or equal to 0")
    return float(seconds)


def _line(type_: str, obj: Obj, call: Call, skew: float) -> bytes:
    out = call.output
    if out.shape == "Table" and type_ not in ("ERROR", "BOOKMARK"):
        res = call.target.resource
        meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        include = call.query.get("includeObject") or "Metadata"
        obj = tables.table(res.kind, [obj], time.time() + skew, meta, include, out.version, info=res.info)
    return encode({"type": type_, "object": obj}) + b"\n"


def _bookmark(call: Call, rv: int, initial_end: bool = False) -> bytes:
    res = call.target.resource
    meta: Obj = {"resourceVersion": str(rv)}
    if initial_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    obj = {"kind": res.kind, "apiVersion": res.info.api_version, "metadata": meta}
    return encode({"type": "BOOKMARK", "object": obj}) + b"\n"


async def stream(call: Call, begun: WatchStart, timeout: float) -> AsyncIterator[bytes]:
    """The event lines of one watch, until its timeout, the server's shutdown or the client leaving."""
    if begun.error is not None:
        yield encode({"type": "ERROR", "object": begun.error}) + b"\n"
        return
    sub = begun.sub
    assert sub is not None
    bookmarks = call.query.flag("allowWatchBookmarks")
    sent = sub.position
    try:
        for event in begun.first:
            yield _line(event.type, event.object, call, begun.skew)
        if begun.initial_end is not None:
            yield _bookmark(call, begun.initial_end, initial_end=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        next_bookmark = loop.time() + min(BOOKMARK_EVERY, max(timeout - 1.0, 0.0))
        while True:
            now_ = loop.time()
            if now_ >= deadline:
                return
            wake = min(deadline, next_bookmark) if bookmarks else deadline
            try:
                item = await asyncio.wait_for(sub.queue.get(), max(0.0, wake - now_))
            except TimeoutError:
                if bookmarks and loop.time() >= next_bookmark:
                    yield _bookmark(call, sent)
                    next_bookmark = loop.time() + BOOKMARK_EVERY
                continue
            sub.taken()
            if item is CLOSED:
                return
            if item is EXPIRED:
                yield (
                    encode(
                        {
                            "type": "ERROR",
                            "object": status_body(
                                410, "Expired", "the watch fell behind the change log; list and watch again"
                            ),
                        }
                    )
                    + b"\n"
                )
                return
            if isinstance(item, Position):
                sent = max(sent, item.resource_version)
                continue
            sent = max(sent, item.resource_version)
            yield _line(item.type, item.object, call, begun.skew)
    finally:
        sub.closed = True
