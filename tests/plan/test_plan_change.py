"""Diffs are values: FieldChange items between two normalised objects."""

from __future__ import annotations

import pytest

from kapply.model.keys import ResourceKey
from kapply.plan.change import Change, FieldChange, diff, path_text


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"a": 1}, {"a": 1}, ()),
    ({"a": 1}, {"a": 2}, (FieldChange("replace", ("a",), 1, 2),)),
    ({"a": 1}, {}, (FieldChange("remove", ("a",), 1, None),)),
    ({}, {"a": {"b": 1}}, (FieldChange("add", ("a",), None, {"b": 1}),)),
    ({"a": True}, {"a": 1}, (FieldChange("replace", ("a",), True, 1),)),
    ({"a": 1}, {"a": 1.0}, ()),
    ({"a": [1, 2]}, {"a": [1, 3, 4]},
     (FieldChange("replace", ("a", 1), 2, 3), FieldChange("add", ("a", 2), None, 4))),
    ({"a": "x"}, {"a": {"b": 1}}, (FieldChange("replace", ("a",), "x", {"b": 1}),)),
])
def test_diff(old: dict, new: dict, expected: tuple) -> None:
    assert diff(old, new) == expected


def test_keyed_list_reorder_is_not_a_change_and_paths_name_the_item() -> None:
    old = {"spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}
    new = {"spec": {"containers": [{"name": "b", "image": "b:2"}, {"name": "a", "image": "a:1"}]}}
    expected = (FieldChange("replace", ("spec", "containers", 0, "image"), "b:1", "b:2"),)
    assert diff(old, new, "Pod") == expected


def test_keyed_list_add_and_remove_items() -> None:
    old = {"spec": {"ports": [{"port": 80}, {"port": 81}]}}
    new = {"spec": {"ports": [{"port": 80}, {"port": 443}]}}
    assert diff(old, new, "Service") == (
        FieldChange("add", ("spec", "ports", 1), None, {"port": 443}),
        FieldChange("remove", ("spec", "ports", 1), {"port": 81}, None),
    )


@pytest.mark.parametrize(("path", "text"), [
    (("spec", "replicas"), "spec.replicas"),
    (("spec", "template", "spec", "containers", 0, "image"), "spec.template.spec.containers[0].image"),
    (("metadata", "labels", "app.kubernetes.io/name"), 'metadata.labels[app.kubernetes.io/name]'),
    ((), ""),
])
def test_path_text(path: tuple, text: str) -> None:
    assert path_text(path) == text


def test_change_json() -> None:
    key = ResourceKey("apps", "Deployment", "default", "web")
    change = Change("update", key, {}, {}, (FieldChange("replace", ("spec", "replicas"), 1, 3),))
    assert change.to_json() == {
        "action": "update",
        "object": {"group": "apps", "kind": "Deployment", "namespace": "default", "name": "web"},
        "ref": "deployment.apps/web",
        "fields": [{"op": "replace", "path": "spec.replicas", "segments": ["spec", "replicas"],
                    "old": 1, "new": 3}],
    }
    assert change.is_write
