"""From the metrics' recommendation to the size the autoscaler sets (horizontal.go).

Without `spec.behavior`: the highest recommendation of the downscale stabilization window
(300 s) wins, then min/max and the scale-up limit `max(2 * current, 4)` clamp it
(stabilizeRecommendation, convertDesiredReplicasWithRules). With it: the recommendation is held
between the lowest of the scale-up window and the highest of the scale-down window, then the
policies limit the change per period from the scale events recorded
(stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate). Each function
returns the size with the condition reason and message it implies. Recommendations and scale
events are lists the controller keeps in its memory: `[replicas, time]`, `[change, time, outdated]`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0
MAX_INT32, MIN_INT32 = 2**31 - 1, -(2**31)

WITHIN = ("DesiredWithinRange", "the desired count is within the acceptable range")
TOO_MANY = ("TooManyReplicas", "the desired replica count is more than the maximum replica count")
TOO_FEW = ("TooFewReplicas", "the desired replica count is less than the minimum replica count")
UP_LIMIT = ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
DOWN_LIMIT = ("ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
UP_STABILIZED = ("ScaleUpStabilized", "recent recommendations were lower than current one, applying the "
                 "lowest recent recommendation")
DOWN_STABILIZED = ("ScaleDownStabilized", "recent recommendations were higher than current one, applying "
                   "the highest recent recommendation")


@dataclass(frozen=True)
class Limits:
    """What normalizing needs besides the recommendation (NormalizationArg)."""

    current: int
    minimum: int
    maximum: int


def stabilize(recommendations: list[list[float]], desired: int, now: float, window: float) -> int:
    """stabilizeRecommendation: the highest recommendation not older than the window; the
    newest recommendation replaces one that fell out of it (or is appended)."""
    highest, old = desired, None
    cutoff = now - window
    for i, (replicas, when) in enumerate(recommendations):
        if when < cutoff:
            old = i
        elif replicas > highest:
            highest = int(replicas)
    _record(recommendations, old, [desired, now])
    return highest


def _record(entries: list[Any], old: int | None, entry: list[Any]) -> None:
    if old is not None:
        entries[old] = entry
    else:
        entries.append(entry)


def scale_up_limit(current: int) -> int:
    """calculateScaleUpLimit: at most double, and at least 4, per sync."""
    return int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))


def convert_with_rules(limits: Limits, desired: int) -> tuple[int, tuple[str, str]]:
    """convertDesiredReplicasWithRules."""
    up = scale_up_limit(limits.current)
    if limits.maximum > up:
        maximum, limiting = up, UP_LIMIT
    else:
        maximum, limiting = limits.maximum, TOO_MANY
    if desired < limits.minimum:
        return limits.minimum, TOO_FEW
    if desired > maximum:
        return maximum, limiting
    return desired, WITHIN


def stabilize_with_behaviors(recommendations: list[list[float]], desired: int, limits: Limits,
                             behavior: Obj, now: float) -> tuple[int, tuple[str, str]]:
    """stabilizeRecommendationWithBehaviors: hold the recommendation between the lowest of the
    scale-up window and the highest of the scale-down window, and record it."""
    up_cutoff = now - float(behavior["scaleUp"].get("stabilizationWindowSeconds") or 0)
    down_cutoff = now - float(behavior["scaleDown"].get("stabilizationWindowSeconds") or 0)
    up_rec = down_rec = desired
    old = None
    for i, (replicas, when) in enumerate(recommendations):
        if when > up_cutoff:
            up_rec = min(int(replicas), up_rec)
        if when > down_cutoff:
            down_rec = max(int(replicas), down_rec)
        if when < up_cutoff and when < down_cutoff:
            old = i
    recommendation = limits.current
    if recommendation < up_rec:
        recommendation = up_rec
    if recommendation > down_rec:
        recommendation = down_rec
    _record(recommendations, old, [desired, now])
    return recommendation, UP_STABILIZED if desired >= limits.current else DOWN_STABILIZED


def _changed_in(period: float, events: Sequence[Sequence[Any]], now: float) -> int:
    """getReplicasChangePerPeriod: replicas changed by the events newer than the period."""
    cutoff = now - period
    return sum(int(change) for change, when, *_ in events if when > cutoff)


def _limit(current: int, up: Sequence[Sequence[Any]], down: Sequence[Sequence[Any]], rules: Obj, now: float,
           scale_up: bool) -> int:
    """calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    # For scaling up the highest change is the largest value; for scaling down, the smallest.
    pick_max = (select != "Min") == scale_up
    result = MIN_INT32 if pick_max else MAX_INT32
    for policy in rules.get("policies") or ():
        period = float(policy.get("periodSeconds") or 0)
        start = current - _changed_in(period, up, now) + _changed_in(period, down, now)
        value = int(policy.get("value") or 0)
        if policy.get("type") == "Pods":
            proposed = start + value if scale_up else start - value
        elif scale_up:  # the proposal is rounded up, or a small target would never grow
            proposed = math.ceil(start * (1 + value / 100))
        else:
            proposed = int(start * (1 - value / 100))
        result = max(result, proposed) if pick_max else min(result, proposed)
    return result


def convert_with_behavior_rate(limits: Limits, desired: int, up: Sequence[Sequence[Any]],
                               down: Sequence[Sequence[Any]], behavior: Obj,
                               now: float) -> tuple[int, tuple[str, str]]:
    """convertDesiredReplicasWithBehaviorRate: the policies' limits, then min/max."""
    if desired > limits.current:
        cap = max(_limit(limits.current, up, down, behavior["scaleUp"], now, True), limits.current)
        if limits.maximum > cap:
            maximum, reason = cap, UP_LIMIT
        else:
            maximum, reason = limits.maximum, TOO_MANY
        if desired > maximum:
            return maximum, reason
    elif desired < limits.current:
        floor = min(_limit(limits.current, up, down, behavior["scaleDown"], now, False), limits.current)
        if limits.minimum < floor:
            minimum, reason = floor, DOWN_LIMIT
        else:
            minimum, reason = limits.minimum, TOO_FEW
        if desired < minimum:
            return minimum, reason
    return desired, WITHIN


def _longest_period(rules: Obj) -> float:
    return max((float(p.get("periodSeconds") or 0) for p in rules.get("policies") or ()), default=0.0)


def store_scale_event(behavior: Obj | None, up: list[list[Any]], down: list[list[Any]], previous: int,
                      new: int, now: float) -> None:
    """storeScaleEvent: record the change, reusing an event older than the longest policy period."""
    if behavior is None:
        return  # nothing reads them
    events, rules = (up, behavior["scaleUp"]) if new > previous else (down, behavior["scaleDown"])
    cutoff = now - _longest_period(rules)
    old = None
    for i, event in enumerate(events):
        if event[1] < cutoff:
            event[2] = True  # markScaleEventsOutdated
        if event[2]:
            old = i
    _record(events, old, [abs(new - previous), now, False])
