"""The scale subresource table: what an autoscaling/v1 Scale of each scalable kind reads."""

from __future__ import annotations

from kapply.model.scale import SCALABLE, scale_of, scale_paths, with_replicas


def test_scalable_kinds() -> None:
    assert sorted(kind for _, kind in SCALABLE) == ["Deployment", "ReplicaSet", "ReplicationController",
                                                    "StatefulSet"]
    assert scale_paths("", "ConfigMap") is None
    assert scale_paths("extensions", "Deployment") is None


def test_scale_of_label_and_map_selectors() -> None:
    deployment = {"spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["b", "a"]}]}}, "status": {"replicas": 2}}
    found = scale_of(deployment, scale_paths("apps", "Deployment"))  # type: ignore[arg-type]
    assert (found.spec_replicas, found.status_replicas) == (3, 2)
    assert found.selector_text == "app=web,tier in (a,b)"
    rc = {"spec": {"selector": {"run": "x"}}}
    found = scale_of(rc, scale_paths("", "ReplicationController"))  # type: ignore[arg-type]
    assert (found.spec_replicas, found.status_replicas, found.selector_text) == (1, 0, "run=x")
    assert scale_of({"spec": {}}, scale_paths("apps", "ReplicaSet")).selector is None  # type: ignore[arg-type]


def test_with_replicas_copies_what_it_changes() -> None:
    obj = {"metadata": {"name": "web"}, "spec": {"replicas": 1, "template": {}}}
    out = with_replicas(obj, scale_paths("apps", "Deployment"), 4)  # type: ignore[arg-type]
    assert out["spec"] == {"replicas": 4, "template": {}} and obj["spec"]["replicas"] == 1
