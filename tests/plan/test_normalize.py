"""Normalisation: server-set fields and kapply's bookkeeping never show as changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kapply.plan.normalize import mentioned, normalize, project


def test_strips_status_and_server_metadata(cluster: Callable[..., dict], hello_deployment: dict) -> None:
    live = cluster(hello_deployment)
    out = normalize(live)
    assert "status" not in out
    assert set(out["metadata"]) == {"name", "namespace", "labels"}


@pytest.mark.parametrize(("annotations", "kept"), [
    ({"kapply.io/last-applied": "{}"}, None),
    ({"kubectl.kubernetes.io/last-applied-configuration": "{}"}, None),
    ({"deployment.kubernetes.io/revision": "3"}, None),
    ({"deployment.kubernetes.io/revision": "3", "team": "a"}, {"team": "a"}),
])
def test_strips_bookkeeping_annotations(annotations: dict, kept: dict | None) -> None:
    out = normalize({"kind": "Deployment", "metadata": {"name": "x", "annotations": annotations}})
    assert out["metadata"].get("annotations") == kept


@pytest.mark.parametrize(("labels", "kept"), [
    ({"app.kubernetes.io/managed-by": "kapply", "kapply.io/inventory": "m-1"}, None),
    ({"app.kubernetes.io/managed-by": "helm"}, {"app.kubernetes.io/managed-by": "helm"}),
    ({"app.kubernetes.io/managed-by": "kapply", "app": "x"}, {"app": "x"}),
])
def test_strips_ownership_labels_only_when_kapplys(labels: dict, kept: dict | None) -> None:
    out = normalize({"kind": "ConfigMap", "metadata": {"name": "x", "labels": labels}})
    assert out["metadata"].get("labels") == kept


def test_strips_allocated_service_fields(cluster: Callable[..., dict], hello_service: dict) -> None:
    live = cluster(hello_service)
    spec = normalize(live)["spec"]
    assert "clusterIP" not in spec and "clusterIPs" not in spec
    assert all("nodePort" not in p for p in spec["ports"])


def test_keeps_service_fields_the_file_sets(cluster: Callable[..., dict], hello_service: dict) -> None:
    hello_service["spec"]["clusterIP"] = "10.96.0.99"
    hello_service["spec"]["ports"][0]["nodePort"] = 30080
    live = cluster(hello_service)
    spec = normalize(live, desired=hello_service)["spec"]
    assert spec["clusterIP"] == "10.96.0.99"
    assert spec["ports"] == [{"port": 8080, "targetPort": 3000, "nodePort": 30080}]


def test_projection_drops_defaults_the_file_never_set(cluster: Callable[..., dict],
                                                      hello_deployment: dict) -> None:
    live = cluster(hello_deployment)
    out = normalize(live, desired=hello_deployment)
    assert "strategy" not in out["spec"] and "revisionHistoryLimit" not in out["spec"]
    container = out["spec"]["template"]["spec"]["containers"][0]
    assert "imagePullPolicy" not in container and "terminationMessagePath" not in container
    assert container["ports"] == [{"containerPort": 3000}]
    assert out == normalize(hello_deployment)


def test_projection_matches_keyed_items_by_key_not_position() -> None:
    obj = {"kind": "Pod", "spec": {"containers": [{"name": "sidecar", "image": "s"},
                                                  {"name": "app", "image": "a", "tty": False}]}}
    mask = {"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "x"}]}}
    expected = {"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "a"}]}}
    assert project(obj, mask, "Pod") == expected


def test_mentioned_is_the_union_of_file_and_last_applied() -> None:
    last = {"kind": "Deployment", "spec": {"paused": True, "template": {"spec": {"containers": [
        {"name": "a", "image": "a"}, {"name": "old", "image": "o"}]}}}}
    desired = {"kind": "Deployment", "spec": {"replicas": 2, "template": {"spec": {"containers": [
        {"name": "a", "image": "b", "args": ["x"]}]}}}}
    union = mentioned(desired, last)
    assert union["spec"]["paused"] is True and union["spec"]["replicas"] == 2
    names = [c["name"] for c in union["spec"]["template"]["spec"]["containers"]]
    assert names == ["a", "old"]
    assert union["spec"]["template"]["spec"]["containers"][0] == {"name": "a", "image": "b", "args": ["x"]}


def test_does_not_mutate(cluster: Callable[..., dict], hello_service: dict) -> None:
    live = cluster(hello_service)
    normalize(live, desired=hello_service)
    assert live["status"] and live["spec"]["clusterIP"] and live["spec"]["ports"][0]["nodePort"]


def test_projection_tolerates_malformed_merge_keys() -> None:
    obj = {"kind": "Pod", "spec": {"containers": [{"name": {"odd": 1}, "image": "a"}]}}
    assert normalize(obj, desired=obj) == obj
