"""HorizontalPodAutoscaler and PodDisruptionBudget rules."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def hpa(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                            "minReplicas": 1, "maxReplicas": 5}
    body.update(spec)
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
            "spec": body}


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, []),
        ({"minReplicas": 0}, ["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"]),
        ({"maxReplicas": 0, "minReplicas": 1}, [
            "spec.maxReplicas: Invalid value: 0: must be greater than 0",
            "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`"]),
        ({"minReplicas": 5, "maxReplicas": 5}, []),
        ({"minReplicas": 6, "maxReplicas": 5},
         ["spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"]),
    ],
)
def test_hpa_replica_bounds(spec: dict[str, Any], expected: list[str]) -> None:
    assert messages(hpa(**spec)) == expected


def pdb(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"selector": {"matchLabels": {"app": "web"}}}
    body.update(spec)
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"}, "spec": body}  # noqa: E501


def test_pdb() -> None:
    assert messages(pdb(minAvailable=2)) == []
    assert messages(pdb(maxUnavailable="100%")) == []
    assert messages(pdb(maxUnavailable="101%")) == [
        'spec.maxUnavailable: Invalid value: "101%": must not be greater than 100%']
    assert messages(pdb(minAvailable=1, maxUnavailable=1)) == [
        'spec: Invalid value: {"MinAvailable":1,"Selector":{"matchLabels":{"app":"web"}},"MaxUnavailable":1,'
        '"UnhealthyPodEvictionPolicy":null}: minAvailable and maxUnavailable cannot be both set']
