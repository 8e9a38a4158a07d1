"""The active pods each replica-manager owner controls, with their counts, kept current by changes.

Kubernetes' ReplicaSet sync lists and scans every pod of the namespace; done at every virtual
instant a pod of a large ReplicaSet changed, that made catching up quadratic in its pods. The
replica manager instead keeps, per session, one `OwnerPods` per owner it has synced: built once
from the cache's controller index, then updated from every Pod change its `watches()` sees. A
sync reads counts in constant time (a bisect for minReadySeconds); only claiming (adoption and
release) and ranking pods for deletion look at the pods themselves.

An owner is `dirty` (its next sync claims from scratch, as Kubernetes does) when it is first seen
in a session, when one of its pods' labels changed, or when an orphan may match it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Obj, controller_of, ns_key
from kapply.cluster.sim.helpers.podutil import is_pod_active, is_pod_ready, ready_since
from kapply.model.selectors import Selector


@dataclass
class OwnerPods:
    """One owner's active pods and how many of them are ready, fully labeled, ready since when."""

    pods: dict[str, Obj] = field(default_factory=dict)  # ns/name -> the pod as last committed
    ready: int = 0
    since: list[float] = field(default_factory=list)  # sorted ready-since times of the ready pods
    labeled: int = 0
    template: Selector | None = None  # what `labeled` was counted against
    dirty: bool = True

    def add(self, key: str, pod: Obj) -> None:
        self.pods[key] = pod
        self._count(pod, 1)

    def remove(self, key: str) -> None:
        pod = self.pods.pop(key, None)
        if pod is not None:
            self._count(pod, -1)

    def _count(self, pod: Obj, sign: int) -> None:
        if is_pod_ready(pod):
            self.ready += sign
            since = ready_since(pod)
            if since is not None:
                if sign > 0:
                    bisect.insort(self.since, since)
                else:
                    del self.since[bisect.bisect_left(self.since, since)]
        if self.template is not None and self.template.matches(pod["metadata"].get("labels")):
            self.labeled += sign

    def count_labeled(self, template: Selector) -> int:
        """Pods whose labels match the owner's template labels (recounted when they change)."""
        if self.template != template:
            self.template = template
            self.labeled = sum(1 for p in self.pods.values() if template.matches(p["metadata"].get("labels")))
        return self.labeled

    def available(self, min_ready: int, now: float) -> int:
        """Ready pods ready for more than `min_ready` seconds (IsPodAvailable)."""
        if min_ready == 0:
            return self.ready
        return bisect.bisect_left(self.since, now - min_ready)

    def next_available(self, min_ready: int, now: float) -> float | None:
        """When the next ready-but-not-yet-available pod becomes available (None: none waits)."""
        i = bisect.bisect_left(self.since, now - min_ready)
        return self.since[i] + min_ready + 1 if min_ready and i < len(self.since) else None


class ReplicaIndex:
    """OwnerPods of the owners (of one kind) synced in this session, kept current by `observe`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._owners: dict[str, OwnerPods] = {}
        self._where: dict[str, str] = {}  # pod ns/name -> owner uid, for the indexed owners

    def owner(self, uid: str, pods: Any) -> OwnerPods:
        """The owner's entry, built from `pods()` (its controlled pods) the first time it is asked."""
        entry = self._owners.get(uid)
        if entry is None:
            entry = self._owners[uid] = OwnerPods()
            for pod in pods():
                if self._controller_uid(pod) == uid:
                    self._where[ns_key(pod)] = uid
                    entry.add(ns_key(pod), pod)
        return entry

    def peek(self, uid: str) -> OwnerPods | None:
        return self._owners.get(uid)

    def forget(self, uid: str) -> None:
        """The owner is gone: its pods are no longer tracked."""
        entry = self._owners.pop(uid, None)
        if entry is not None:
            for key in entry.pods:
                self._where.pop(key, None)

    def mark_dirty(self, uid: str) -> None:
        entry = self._owners.get(uid)
        if entry is not None:
            entry.dirty = True

    def _controller_uid(self, pod: Obj) -> str | None:
        ref = controller_of(pod)
        if ref is None or ref.get("kind") != self.kind or not is_pod_active(pod):
            return None
        return str(ref.get("uid", ""))

    def observe(self, change: Change) -> None:
        """Move the pod of a committed Pod change into (or out of) its owner's entry."""
        key = ns_key(change.obj)
        before = self._where.pop(key, None)
        if before is not None:
            self._owners[before].remove(key)
        after = None if change.type == "DELETED" else self._controller_uid(change.obj)
        if after is not None and after in self._owners:
            self._where[key] = after
            self._owners[after].add(key, change.obj)
            old_labels = (change.old or {}).get("metadata", {}).get("labels")
            if change.old is not None and old_labels != change.obj["metadata"].get("labels"):
                self._owners[after].dirty = True  # it may no longer match the selector: release it
