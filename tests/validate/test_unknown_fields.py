"""Unknown fields of objects and patches, walked alongside the strict schemas."""

from __future__ import annotations

import pytest

from kapply.validate.unknown_fields import drop_fields, unknown_fields

DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment"}


@pytest.mark.parametrize(
    ("obj", "paths"),
    [
        ({**DEPLOY, "metadata": {"name": "x", "labels": {"any.key/name": "v"}}}, []),
        ({**DEPLOY, "spec": {"replicaz": 1}}, [("spec", "replicaz")]),
        ({**DEPLOY, "bogus": 1, "metadata": {"nmae": "x"}}, [("bogus",), ("metadata", "nmae")]),
        (
            {
                **DEPLOY,
                "spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b", "imge": "x"}]}}},
            },
            [("spec", "template", "spec", "containers", 1, "imge")],
        ),
        (
            {
                **DEPLOY,
                "spec": {"template": {"spec": {"containers": [{"resources": {"limits": {"cpu": "1"}}}]}}},
            },
            [],
        ),
        (
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "spec": {
                    "containers": [{"name": "a", "$patch": "delete"}],
                    "$setElementOrder/containers": [{"name": "a"}],
                },
            },
            [],
        ),
        ({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"anything": 1}}, []),
    ],
)
def test_unknown_fields(obj: dict, paths: list[tuple]) -> None:
    assert unknown_fields(obj) == paths


def test_drop_fields_removes_exactly_them() -> None:
    obj = {**DEPLOY, "bogus": 1, "spec": {"replicas": 1, "replicaz": 2}}
    drop_fields(obj, unknown_fields(obj))
    assert obj == {**DEPLOY, "spec": {"replicas": 1}}
