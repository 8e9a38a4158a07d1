"""Merge patch (RFC 7386) and strategic merge for named lists; field selectors; clock helpers."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.fields import matches_fields, parse_field_selector
from kapply.cluster.sim.clock import parse_rfc3339, rfc3339, target_time
from kapply.cluster.sim.patch import merge_patch, strategic_merge
from kapply.errors import UsageError
from kapply.validate.structure import root_type

POD_TYPE = root_type("v1", "Pod")
SERVICE_TYPE = root_type("v1", "Service")


@pytest.mark.parametrize(("target", "patch", "result"), [  # RFC 7386 appendix A
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_merge_patch_rfc7386(target: Any, patch: Any, result: Any) -> None:
    assert merge_patch(target, patch) == result


def test_strategic_merge_keys_containers_env_ports() -> None:
    target = {"spec": {"containers": [
        {"name": "a", "image": "x:1", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
         "ports": [{"containerPort": 80, "name": "http"}]},
        {"name": "b", "image": "y:1"}]}}
    patch = {"spec": {"containers": [
        {"name": "a", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
         "ports": [{"containerPort": 443, "name": "https"}]},
        {"name": "b", "$patch": "delete"},
        {"name": "c", "image": "z:1"}]}}
    out = strategic_merge(target, patch, POD_TYPE)
    containers = out["spec"]["containers"]
    assert [c["name"] for c in containers] == ["a", "c"]
    assert containers[0]["image"] == "x:1"
    assert containers[0]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"},
                                    {"name": "C", "value": "4"}]
    assert [p["containerPort"] for p in containers[0]["ports"]] == [80, 443]
    assert target["spec"]["containers"][1]["name"] == "b"  # input untouched


def test_strategic_merge_service_ports_by_port_and_finalizers_as_set() -> None:
    target = {"metadata": {"finalizers": ["a"]},
              "spec": {"ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "x"}}}
    out = strategic_merge(target, {"metadata": {"finalizers": ["a", "b"]},
                                   "spec": {"ports": [{"port": 80, "targetPort": 9090}],
                                            "selector": {"app": None, "tier": "web"}}}, SERVICE_TYPE)
    assert out["metadata"]["finalizers"] == ["a", "b"]
    assert out["spec"]["ports"] == [{"port": 80, "targetPort": 9090}]
    assert out["spec"]["selector"] == {"tier": "web"}


def test_strategic_merge_unkeyed_lists_replace_and_patch_replace() -> None:
    target = {"spec": {"containers": [{"name": "a", "args": ["a", "b"]}, {"name": "b"}]}}
    out = strategic_merge(target, {"spec": {"containers": [{"name": "a", "args": ["c"]}]}}, POD_TYPE)
    assert out["spec"]["containers"][0]["args"] == ["c"]
    out = strategic_merge(target, {"spec": {"containers": [{"name": "z"}, {"$patch": "replace"}]}}, POD_TYPE)
    assert out["spec"]["containers"] == [{"name": "z"}]


POD = {"metadata": {"name": "p", "namespace": "default"}, "spec": {"nodeName": "n1"},
       "status": {"phase": "Running"}}


@pytest.mark.parametrize(("selector", "matches"), [
    ("spec.nodeName=n1", True), ("spec.nodeName==n1", True), ("spec.nodeName!=n1", False),
    ("status.phase=Running,metadata.name=p", True), ("metadata.namespace=kube-system", False),
    ("status.phase=Pending", False), ("", True),
])
def test_field_selectors(selector: str, matches: bool) -> None:
    assert matches_fields(POD, parse_field_selector("Pod", selector)) is matches


def test_unsupported_field_selector() -> None:
    with pytest.raises(UsageError, match=r"^field label not supported: spec\.nodeName$"):
        parse_field_selector("ConfigMap", "spec.nodeName=x")


def test_rfc3339_round_trip_and_target_time() -> None:
    assert rfc3339(1_767_225_600.9) == "2026-01-01T00:00:00Z"
    assert parse_rfc3339("2026-01-02T03:04:05Z") == 1_767_323_045.0
    assert target_time(wall=100, offset=50, reached=120, manual=False) == 150
    assert target_time(wall=100, offset=0, reached=120, manual=False) == 120  # never backwards
    assert target_time(wall=500, offset=0, reached=120, manual=True) == 120
