"""Which pods a replica manager deletes first: Kubernetes' ActivePodsWithRanks ordering.

pkg/controller/controller_utils.go with LogarithmicScaleDown: unscheduled before scheduled;
Pending < Unknown < Running; not ready before ready; lower pod-deletion-cost first; doubled up on
a node (more related pods there) first; ready for a shorter time first, compared in power-of-two
buckets of age (ties by uid); more restarts first; newer first. `pods_to_delete` selects the first
few without sorting them all (heap selection: a paced step deletes at most 30).
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kapply.cluster.sim.helpers.podutil import (
    is_pod_active,
    is_pod_ready,
    max_container_restarts,
    parse_time,
    ready_since,
)

Obj = dict[str, Any]
DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def _deletion_cost(pod: Obj) -> int:
    value = (pod.get("metadata", {}).get("annotations") or {}).get(DELETION_COST_ANNOTATION)
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def _bucket(t: float | None, now: float) -> int:
    """logarithmicRankDiff's bucket: how long ago, as a power of two of nanoseconds."""
    if t is None:
        return 0
    d = (now - t) * 1e9
    return int(math.log2(d)) if d > 0 else -1


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the ordering looks at, read once per pod (the comparator runs N log N times)."""

    prefix: tuple[int, int, int, int, int]  # criteria 1-5, in order: a smaller tuple goes first
    ready: bool
    uid: str
    since: float | None
    since_bucket: int
    restarts: int
    created: float | None
    created_bucket: int


def _facts(pod: Obj, rank: int, now: float) -> _Facts:
    ready = is_pod_ready(pod)
    phase = _PHASE_ORDINAL.get((pod.get("status") or {}).get("phase", ""), 0)
    prefix = (1 if pod["spec"].get("nodeName") else 0, phase, 1 if ready else 0, _deletion_cost(pod), -rank)
    since = ready_since(pod) if ready else None
    created = parse_time(pod["metadata"].get("creationTimestamp"))
    return _Facts(prefix, ready, str(pod["metadata"].get("uid", "")), since, _bucket(since, now),
                  max_container_restarts(pod), created, _bucket(created, now))


def _newer_first(t1: float | None, b1: int, t2: float | None, b2: int, uid1: str, uid2: str) -> int:
    """-1 if the first sorts before (is deleted before) the second, by recency; 0 if equal."""
    if t1 == t2:
        return 0
    if t1 is None or t2 is None:  # afterOrZero: a zero time sorts first
        return -1 if t1 is None else 1
    if b1 == b2:
        return -1 if uid1 < uid2 else (1 if uid1 > uid2 else 0)
    return -1 if b1 < b2 else 1


def _compare(p: _Facts, q: _Facts) -> int:
    if p.prefix != q.prefix:
        # 1. unscheduled before scheduled; 2. Pending < Unknown < Running; 3. not ready before
        # ready; 4. lower pod-deletion-cost first; 5. doubled up on a node before alone
        return -1 if p.prefix < q.prefix else 1
    if p.ready and q.ready:  # 6. ready for a shorter time first
        order = _newer_first(p.since, p.since_bucket, q.since, q.since_bucket, p.uid, q.uid)
        if order:
            return order
    if p.restarts != q.restarts:
        return -1 if p.restarts > q.restarts else 1  # 7. more restarts first
    return _newer_first(p.created, p.created_bucket, q.created, q.created_bucket, p.uid, q.uid)  # 8. newer


def _ranked(pods: list[Obj], related: Iterable[Obj], now: float) -> list[tuple[_Facts, int, Obj]]:
    """Each pod with its facts (rank: how many active related pods share its node) and position."""
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = pod["spec"].get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    return [(_facts(pod, on_node.get(pod["spec"].get("nodeName") or "", 0), now), i, pod)
            for i, pod in enumerate(pods)]


_KEY = functools.cmp_to_key(lambda a, b: _compare(a[0], b[0]) or (a[1] > b[1]) - (a[1] < b[1]))


def deletion_order(pods: list[Obj], related: Iterable[Obj], now: float) -> list[Obj]:
    """`pods` in the order a replica manager deletes them (getPodsToDelete's sort; stable)."""
    return [pod for _, _, pod in sorted(_ranked(pods, related, now), key=_KEY)]


def pods_to_delete(pods: list[Obj], related: Iterable[Obj], count: int, now: float) -> list[Obj]:
    """The first `count` of `deletion_order(pods, related, now)`, in O(len(pods) log count)."""
    return [pod for _, _, pod in heapq.nsmallest(count, _ranked(pods, related, now), key=_KEY)]
