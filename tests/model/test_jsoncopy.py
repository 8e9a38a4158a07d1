"""deep_copy: an independent, equal copy of JSON-shaped objects (and of anything else in them)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.model.jsoncopy import deep_copy

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}, "generation": 2},
    "spec": {"replicas": 3, "paused": False, "progressDeadlineSeconds": None,
             "template": {"spec": {"containers": [{"name": "app", "ports": [{"containerPort": 80}],
                                                   "resources": {"limits": {"cpu": 0.5}}}]}}},
}


@pytest.mark.parametrize("value", [DEPLOYMENT, [DEPLOYMENT, 1, "x"], {}, [], "text", 7, 1.5, True, None])
def test_copy_is_equal(value: Any) -> None:
    assert deep_copy(value) == value


def test_mutating_the_copy_leaves_the_original_alone() -> None:
    copied = deep_copy(DEPLOYMENT)
    copied["metadata"]["labels"]["app"] = "other"
    copied["spec"]["template"]["spec"]["containers"][0]["ports"].append({"containerPort": 81})
    assert DEPLOYMENT["metadata"]["labels"] == {"app": "web"}
    assert DEPLOYMENT["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80}]


def test_other_containers_are_copied_deeply_too() -> None:
    inner = [1, 2]
    value = {"pair": (inner, "x"), "set": {3}}
    copied = deep_copy(value)
    assert copied == value
    copied["pair"][0].append(3)
    copied["set"].add(4)
    assert inner == [1, 2] and value["set"] == {3}
