"""A DaemonSet's rolling update, as pure decisions (pkg/controller/daemon/update.go rollingUpdate).

Given the pods per eligible node and the current revision hash, which old pods to delete and
which nodes get a new pod this round. maxUnavailable and maxSurge are counted against the number
of nodes that should run the pod (percentages rounded up); both 0 means maxUnavailable 1.
- maxSurge 0: an old pod that is not available is replaced at once; otherwise old pods are
  deleted while fewer than maxUnavailable nodes are unavailable (the manage loop then creates
  the new pod on the emptied node).
- maxSurge > 0: a new pod is added beside the old one on up to maxSurge nodes at a time, and the
  old pod is deleted once the new one is available.
Nodes are visited in name order (Kubernetes iterates a map; order is not part of its contract).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kapply.cluster.sim.controllers.base import Obj
from kapply.cluster.sim.helpers.history import HASH_LABEL
from kapply.cluster.sim.helpers.podutil import is_pod_available
from kapply.model.intstr import scaled_value


def _rolling(ds: Obj) -> Obj:
    strategy = (ds.get("spec") or {}).get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return {}
    return strategy.get("rollingUpdate") or {}


def _scaled(value: object, total: int) -> int:
    try:
        return scaled_value(value if isinstance(value, int | str) else 0, total, round_up=True)
    except ValueError:
        return 0


def allows_surge(ds: Obj) -> bool:
    """util.AllowsSurge: a rolling update with a non-zero maxSurge."""
    return _scaled(_rolling(ds).get("maxSurge", 0), 1) != 0


def surge_and_unavailable(ds: Obj, desired: int) -> tuple[int, int]:
    """updatedDesiredNodeCounts' (maxSurge, maxUnavailable)."""
    rolling = _rolling(ds)
    surge = _scaled(rolling.get("maxSurge", 0), desired)
    unavailable = _scaled(rolling.get("maxUnavailable", 1), desired)
    if desired > 0 and surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def is_updated(pod: Obj, hash_: str) -> bool:
    return bool(hash_) and (pod["metadata"].get("labels") or {}).get(HASH_LABEL) == hash_


def find_updated(pods: Sequence[Obj], hash_: str) -> tuple[Obj | None, Obj | None, bool]:
    """findUpdatedPodsOnNode: (new pod, old pod, ok); not ok when a node has two of one kind."""
    new = old = None
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        if is_updated(pod, hash_):
            if new is not None:
                return None, None, False
            new = pod
        else:
            if old is not None:
                return None, None, False
            old = pod
    return new, old, True


def plan(ds: Obj, node_pods: Mapping[str, Sequence[Obj]], hash_: str,
         now: float) -> tuple[list[Obj], list[str]]:
    """(old pods to delete, nodes that get a new pod); `node_pods` has every eligible node."""
    min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
    surge, max_unavailable = surge_and_unavailable(ds, len(node_pods))
    if surge == 0:
        unavailable = 0
        replace: list[Obj] = []
        candidates: list[Obj] = []
        for node in sorted(node_pods):
            new, old, ok = find_updated(node_pods[node], hash_)
            if not ok or (new is None) == (old is None):
                unavailable += 1  # the manage loop creates or prunes here
            elif new is not None:
                if not is_pod_available(new, min_ready, now):
                    unavailable += 1
            elif old is not None and not is_pod_available(old, min_ready, now):
                replace.append(old)
            elif unavailable < max_unavailable and old is not None:
                candidates.append(old)
        room = min(max(max_unavailable - unavailable, 0), len(candidates))
        return replace + candidates[:room], []
    surged = 0
    delete: list[Obj] = []
    wanting: list[str] = []
    for node in sorted(node_pods):
        new, old, ok = find_updated(node_pods[node], hash_)
        if not ok or old is None:
            continue
        if new is None:
            if not is_pod_available(old, min_ready, now):
                wanting.append(node)
            elif surged < surge:
                surged += 1
                wanting.append(node)
        elif not is_pod_available(new, min_ready, now):
            surged += 1
        else:
            delete.append(old)
    return delete, wanting
