"""Toleration matching and taint-eviction timing as in k8s.io/api and the taint manager."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.helpers.taints import (
    default_tolerations,
    eviction_delay,
    first_untolerated,
    tolerates,
    untolerated_message,
)

UNREACH_NE = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}
UNREACH_NS = {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}
GPU = {"key": "gpu", "value": "true", "effect": "NoSchedule"}


@pytest.mark.parametrize(("toleration", "taint", "expected"), [
    ({"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}, GPU, True),
    ({"key": "gpu", "value": "true"}, GPU, True),  # empty effect matches every effect
    ({"key": "gpu", "value": "false"}, GPU, False),
    ({"key": "gpu", "operator": "Exists"}, GPU, True),
    ({"operator": "Exists"}, GPU, True),  # empty key + Exists tolerates everything
    ({"key": "gpu", "operator": "Exists", "effect": "NoExecute"}, GPU, False),
    ({"key": "other", "operator": "Exists"}, GPU, False),
    ({"key": "gpu", "operator": "Bogus", "value": "true"}, GPU, False),
])
def test_toleration_matching(toleration: dict[str, Any], taint: dict[str, Any], expected: bool) -> None:
    assert tolerates(toleration, taint) is expected


def test_first_untolerated_ignores_prefer_no_schedule() -> None:
    soft = {"key": "soft", "effect": "PreferNoSchedule"}
    assert first_untolerated([soft, UNREACH_NS], []) == UNREACH_NS
    assert first_untolerated([soft], []) is None
    assert untolerated_message(UNREACH_NS) == \
        "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
    assert untolerated_message(GPU) == "node(s) had untolerated taint {gpu: true}"


DEFAULT = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 300},
           {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 300}]


@pytest.mark.parametrize(("taints", "tolerations", "expected"), [
    ([UNREACH_NE], DEFAULT, 300.0),
    ([UNREACH_NE], [], 0.0),  # not tolerated: evict at once
    ([UNREACH_NS], [], None),  # no NoExecute taint: never evicted
    ([UNREACH_NE], [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}], None),  # forever
    ([UNREACH_NE], [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                     "effect": "NoExecute", "tolerationSeconds": 30}], 30.0),
    ([UNREACH_NE], [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                     "effect": "NoExecute", "tolerationSeconds": -5}], 0.0),
    ([UNREACH_NE, {"key": "x", "effect": "NoExecute"}], DEFAULT, 0.0),
])
def test_eviction_delay(taints: list[dict[str, Any]], tolerations: list[dict[str, Any]],
                        expected: float | None) -> None:
    assert eviction_delay(taints, tolerations) == expected


def test_default_tolerations_added_once_with_the_configured_seconds() -> None:
    assert default_tolerations([], 120) == [dict(t, tolerationSeconds=120) for t in DEFAULT]
    own = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 5}]
    result = default_tolerations(own, 300)
    assert result == [own[0], DEFAULT[0]]
    assert default_tolerations([{"operator": "Exists"}], 300) == [{"operator": "Exists"}]
