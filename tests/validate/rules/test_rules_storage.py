"""PersistentVolumeClaim rules."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def pvc(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": body}


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj)]


def test_valid_claim() -> None:
    assert messages(pvc()) == []


@pytest.mark.parametrize(
    ("storage", "expected"),
    [
        ("1", []),
        ("1m", []),
        ("0", ['spec.resources[storage]: Invalid value: "0": must be greater than zero']),
        ("-1Gi", ['spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero']),
    ],
)
def test_storage_request_is_positive(storage: str, expected: list[str]) -> None:
    assert messages(pvc(resources={"requests": {"storage": storage}})) == expected


def test_access_modes_and_storage_required() -> None:
    assert messages(pvc(accessModes=[], resources={})) == [
        "spec.accessModes: Required value: at least 1 access mode is required",
        "spec.resources[storage]: Required value",
    ]
    assert messages(pvc(accessModes=["ReadWriteOncePod", "ReadWriteOnce"])) == [
        "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"]
    assert messages(pvc(accessModes=["RWO"])) == [
        'spec.accessModes: Unsupported value: "RWO": supported values: "ReadOnlyMany", "ReadWriteMany", '
        '"ReadWriteOnce", "ReadWriteOncePod"']
