"""Resource requirements: quantities in canonical form, requests <= limits (parsing: tests/model)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def pod(resources: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i", "resources": resources}]}}


@pytest.mark.parametrize(
    ("requests", "limits", "expected"),
    [
        ({"cpu": "1"}, {"cpu": "1"}, []),
        ({"cpu": "1000m"}, {"cpu": 1}, []),
        ({"cpu": 2}, {"cpu": 1},
         ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']),  # noqa: E501
        ({"memory": "1025Mi"}, {"memory": "1Gi"},
         ['spec.containers[0].resources.requests: Invalid value: "1025Mi": must be less than or equal to memory '  # noqa: E501
          "limit of 1Gi"]),
        ({"memory": "128Mi"}, {"memory": "1Gi"}, []),
        ({"nvidia.com/gpu": 1}, {"nvidia.com/gpu": 2},
         ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2']),  # noqa: E501
        ({"nvidia.com/gpu": 1}, {},
         ["spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"]),  # noqa: E501
    ],
)
def test_requests_and_limits(requests: dict[str, Any], limits: dict[str, Any], expected: list[str]) -> None:
    assert [str(f) for f in check(pod({"requests": requests, "limits": limits}))] == expected


def test_quantity_and_name_errors() -> None:
    assert [str(f) for f in check(pod({"limits": {"cpu": "-1", "memory": "lots", "gpu": "1"}}))] == [
        'spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match the regular '  # noqa: E501
        "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',  # noqa: E501
    ]
