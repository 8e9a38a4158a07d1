"""Watching the embedded cluster: its changelog read from a resourceVersion on.

A watcher resumes from the last resourceVersion it saw (every write has one, cluster-wide and
increasing); history older than the compacted changelog is gone, as etcd's compaction makes it,
and the watcher gets Kubernetes' 410 `too old resource version` and must list again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from kapply.cluster.protocol import ResourceExpiredError, WatchEvent
from kapply.model import selectors

POLL_SECONDS = 0.2


def watch(cluster: Any, kind: str, namespace: str | None, resource_version: str | None,
          label_selector: str | None, timeout_seconds: float) -> Iterator[WatchEvent]:
    """Events of `kind` after `resource_version` (ADDED for every current object when None)."""
    sel = selectors.parse(label_selector) if label_selector else None
    if resource_version is None:
        rv = int(cluster.resource_version())  # read before listing: duplicates, never gaps
        for obj in cluster.list(kind, namespace, sel):
            yield WatchEvent("ADDED", obj)
    else:
        rv = int(resource_version)
    deadline = time.monotonic() + timeout_seconds
    while True:
        cluster.catch_up()
        floor = int(cluster.store.meta()["changelog_floor"])
        if rv < floor:
            raise ResourceExpiredError(f"too old resource version: {rv} ({floor})")
        for change_rv, type_, _, obj in cluster.store.changes_since(rv, kind, namespace):
            rv = change_rv
            if sel is None or sel.matches(obj["metadata"].get("labels")):
                yield WatchEvent(type_, obj)
        if time.monotonic() >= deadline:
            return
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
