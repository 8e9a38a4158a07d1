"""The three-way merge: what the object looks like after `kapply apply`, field by field."""

from __future__ import annotations

import copy

import pytest

from kapply.plan.three_way import merge, satisfies, scalar_equal


def dep(spec: dict, **meta: object) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", **meta},
            "spec": spec}


def pod_spec(**fields: object) -> dict:
    return {"template": {"spec": fields}}


def env(*pairs: str) -> dict:
    return dep(pod_spec(containers=[{"name": "a", "env": [{"name": n, "value": v} for n, v in pairs]}]))


def svc(spec: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": spec}


CASES = [
    pytest.param(
        dep({"replicas": 2, "paused": True}), dep({"replicas": 2}), dep({"replicas": 2, "paused": True}),
        dep({"replicas": 2}), id="field-removed-from-file-is-removed"),
    pytest.param(
        dep({"minReadySeconds": 5}), dep({"minReadySeconds": 5}),
        dep({"minReadySeconds": 5, "revisionHistoryLimit": 10}),
        dep({"minReadySeconds": 5, "revisionHistoryLimit": 10}), id="default-never-mentioned-is-kept"),
    pytest.param(
        dep({"paused": False}), dep({"paused": False}), dep({"paused": False, "replicas": 4}),
        dep({"paused": False, "replicas": 4}), id="scaled-replicas-kept-when-file-has-none"),
    pytest.param(
        dep({"replicas": 2}), dep({"replicas": 3}), dep({"replicas": 4}),
        dep({"replicas": 3}), id="replicas-in-file-win-over-scale"),
    pytest.param(
        svc({"ports": [{"port": 80}]}), svc({"ports": [{"port": 80}]}),
        svc({"ports": [{"port": 80, "nodePort": 31000, "protocol": "TCP"}], "type": "NodePort",
             "clusterIP": "10.96.0.7"}),
        svc({"ports": [{"port": 80, "nodePort": 31000, "protocol": "TCP"}], "type": "NodePort",
             "clusterIP": "10.96.0.7"}), id="allocated-nodeport-and-clusterip-kept"),
    pytest.param(
        svc({"ports": [{"port": 80}, {"port": 443}]}), svc({"ports": [{"port": 80, "targetPort": 8080}]}),
        svc({"ports": [{"port": 80, "nodePort": 31000}, {"port": 443, "nodePort": 31001}]}),
        svc({"ports": [{"port": 80, "nodePort": 31000, "targetPort": 8080}]}),
        id="service-ports-merge-by-port-and-removed-port-goes"),
    pytest.param(
        None, svc({"type": "ClusterIP", "ports": [{"port": 80}]}),
        svc({"type": "NodePort", "ports": [{"port": 80, "nodePort": 31000}], "clusterIP": "10.96.0.7"}),
        svc({"type": "ClusterIP", "ports": [{"port": 80}], "clusterIP": "10.96.0.7"}),
        id="nodeport-dropped-when-type-no-longer-uses-it"),
    pytest.param(
        dep(pod_spec(containers=[{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}])),
        dep(pod_spec(containers=[{"name": "b", "image": "b:2"}])),
        dep(pod_spec(containers=[
            {"name": "a", "image": "a:1", "imagePullPolicy": "IfNotPresent"},
            {"name": "b", "image": "b:1", "imagePullPolicy": "IfNotPresent"},
            {"name": "istio-proxy", "image": "proxy:1"}])),
        dep(pod_spec(containers=[
            {"name": "b", "image": "b:2", "imagePullPolicy": "IfNotPresent"},
            {"name": "istio-proxy", "image": "proxy:1"}])),
        id="containers-merge-by-name-injected-sidecar-kept-removed-container-goes"),
    pytest.param(
        env(("X", "1"), ("Y", "2")), env(("Y", "3"), ("Z", "4")), env(("X", "1"), ("Y", "2"), ("Q", "5")),
        env(("Y", "3"), ("Z", "4"), ("Q", "5")),
        id="env-merges-by-name"),
    pytest.param(
        dep(pod_spec(containers=[{"name": "a", "ports": [{"containerPort": 80}]}])),
        dep(pod_spec(containers=[{"name": "a", "ports": [{"containerPort": 80, "name": "http"}]}])),
        dep(pod_spec(containers=[{"name": "a", "ports": [{"containerPort": 80, "protocol": "TCP"}]}])),
        dep(pod_spec(containers=[{"name": "a", "ports": [
            {"containerPort": 80, "protocol": "TCP", "name": "http"}]}])),
        id="container-ports-merge-by-containerPort"),
    pytest.param(
        dep(pod_spec(volumes=[{"name": "v", "configMap": {"name": "c"}}])),
        dep(pod_spec(volumes=[{"name": "v", "configMap": {"name": "c"}}])),
        dep(pod_spec(volumes=[{"name": "v", "configMap": {"name": "c", "defaultMode": 420}}])),
        dep(pod_spec(volumes=[{"name": "v", "configMap": {"name": "c", "defaultMode": 420}}])),
        id="volumes-merge-by-name-defaultMode-kept"),
    pytest.param(
        dep(pod_spec(tolerations=[{"key": "a", "operator": "Exists"}])),
        dep(pod_spec(tolerations=[{"key": "b", "operator": "Exists"}])),
        dep(pod_spec(tolerations=[{"key": "a", "operator": "Exists"}, {"key": "c", "operator": "Exists"}])),
        dep(pod_spec(tolerations=[{"key": "b", "operator": "Exists"}])),
        id="tolerations-are-atomic"),
    pytest.param(
        dep(pod_spec(containers=[{"name": "a", "args": ["--x", "--y"]}])),
        dep(pod_spec(containers=[{"name": "a", "args": ["--x"]}])),
        dep(pod_spec(containers=[{"name": "a", "args": ["--x", "--y"]}])),
        dep(pod_spec(containers=[{"name": "a", "args": ["--x"]}])),
        id="args-list-replaced-whole"),
    pytest.param(
        dep({"replicas": 2, "paused": True}), dep({"replicas": 2, "paused": None}),
        dep({"replicas": 2, "paused": True}), dep({"replicas": 2}), id="explicit-null-clears"),
    pytest.param(
        None, dep({"revisionHistoryLimit": None}), dep({"revisionHistoryLimit": 10, "replicas": 1}),
        dep({"replicas": 1}), id="explicit-null-clears-without-last-applied"),
    pytest.param(
        dep({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}),
        dep({"strategy": {"type": "RollingUpdate"}}),
        dep({"strategy": {"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}}),
        dep({"strategy": {"type": "RollingUpdate"}}),
        id="map-removed-from-file-goes-whole-as-kubectl-does"),
    pytest.param(
        dep({"template": {"metadata": {"labels": {"a": "1", "b": "2"}}}}),
        dep({"template": {"metadata": {"labels": {"a": "3"}}}}),
        dep({"template": {"metadata": {"labels": {"a": "1", "b": "2", "c": "9"},
                                       "annotations": {"x": "y"}}}}),
        dep({"template": {"metadata": {"labels": {"a": "3", "c": "9"}, "annotations": {"x": "y"}}}}),
        id="nested-maps-field-removed-and-changed-unmentioned-siblings-kept"),
    pytest.param(
        dep({"strategy": {"rollingUpdate": {"maxSurge": 1}}}),
        dep({"strategy": {"rollingUpdate": {"maxSurge": 1}}}),
        dep({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}),
        dep({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}),
        id="unchanged-union-type-keeps-defaulted-members"),
    pytest.param(
        None, dep({"replicas": 2}), dep({"replicas": 3, "paused": True}),
        dep({"replicas": 2, "paused": True}),
        id="no-last-applied-removes-nothing"),
    pytest.param(
        dep({}, labels={"a": "1", "b": "2"}), dep({}, labels={"a": "1"}),
        dep({}, labels={"a": "1", "b": "2", "added-by-someone": "x"}),
        dep({}, labels={"a": "1", "added-by-someone": "x"}), id="labels-map-merge"),
    pytest.param(
        dep(pod_spec(containers=[{"name": "a", "resources": {"limits": {"cpu": "0.5"}}}])),
        dep(pod_spec(containers=[{"name": "a", "resources": {"limits": {"cpu": "0.5"}}}])),
        dep(pod_spec(containers=[{"name": "a", "resources": {"limits": {"cpu": "500m"}}}])),
        dep(pod_spec(containers=[{"name": "a", "resources": {"limits": {"cpu": "500m"}}}])),
        id="equal-quantity-keeps-server-spelling"),
    pytest.param(
        dep(pod_spec(containers=[{"name": "a", "volumeMounts": [{"mountPath": "/a", "name": "v"}]}])),
        dep(pod_spec(containers=[{"name": "a", "volumeMounts": [{"mountPath": "/a", "name": "w"}]}])),
        dep(pod_spec(containers=[{"name": "a", "volumeMounts": [{"mountPath": "/a", "name": "v"},
                                                                  {"mountPath": "/b", "name": "x"}]}])),
        dep(pod_spec(containers=[{"name": "a", "volumeMounts": [{"mountPath": "/a", "name": "w"},
                                                                  {"mountPath": "/b", "name": "x"}]}])),
        id="volumeMounts-merge-by-mountPath"),
    pytest.param(
        dep({"strategy": {"type": "RollingUpdate"}}), dep({"strategy": {"type": "Recreate"}}),
        dep({"strategy": {"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}),
        dep({"strategy": {"type": "Recreate"}}), id="strategy-recreate-clears-rollingUpdate-retainKeys"),
    pytest.param(
        dep(pod_spec(volumes=[{"name": "v", "configMap": {"name": "c"}}])),
        dep(pod_spec(volumes=[{"name": "v", "secret": {"secretName": "s"}}])),
        dep(pod_spec(volumes=[{"name": "v", "configMap": {"name": "c", "defaultMode": 420}}])),
        dep(pod_spec(volumes=[{"name": "v", "secret": {"secretName": "s"}}])),
        id="volume-source-switch-clears-old-source-retainKeys"),
    pytest.param(
        dep({}, finalizers=["a", "b"]), dep({}, finalizers=["a"]),
        dep({}, finalizers=["a", "b", "foreground"]), dep({}, finalizers=["a", "foreground"]),
        id="finalizers-are-a-merged-set"),
]


@pytest.mark.parametrize(("last", "desired", "live", "expected"), CASES)
def test_merge(last: dict | None, desired: dict, live: dict, expected: dict) -> None:
    before = copy.deepcopy((last, desired, live))
    assert merge(last, desired, live) == expected
    assert (last, desired, live) == before, "merge must not mutate its inputs"


def test_keyed_list_with_duplicate_keys_is_replaced_whole() -> None:
    ports = [{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]
    live = svc({"ports": [{"port": 53, "protocol": "TCP", "nodePort": 30053}]})
    assert merge(None, svc({"ports": ports}), live)["spec"]["ports"] == ports


def test_atomic_list_satisfied_by_live_defaults_is_kept() -> None:
    """A NetworkPolicy port the server defaulted (`protocol: TCP`) is not rewritten on every apply."""
    desired = {"kind": "NetworkPolicy", "spec": {"ingress": [{"ports": [{"port": 80}]}]}}
    live = {"kind": "NetworkPolicy", "spec": {"ingress": [{"ports": [{"port": 80, "protocol": "TCP"}]}]}}
    assert merge(desired, desired, live) == live


def test_atomic_list_changed_in_file_is_replaced_even_if_live_satisfies() -> None:
    """Removing `protocol: UDP` from the file must reach the cluster."""
    last = {"kind": "NetworkPolicy", "spec": {"ingress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}}
    desired = {"kind": "NetworkPolicy", "spec": {"ingress": [{"ports": [{"port": 53}]}]}}
    live = {"kind": "NetworkPolicy", "spec": {"ingress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}}
    assert merge(last, desired, live)["spec"]["ingress"] == [{"ports": [{"port": 53}]}]


def test_atomic_list_drift_in_mentioned_field_is_corrected() -> None:
    desired = dep(pod_spec(containers=[{"name": "a", "args": ["--x"]}]))
    live = dep(pod_spec(containers=[{"name": "a", "args": ["--hacked"]}]))
    merged = merge(desired, desired, live)
    assert merged["spec"]["template"]["spec"]["containers"][0]["args"] == ["--x"]


def test_new_field_copied_without_nulls() -> None:
    desired = dep({"strategy": {"type": "Recreate", "rollingUpdate": None}})
    assert merge(None, desired, dep({}))["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.parametrize(("a", "b", "quantities", "equal"), [
    (1, 1, False, True),
    (1, 1.0, False, True),
    (True, 1, False, False),
    ("1", 1, False, False),
    ("0.5", "500m", True, True),
    ("1Gi", "1024Mi", True, True),
    ("1", 1, True, True),
    ("0.5", "500m", False, False),
    ("abc", "abc", True, True),
    ("abc", "abd", True, False),
])
def test_scalar_equal(a: object, b: object, quantities: bool, equal: bool) -> None:
    assert scalar_equal(a, b, quantities) is equal


@pytest.mark.parametrize(("desired", "live", "ok"), [
    ({"a": 1}, {"a": 1, "b": 2}, True),
    ({"a": 1}, {"a": 2}, False),
    ({"a": None}, {"a": 1}, False),
    ({"a": None}, {}, True),
    ([{"p": 1}], [{"p": 1, "q": 2}], True),
    ([{"p": 1}], [{"p": 1}, {"p": 2}], False),
])
def test_satisfies(desired: object, live: object, ok: bool) -> None:
    assert satisfies(desired, live) is ok
