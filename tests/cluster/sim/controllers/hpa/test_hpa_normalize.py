"""Stabilization, scaling policies and limits, against pkg/controller/podautoscaler/horizontal.go
and horizontal_test.go (TestConvertDesiredReplicasWithRules, TestCalculateScaleUpLimitWithScalingRules,
TestCalculateScaleDownLimitWithBehaviors, the stabilization window cases)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapply.cluster.sim.controllers.hpa import normalize as norm
from kapply.model.autoscaling import SCALE_DOWN_RULES, SCALE_UP_RULES

NOW = 1000.0


def behavior(up: dict[str, Any] | None = None, down: dict[str, Any] | None = None) -> dict[str, Any]:
    scale_down = dict(SCALE_DOWN_RULES, stabilizationWindowSeconds=300)
    return {"scaleUp": dict(SCALE_UP_RULES, **(up or {})), "scaleDown": dict(scale_down, **(down or {}))}


@pytest.mark.parametrize(("current", "desired", "minimum", "maximum", "converted", "reason"), [
    (5, 7, 3, 8, 7, "DesiredWithinRange"),  # prenormalized desired replicas within range
    (3, 1, 2, 8, 2, "TooFewReplicas"),  # prenormalized desired replicas < minReplicas
    (1, 0, 0, 10, 0, "DesiredWithinRange"),  # prenormalized desired zeroed replicas within range
    (20, 1000, 1, 10, 10, "TooManyReplicas"),  # maxReplicas is the limit because maxReplicas < scaleUpLimit
    (3, 1000, 1, 2000, 6, "ScaleUpLimit"),  # scaleUpLimit is the limit because scaleUpLimit < maxReplicas
])
def test_convert_desired_replicas_with_rules(current: int, desired: int, minimum: int, maximum: int,
                                             converted: int, reason: str) -> None:
    """TestConvertDesiredReplicasWithRules."""
    replicas, (found, _) = norm.convert_with_rules(norm.Limits(current, minimum, maximum), desired)
    assert (replicas, found) == (converted, reason)


def test_scale_up_limit_with_a_min_policy() -> None:
    """TestCalculateScaleUpLimitWithScalingRules: Min of (1 + 2 pods, ceil(1 * 150%)) is 2."""
    rules = {"selectPolicy": "Min", "stabilizationWindowSeconds": 300,
             "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60},
                          {"type": "Percent", "value": 50, "periodSeconds": 60}]}
    assert norm._limit(1, [], [], rules, NOW, scale_up=True) == 2


def test_scale_down_limit_with_a_min_policy() -> None:
    """TestCalculateScaleDownLimitWithBehaviors: the smallest change of (5 - 2 pods, 5 * 50%) is 3."""
    rules = {"selectPolicy": "Min", "stabilizationWindowSeconds": 300,
             "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60},
                          {"type": "Percent", "value": 50, "periodSeconds": 60}]}
    assert norm._limit(5, [], [], rules, NOW, scale_up=False) == 3


@pytest.mark.parametrize(("current", "desired", "up", "expected", "reason"), [
    (1, 100, [], 5, "ScaleUpLimit"),  # default rules: +4 pods or +100% per 15 s, the larger
    (10, 100, [], 20, "ScaleUpLimit"),
    (5, 100, [[4, NOW - 10, False]], 5, "ScaleUpLimit"),  # this period already added 4 (from 1)
    (5, 100, [[4, NOW - 15, False]], 10, "ScaleUpLimit"),  # ... until the period is over
    (5, 8, [], 8, "DesiredWithinRange"),
    (90, 300, [], 100, "TooManyReplicas"),
])
def test_scale_up_policies(current: int, desired: int, up: list[list[Any]], expected: int,
                           reason: str) -> None:
    replicas, (found, _) = norm.convert_with_behavior_rate(norm.Limits(current, 1, 100), desired, up, [],
                                                           behavior(), NOW)
    assert (replicas, found) == (expected, reason)


@pytest.mark.parametrize(("current", "desired", "rules", "expected", "reason"), [
    (10, 2, {}, 2, "DesiredWithinRange"),  # 100% a period: anything goes
    (10, 1, {"policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}]}, 8, "ScaleDownLimit"),
    (10, 1, {"policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]}, 9, "ScaleDownLimit"),
    (10, 1, {"selectPolicy": "Disabled"}, 10, "ScaleDownLimit"),
    (3, 1, {}, 2, "TooFewReplicas"),
])
def test_scale_down_policies(current: int, desired: int, rules: dict[str, Any], expected: int,
                             reason: str) -> None:
    replicas, (found, _) = norm.convert_with_behavior_rate(norm.Limits(current, 2, 100), desired, [], [],
                                                           behavior(down=rules), NOW)
    assert (replicas, found) == (expected, reason)


def test_default_stabilization_keeps_the_highest_of_five_minutes() -> None:
    """stabilizeRecommendation: a sample older than the window is replaced by the newest one."""
    recs: list[list[float]] = [[10, NOW - 400], [8, NOW - 200], [3, NOW - 15]]
    assert norm.stabilize(recs, 2, NOW, 300.0) == 8
    assert recs == [[2, NOW], [8, NOW - 200], [3, NOW - 15]]
    assert norm.stabilize(recs, 2, NOW + 101, 300.0) == 3  # the 8 has left the window


def test_stabilization_with_behaviors_holds_both_ways() -> None:
    """stabilizeRecommendationWithBehaviors: between the lowest recent recommendation of the
    scale-up window and the highest of the scale-down window."""
    rules = behavior(up={"stabilizationWindowSeconds": 60})
    recs: list[list[float]] = [[4, NOW - 30], [9, NOW - 100]]
    up, (reason, _) = norm.stabilize_with_behaviors(recs, 12, norm.Limits(5, 1, 100), rules, NOW)
    assert (up, reason) == (5, "ScaleUpStabilized")  # a 4 within the last minute holds the scale-up
    down, (reason, _) = norm.stabilize_with_behaviors(recs, 1, norm.Limits(5, 1, 100), rules, NOW)
    assert (down, reason) == (5, "ScaleDownStabilized")  # the 9 of 100 s ago holds the current 5


def test_scale_events_reuse_outdated_slots() -> None:
    """storeScaleEvent + markScaleEventsOutdated: an event older than the longest period is reused."""
    up: list[list[Any]] = [[4, NOW - 100, False]]
    norm.store_scale_event(behavior(), up, [], 4, 8, NOW)
    assert up == [[4, NOW, False]]
    norm.store_scale_event(behavior(), up, [], 8, 10, NOW + 5)
    assert up == [[4, NOW, False], [2, NOW + 5, False]]
    down: list[list[Any]] = []
    norm.store_scale_event(None, up, down, 10, 2, NOW)  # without behavior nothing is kept
    assert down == []


@given(current=st.integers(0, 500), desired=st.integers(0, 2000), minimum=st.integers(1, 50),
       extra=st.integers(0, 500), up=st.lists(st.tuples(st.integers(0, 50), st.floats(0, 60)), max_size=4),
       down=st.lists(st.tuples(st.integers(0, 50), st.floats(0, 60)), max_size=4))
def test_the_normalized_size_never_leaves_min_and_max(current: int, desired: int, minimum: int, extra: int,
                                                      up: list[tuple[int, float]],
                                                      down: list[tuple[int, float]]) -> None:
    """Whatever the policies' history, a change stays within [minReplicas, maxReplicas] when the
    current size does (the controller handles a size outside them before normalizing)."""
    maximum = minimum + extra
    current = min(max(current, minimum), maximum)
    ups = [[c, NOW - age, False] for c, age in up]
    downs = [[c, NOW - age, False] for c, age in down]
    limits = norm.Limits(current, minimum, maximum)
    with_rate, _ = norm.convert_with_behavior_rate(limits, desired, ups, downs, behavior(), NOW)
    with_rules, _ = norm.convert_with_rules(limits, desired)
    assert minimum <= with_rate <= maximum
    assert minimum <= with_rules <= maximum
