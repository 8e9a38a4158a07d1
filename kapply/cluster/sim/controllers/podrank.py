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
from typing import Any

from kapply.cluster.sim.controllers.podutil import (
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


def _log_rank_diff(t1: float, t2: float, now: float) -> int:
    """logarithmicRankDiff: compare how long ago, in power-of-two buckets of nanoseconds."""
    def bucket(t: float) -> int:
        d = (now - t) * 1e9
        return int(math.log2(d)) if d > 0 else -1
    return bucket(t1) - bucket(t2)


def _newer_first(t1: float | None, t2: float | None, uid1: str, uid2: str, now: float) -> int:
    """-1 if the first sorts before (is deleted before) the second, by recency; 0 if equal."""
    if t1 == t2:
        return 0
    if t1 is None or t2 is None:  # afterOrZero: a zero time sorts first
        return -1 if t1 is None else 1
    diff = _log_rank_diff(t1, t2, now)
    if diff == 0:
        return -1 if uid1 < uid2 else (1 if uid1 > uid2 else 0)
    return -1 if diff < 0 else 1


def _compare(a: tuple[Obj, int], b: tuple[Obj, int], now: float) -> int:
    (p, rank_p), (q, rank_q) = a, b
    node_p, node_q = p["spec"].get("nodeName") or "", q["spec"].get("nodeName") or ""
    if node_p != node_q and (not node_p or not node_q):
        return -1 if not node_p else 1  # 1. unscheduled before scheduled
    phase_p = _PHASE_ORDINAL.get((p.get("status") or {}).get("phase", ""), 0)
    phase_q = _PHASE_ORDINAL.get((q.get("status") or {}).get("phase", ""), 0)
    if phase_p != phase_q:
        return -1 if phase_p < phase_q else 1  # 2. Pending < Unknown < Running
    ready_p, ready_q = is_pod_ready(p), is_pod_ready(q)
    if ready_p != ready_q:
        return -1 if not ready_p else 1  # 3. not ready before ready
    cost_p, cost_q = _deletion_cost(p), _deletion_cost(q)
    if cost_p != cost_q:
        return -1 if cost_p < cost_q else 1  # 4. lower pod-deletion-cost first
    if rank_p != rank_q:
        return -1 if rank_p > rank_q else 1  # 5. doubled up on a node before alone
    uid_p, uid_q = p["metadata"].get("uid", ""), q["metadata"].get("uid", "")
    if ready_p and ready_q:  # 6. ready for a shorter time first
        order = _newer_first(ready_since(p), ready_since(q), uid_p, uid_q, now)
        if order:
            return order
    restarts_p, restarts_q = max_container_restarts(p), max_container_restarts(q)
    if restarts_p != restarts_q:
        return -1 if restarts_p > restarts_q else 1  # 7. more restarts first
    created_p = parse_time(p["metadata"].get("creationTimestamp"))
    created_q = parse_time(q["metadata"].get("creationTimestamp"))
    return _newer_first(created_p, created_q, uid_p, uid_q, now)  # 8. newer first


def _ranked(pods: list[Obj], related: Iterable[Obj]) -> list[tuple[Obj, int]]:
    """Each pod with its rank: how many active related pods share its node."""
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = pod["spec"].get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    return [(pod, on_node.get(pod["spec"].get("nodeName") or "", 0)) for pod in pods]


def deletion_order(pods: list[Obj], related: Iterable[Obj], now: float) -> list[Obj]:
    """`pods` in the order a replica manager deletes them (getPodsToDelete's sort)."""
    ranked = _ranked(pods, related)
    ranked.sort(key=functools.cmp_to_key(lambda a, b: _compare(a, b, now)))
    return [pod for pod, _ in ranked]


def pods_to_delete(pods: list[Obj], related: Iterable[Obj], count: int, now: float) -> list[Obj]:
    """The first `count` of `deletion_order(pods, related, now)`, in O(len(pods) log count)."""
    if count >= len(pods):
        return deletion_order(pods, related, now)
    key = functools.cmp_to_key(lambda a, b: _compare(a, b, now))
    return [pod for pod, _ in heapq.nsmallest(count, _ranked(pods, related), key=key)]
