"""Taints and tolerations, as k8s.io/api/core/v1 helpers and the taint-eviction controller use them.

Pure functions shared by the scheduler (TaintToleration filter), the node lifecycle controller
(NoExecute eviction timing) and the DefaultTolerationSeconds admission defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
NO_SCHEDULE = "NoSchedule"
NO_EXECUTE = "NoExecute"
PREFER_NO_SCHEDULE = "PreferNoSchedule"

Taint = Mapping[str, Any]
Toleration = Mapping[str, Any]


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """v1.Toleration.ToleratesTaint: effect, key and (for Equal) value must match; empty matches all."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def tolerated(taint: Taint, tolerations: Iterable[Toleration]) -> bool:
    return any(tolerates(t, taint) for t in tolerations)


def first_untolerated(taints: Sequence[Taint], tolerations: Sequence[Toleration],
                      effects: tuple[str, ...] = (NO_SCHEDULE, NO_EXECUTE)) -> Taint | None:
    """The first taint with one of `effects` that no toleration tolerates (the scheduler's filter)."""
    for taint in taints:
        if taint.get("effect") in effects and not tolerated(taint, tolerations):
            return taint
    return None


def untolerated_message(taint: Taint) -> str:
    """The TaintToleration filter's reason: `node(s) had untolerated taint {key: value}`."""
    return f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value') or ''}}}"


def eviction_delay(taints: Sequence[Taint], tolerations: Sequence[Toleration]) -> float | None:
    """Seconds a pod may stay on a node with these taints (taint manager's getMinTolerationTime).

    0 when some NoExecute taint is not tolerated, None when tolerated forever, else the smallest
    tolerationSeconds of the tolerations used (a toleration without seconds does not bound it).
    """
    used: list[Toleration] = []
    for taint in taints:
        if taint.get("effect") != NO_EXECUTE:
            continue
        match = next((t for t in tolerations if tolerates(t, taint)), None)
        if match is None:
            return 0.0
        used.append(match)
    if not used:
        return None
    bounded = [t["tolerationSeconds"] for t in used if t.get("tolerationSeconds") is not None]
    if not bounded:
        return None
    least = min(float(s) for s in bounded)
    return max(least, 0.0)


def default_tolerations(tolerations: Sequence[Toleration], seconds: float) -> list[dict[str, Any]]:
    """DefaultTolerationSeconds admission: add not-ready/unreachable NoExecute tolerations if missing."""
    result = [dict(t) for t in tolerations]
    for key in (NOT_READY, UNREACHABLE):
        probe = {"key": key, "effect": NO_EXECUTE}
        if not tolerated(probe, tolerations):
            result.append({"key": key, "operator": "Exists", "effect": NO_EXECUTE,
                           "tolerationSeconds": int(seconds)})
    return result
