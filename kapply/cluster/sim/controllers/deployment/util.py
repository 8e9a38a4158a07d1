"""Replica arithmetic of the Deployment controller, as pure functions over plain dicts.

Mirrors k8s.io/kubernetes pkg/controller/deployment/util/deployment_util.go: how maxSurge and
maxUnavailable resolve against `spec.replicas` (surge rounds up, unavailable rounds down, both
zero -> unavailable 1), how far the new ReplicaSet may grow in one step (`new_rs_new_replicas`),
and how a scaling event during a rollout is spread over the ReplicaSets (`proportional_scale`,
Kubernetes' `scale()`). Conditions live next door in `conditions.py`, revisions and the
pod-template-hash in `revisions.py`; the controller passes (`sync.py`, `rolling.py`) only apply
what these functions compute.

Worked example (10 replicas, maxSurge 25%, maxUnavailable 25%): surge = ceil(2.5) = 3,
unavailable = floor(2.5) = 2, so a rollout keeps at most 13 pods and at least 8 available.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from kapply.model.intstr import scaled_value

Obj = dict[str, Any]

DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
ROLLING_UPDATE = "RollingUpdate"
RECREATE = "Recreate"


# --- accessors (objects are Kubernetes-shaped dicts) -----------------------------------------

def spec_replicas(obj: Obj | None) -> int:
    """`spec.replicas` of a Deployment or ReplicaSet (API default 1); 0 for None."""
    if obj is None:
        return 0
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def status_int(obj: Obj | None, field: str) -> int:
    if obj is None:
        return 0
    return int((obj.get("status") or {}).get(field) or 0)


def annotations(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("annotations") or {}


def creation_key(rs: Obj) -> tuple[str, str]:
    """Sort key of controller.ReplicaSetsByCreationTimestamp: creation time, then name."""
    meta = rs.get("metadata", {})
    return (str(meta.get("creationTimestamp") or ""), str(meta.get("name") or ""))


def by_creation(rss: Iterable[Obj]) -> list[Obj]:
    return sorted(rss, key=creation_key)


def strategy_type(deployment: Obj) -> str:
    return str(((deployment.get("spec") or {}).get("strategy") or {}).get("type") or ROLLING_UPDATE)


def is_rolling_update(deployment: Obj) -> bool:
    return strategy_type(deployment) == ROLLING_UPDATE


def _rolling_params(deployment: Obj) -> tuple[int | str | None, int | str | None]:
    rolling = ((deployment.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    return rolling.get("maxSurge"), rolling.get("maxUnavailable")


# --- surge / unavailable -------------------------------------------------------------------

def resolve_fenceposts(max_surge: int | str | None, max_unavailable: int | str | None,
                       desired: int) -> tuple[int, int]:
    """(surge, unavailable) for `desired` replicas; ValueError for a malformed value.

    2 desired, unavailable 1%, surge 0% -> (0, 1): scale old -1, new +1, old -1, new +1.
    """
    surge = scaled_value(0 if max_surge is None else max_surge, desired, round_up=True)
    unavailable = scaled_value(0 if max_unavailable is None else max_unavailable, desired, round_up=False)
    if surge == 0 and unavailable == 0:
        # Validation forbids both zero, but rounding down may get there: surge might be
        # blocked by quota, so allow one unavailable pod.
        unavailable = 1
    return surge, unavailable


def max_unavailable(deployment: Obj) -> int:
    """deploymentutil.MaxUnavailable: never more than the replicas, 0 for Recreate."""
    replicas = spec_replicas(deployment)
    if not is_rolling_update(deployment) or replicas == 0:
        return 0
    _, unavailable = resolve_fenceposts(*_rolling_params(deployment), replicas)
    return min(unavailable, replicas)


def max_surge(deployment: Obj) -> int:
    """deploymentutil.MaxSurge: 0 for Recreate."""
    if not is_rolling_update(deployment):
        return 0
    surge, _ = resolve_fenceposts(*_rolling_params(deployment), spec_replicas(deployment))
    return surge


def min_available(deployment: Obj) -> int:
    if not is_rolling_update(deployment):
        return 0
    return spec_replicas(deployment) - max_unavailable(deployment)


# --- counting over ReplicaSets -------------------------------------------------------------

def replica_count(rss: Iterable[Obj | None]) -> int:
    """Sum of spec.replicas (GetReplicaCountForReplicaSets)."""
    return sum(spec_replicas(rs) for rs in rss if rs is not None)


def actual_replica_count(rss: Iterable[Obj | None]) -> int:
    return sum(status_int(rs, "replicas") for rs in rss if rs is not None)


def ready_replica_count(rss: Iterable[Obj | None]) -> int:
    return sum(status_int(rs, "readyReplicas") for rs in rss if rs is not None)


def available_replica_count(rss: Iterable[Obj | None]) -> int:
    return sum(status_int(rs, "availableReplicas") for rs in rss if rs is not None)


def active(rss: Iterable[Obj | None]) -> list[Obj]:
    """controller.FilterActiveReplicaSets: those with spec.replicas > 0."""
    return [rs for rs in rss if rs is not None and spec_replicas(rs) > 0]


# --- one rolling step ----------------------------------------------------------------------

def new_rs_new_replicas(deployment: Obj, all_rss: Sequence[Obj | None], new_rs: Obj) -> int:
    """How many replicas the new ReplicaSet may have now (NewRSNewReplicas)."""
    kind = strategy_type(deployment)
    replicas = spec_replicas(deployment)
    if kind == RECREATE:
        return replicas
    if kind != ROLLING_UPDATE:
        raise ValueError(f"deployment type {kind} isn't supported")
    surge_value, _ = _rolling_params(deployment)
    surge = scaled_value(0 if surge_value is None else surge_value, replicas, round_up=True)
    current = replica_count(all_rss)
    max_total = replicas + surge
    if current >= max_total:
        return spec_replicas(new_rs)
    scale_up = min(max_total - current, replicas - spec_replicas(new_rs))
    return spec_replicas(new_rs) + scale_up


def is_saturated(deployment: Obj, rs: Obj | None) -> bool:
    """The new ReplicaSet owns all desired replicas and all of them are available."""
    if rs is None:
        return False
    try:
        desired = int(annotations(rs).get(DESIRED_REPLICAS_ANNOTATION, ""))
    except ValueError:
        return False
    replicas = spec_replicas(deployment)
    return (spec_replicas(rs) == replicas and desired == replicas
            and status_int(rs, "availableReplicas") == replicas)


# --- replicas annotations ------------------------------------------------------------------

def _int_annotation(rs: Obj, key: str) -> int | None:
    value = annotations(rs).get(key)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def desired_replicas_annotation(rs: Obj) -> int | None:
    return _int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)


def max_replicas_annotation(rs: Obj) -> int | None:
    return _int_annotation(rs, MAX_REPLICAS_ANNOTATION)


def replicas_annotations_need_update(rs: Obj, desired: int, maximum: int) -> bool:
    ann = annotations(rs)
    return (ann.get(DESIRED_REPLICAS_ANNOTATION) != str(desired)
            or ann.get(MAX_REPLICAS_ANNOTATION) != str(maximum))


def set_replicas_annotations(rs: Obj, desired: int, maximum: int) -> bool:
    """Record the deployment size (and size + surge) the ReplicaSet was scaled for; True if changed."""
    meta = rs.setdefault("metadata", {})
    ann = meta.get("annotations")
    if ann is None:
        ann = meta["annotations"] = {}
    changed = False
    for key, value in ((DESIRED_REPLICAS_ANNOTATION, str(desired)), (MAX_REPLICAS_ANNOTATION, str(maximum))):
        if ann.get(key) != value:
            ann[key] = value
            changed = True
    return changed


# --- proportional scaling ------------------------------------------------------------------

def round_half_away(value: float) -> int:
    """Go's math.Round (integer.RoundToInt32): halves round away from zero."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def replica_set_fraction(rs: Obj, deployment: Obj) -> int:
    """How many replicas `rs` gains (or loses, negative) in a scaling event (getReplicaSetFraction)."""
    replicas = spec_replicas(deployment)
    if replicas == 0:
        return -spec_replicas(rs)
    deployment_max = replicas + max_surge(deployment)
    before = max_replicas_annotation(rs)
    if not before:
        # No annotation (edited by hand, or scaled while paused): the current size is all we know.
        before = status_int(deployment, "replicas")
        if before == 0:
            return 0
    new_size = spec_replicas(rs) * deployment_max / before
    return round_half_away(new_size) - spec_replicas(rs)


