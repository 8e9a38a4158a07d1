"""Resource requirements: quantity parsing, canonical printing, requests <= limits."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check
from kapply.validate.rules.resources import QuantityError, canonical, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "1"), ("1000m", "1"), ("0.5", "500m"), ("1.5", "1500m"), ("100m", "100m"), ("2000", "2k"),
        ("1500", "1500"), ("128Mi", "128Mi"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"), ("1.5Ki", "1536"),
        ("512", "512"), ("1e3", "1e3"), ("1200e0", "1200"), ("0", "0"), ("1G", "1G"), ("0.1", "100m"),
    ],
)
def test_canonical_form(text: str, expected: str) -> None:
    assert canonical(*parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),  # noqa: E501
        ("1Gb", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),  # noqa: E501
        ("100mi", "unable to parse quantity's suffix"),
        ("1K", "unable to parse quantity's suffix"),
    ],
)
def test_bad_quantities(text: str, message: str) -> None:
    with pytest.raises(QuantityError, match="^" + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]").replace("^", r"\^").replace("$", r"\$")
                       .replace("+", r"\+").replace("*", r"\*").replace("?", r"\?").replace(".", r"\.") + "$"):  # noqa: E501
        parse(text)


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
