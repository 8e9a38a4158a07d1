"""Finding rendering: field paths and values exactly as kube-apiserver's field.Error prints them."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules.findings import (
    DUPLICATE,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    REQUIRED,
    TOO_LONG,
    UNSUPPORTED,
    Finding,
    Key,
    field_string,
    go_quote,
    render_value,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"),
         "spec.template.spec.containers[0].ports[0].containerPort"),
        (("data", Key("app.conf")), "data[app.conf]"),
        (("spec", "containers", 1, "resources", "limits", Key("cpu")), "spec.containers[1].resources.limits[cpu]"),  # noqa: E501
        ((), ""),
    ],
)
def test_field_path_rendering(path: tuple[Any, ...], expected: str) -> None:
    assert field_string(path) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (70000, "70000"),
        (-1, "-1"),
        (True, "true"),
        (1.5, "1.5"),
        (None, "null"),
        ("three", '"three"'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("tab\there", '"tab\\there"'),
        ("\x01", '"\\x01"'),
        ("héllo", '"héllo"'),
        ({"app": "x", "tier": "web"}, '{"app":"x","tier":"web"}'),
        ({"matchLabels": {"a": "<b>"}}, '{"matchLabels":{"a":"\\u003cb\\u003e"}}'),
        (["a", 1], '["a",1]'),
    ],
)
def test_value_rendering(value: Any, expected: str) -> None:
    assert render_value(value) == expected


def test_go_quote_keeps_printable_unicode_and_escapes_the_rest() -> None:
    assert go_quote("ü\u00a0") == '"ü\\u00a0"'


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (Finding(("spec", "replicas"), INVALID, -1, "must be greater than or equal to 0", "r"),
         "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        (Finding(("spec", "selector"), REQUIRED, "", "", "r"), "spec.selector: Required value"),
        (Finding(("metadata", "name"), REQUIRED, "", "name or generateName is required", "r"),
         "metadata.name: Required value: name or generateName is required"),
        (Finding(("spec", "ports", 0, "nodePort"), FORBIDDEN, "", "may not be used when `type` is 'ClusterIP'", "r"),  # noqa: E501
         "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
        (Finding(("spec", "restartPolicy"), UNSUPPORTED, "OnFailure", 'supported values: "Always"', "r"),
         'spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'),
        (Finding(("spec", "containers", 1, "name"), DUPLICATE, "web", "", "r"),
         'spec.containers[1].name: Duplicate value: "web"'),
        (Finding(("spec", "containers", 0, "volumeMounts", 0, "name"), NOT_FOUND, "data", "", "r"),
         'spec.containers[0].volumeMounts[0].name: Not found: "data"'),
        (Finding(("metadata", "annotations"), TOO_LONG, "", "may not be more than 262144 bytes", "r"),
         "metadata.annotations: Too long: may not be more than 262144 bytes"),
    ],
)
def test_finding_str_is_field_error_format(finding: Finding, expected: str) -> None:
    assert str(finding) == expected
    assert finding.field + ": " + finding.message == expected


def test_findings_with_map_values_are_hashable_and_comparable() -> None:
    a = Finding(("spec", "template", "metadata", "labels"), INVALID, {"app": "x"}, "d", "selector-mismatch")
    b = Finding(("spec", "template", "metadata", "labels"), INVALID, {"app": "x"}, "d", "selector-mismatch")
    assert a == b and len({a, b}) == 1