def get_proportion(rs: Obj | None, deployment: Obj, to_add: int, added: int) -> int:
    """The share of `to_add` that `rs` takes, given `added` so far (GetProportion)."""
    if rs is None or spec_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = replica_set_fraction(rs, deployment)
    allowed = to_add - added
    if to_add > 0:
        return min(fraction, allowed)
    return max(fraction, allowed)


def _by_size_newer(rss: list[Obj]) -> list[Obj]:
    """ReplicaSetsBySizeNewer: larger first; equal sizes newer first."""
    rss = sorted(rss, key=creation_key, reverse=True)
    return sorted(rss, key=spec_replicas, reverse=True)


def _by_size_older(rss: list[Obj]) -> list[Obj]:
    """ReplicaSetsBySizeOlder: larger first; equal sizes older first."""
    rss = sorted(rss, key=creation_key)
    return sorted(rss, key=spec_replicas, reverse=True)


def active_or_latest(new_rs: Obj | None, old_rss: Sequence[Obj]) -> Obj | None:
    """The only active ReplicaSet, the newest if none is active, None if several are (FindActiveOrLatest)."""
    if new_rs is None and not old_rss:
        return None
    newest_first = sorted(old_rss, key=creation_key, reverse=True)
    running = active([*newest_first, new_rs])
    if not running:
        return new_rs if new_rs is not None else newest_first[0]
    if len(running) == 1:
        return running[0]
    return None


def proportional_scale(deployment: Obj, new_rs: Obj | None, old_rss: Sequence[Obj]) -> list[tuple[Obj, int]]:
    """Kubernetes' `scale()` as a plan: (ReplicaSet, new size) in the order the controller writes them.

    A ReplicaSet listed with its current size may still need its replicas annotations refreshed;
    an empty plan means nothing to do.
    """
    replicas = spec_replicas(deployment)
    only = active_or_latest(new_rs, old_rss)
    if only is not None:
        return [] if spec_replicas(only) == replicas else [(only, replicas)]
    if is_saturated(deployment, new_rs):
        return [(rs, 0) for rs in active(old_rss)]
    if not is_rolling_update(deployment):
        return []
    rss = active([*old_rss, new_rs])
    allowed = replicas + max_surge(deployment) if replicas > 0 else 0
    to_add = allowed - replica_count(rss)
    if to_add > 0:
        rss = _by_size_newer(rss)
    elif to_add < 0:
        rss = _by_size_older(rss)
    added = 0
    sizes: list[int] = []
    for rs in rss:
        if to_add != 0:
            proportion = get_proportion(rs, deployment, to_add, added)
            sizes.append(spec_replicas(rs) + proportion)
            added += proportion
        else:
            sizes.append(spec_replicas(rs))
    if rss and to_add != 0:
        # Leftovers (rounding) go to the largest ReplicaSet.
        sizes[0] = max(0, sizes[0] + to_add - added)
    return list(zip(rss, sizes, strict=True))
