"""Server-side apply, managedFields and the four patch types through the embedded cluster."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kapply.cluster.fieldmanager.csaupgrade import (
    KAPPLY_LAST_APPLIED,
    KUBECTL_CSA_MANAGER,
    takeover_patch,
    upgrade_managed_fields,
    upgrade_patch,
)
from kapply.cluster.fieldmanager.fieldpath import field, from_fields_v1
from kapply.cluster.protocol import ServerSideApply
from kapply.cluster.sim.cluster import SimCluster
from kapply.errors import ApplyConflictError, BadRequestError, InvalidError, NotFoundError

KUBECTL_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def configmap(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
            "data": data}


def deployment(replicas: int | None = 2, image: str = "nginx:1", **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}},
                                         "spec": {"containers": [{"name": "web", "image": image, **extra}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"}, "spec": spec}


def managers(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["manager"], e["operation"]) for e in obj["metadata"].get("managedFields") or ()]


def owned(obj: dict[str, Any], manager: str, operation: str = "Apply") -> Any:
    return next(from_fields_v1(e["fieldsV1"]) for e in obj["metadata"]["managedFields"]
                if e["manager"] == manager and e["operation"] == operation)


def test_the_embedded_cluster_applies_server_side(cluster: SimCluster) -> None:
    assert isinstance(cluster, ServerSideApply)


def test_apply_creates_defaults_and_owns_only_the_configuration(cluster: SimCluster) -> None:
    out = cluster.apply(deployment(), field_manager="kapply")
    assert out["spec"]["strategy"]["type"] == "RollingUpdate"  # defaulted after the merge
    assert out["metadata"]["uid"] and out["metadata"]["generation"] == 1
    assert managers(out) == [("kapply", "Apply")]
    fs = owned(out, "kapply")
    assert fs.has((field("spec"), field("replicas")))
    assert fs.with_prefix(field("spec")).with_prefix(field("strategy")).empty()
    assert cluster.get("Deployment", "default", "web")["metadata"]["managedFields"] == \
        out["metadata"]["managedFields"]


def test_reapplying_writes_nothing(cluster: SimCluster) -> None:
    cluster.apply(configmap(a="1"), field_manager="kapply")
    before = cluster.resource_version()
    again = cluster.apply(configmap(a="1"), field_manager="kapply")
    assert cluster.resource_version() == before
    assert again == cluster.get("ConfigMap", "default", "cfg")


def test_two_managers_conflict_and_force_takes_over(cluster: SimCluster) -> None:
    cluster.apply(deployment(replicas=2), field_manager="alice")
    with pytest.raises(ApplyConflictError) as err:
        cluster.apply(deployment(replicas=5), field_manager="bob")
    assert str(err.value) == 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    assert err.value.code == 409
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 2
    out = cluster.apply(deployment(replicas=5), field_manager="bob", force=True)
    assert out["spec"]["replicas"] == 5
    assert not owned(out, "alice").has((field("spec"), field("replicas")))
    # alice drops replicas: bob still sets it, so it stays
    out = cluster.apply(deployment(replicas=None), field_manager="alice")
    assert out["spec"]["replicas"] == 5
    # bob drops it too: nobody sets it, it goes, and the server defaults it again
    out = cluster.apply(deployment(replicas=None), field_manager="bob")
    assert out["spec"]["replicas"] == 1


def test_an_update_manager_conflicts_until_forced(cluster: SimCluster) -> None:
    cluster.apply(deployment(replicas=2), field_manager="kapply")
    cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 7}}, "merge",
                  field_manager="kubectl")
    with pytest.raises(ApplyConflictError, match=r'conflict with "kubectl" using apps/v1: \.spec\.replicas'):
        cluster.apply(deployment(replicas=3), field_manager="kapply")
    same_value = cluster.apply(deployment(replicas=7), field_manager="kapply")  # no conflict: equal
    assert same_value["spec"]["replicas"] == 7


def test_kubectl_client_side_object_is_taken_over(cluster: SimCluster) -> None:
    """A `kubectl apply` object upgraded as kubectl does, then applied server-side by kapply: a field
    dropped from the file goes, nothing is owned twice."""
    desired = deployment(replicas=2, env=[{"name": "A", "value": "1"}])
    created = copy.deepcopy(desired)
    created["metadata"]["annotations"] = {KUBECTL_LAST_APPLIED: json.dumps(desired) + "\n"}
    cluster.create(created, field_manager=KUBECTL_CSA_MANAGER)
    live = cluster.get("Deployment", "default", "web")  # the controllers have written status since
    assert managers(live) == [(KUBECTL_CSA_MANAGER, "Update")]  # their writes are not tracked
    entries = upgrade_managed_fields(live, {KUBECTL_CSA_MANAGER}, "kapply")
    assert entries is not None
    live = cluster.patch("Deployment", "default", "web", upgrade_patch(live, entries), "json",
                         field_manager="kapply")
    assert managers(live) == [("kapply", "Apply")]
    out = cluster.apply(deployment(replicas=2), field_manager="kapply")
    assert "env" not in out["spec"]["template"]["spec"]["containers"][0]
    assert managers(out) == [("kapply", "Apply")]
    out = cluster.get("Deployment", "default", "web")
    assert out["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1"


def test_kapply_client_side_object_is_taken_over(cluster: SimCluster) -> None:
    """An object kapply applied client-side (its record annotation, `kapply` Update entry), then
    scaled by `kapply scale`: server-side apply of the file without the env var removes it, and
    keeps the scaled replicas the file never set."""
    desired = deployment(replicas=None, env=[{"name": "A", "value": "1"}])
    created = copy.deepcopy(desired)
    created["metadata"]["annotations"] = {KAPPLY_LAST_APPLIED: json.dumps(desired, separators=(",", ":"))}
    cluster.create(created)
    cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 4}}, "merge")
    live = cluster.get("Deployment", "default", "web")
    assert managers(live) == [("kapply", "Update")]
    patch = takeover_patch(live, "kapply")
    assert patch is not None
    cluster.patch("Deployment", "default", "web", patch, "json")
    assert takeover_patch(cluster.get("Deployment", "default", "web"), "kapply") is None  # done once
    out = cluster.apply(deployment(replicas=None), field_manager="kapply")
    assert "env" not in out["spec"]["template"]["spec"]["containers"][0]
    assert out["spec"]["replicas"] == 4
    assert sorted(managers(out)) == [("kapply", "Apply"), ("kapply", "Update")]
    assert owned(out, "kapply").intersection(owned(out, "kapply", "Update")).empty()


def test_the_merged_object_is_admitted(cluster: SimCluster) -> None:
    cluster.apply(deployment(replicas=2), field_manager="kapply")
    with pytest.raises(InvalidError, match=r"spec\.replicas: Invalid value: -1"):
        cluster.apply(deployment(replicas=-1), field_manager="kapply")
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 2
    missing_ns = deployment()
    missing_ns["metadata"]["namespace"] = "nope"
    with pytest.raises(NotFoundError, match='namespaces "nope" not found'):
        cluster.apply(missing_ns, field_manager="kapply")


def test_dry_run_stores_nothing(cluster: SimCluster) -> None:
    out = cluster.apply(configmap(a="1"), field_manager="kapply", dry_run=True)
    assert out["data"] == {"a": "1"} and managers(out) == [("kapply", "Apply")]
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "cfg")


def test_apply_needs_a_field_manager(cluster: SimCluster) -> None:
    with pytest.raises(InvalidError, match="fieldManager: Required value: is required for apply patch"):
        cluster.apply(configmap(a="1"), field_manager="")


def test_writes_record_their_manager(cluster: SimCluster) -> None:
    cluster.create(configmap(a="1"))
    cm = cluster.update({**cluster.get("ConfigMap", "default", "cfg"), "data": {"a": "1", "b": "2"}},
                        field_manager="editor")
    assert managers(cm) == [("editor", "Update"), ("kapply", "Update")] or \
        managers(cm) == [("kapply", "Update"), ("editor", "Update")]
    assert owned(cm, "editor", "Update") == from_fields_v1({"f:data": {"f:b": {}}})
    with pytest.raises(InvalidError, match="fieldManager: Too long"):
        cluster.update(cm, field_manager="x" * 129)


def test_four_patch_types(cluster: SimCluster) -> None:
    cluster.create(configmap(a="1"))
    out = cluster.patch("ConfigMap", "default", "cfg", [{"op": "add", "path": "/data/b", "value": "2"}],
                        "json")
    assert out["data"] == {"a": "1", "b": "2"}
    out = cluster.patch("ConfigMap", "default", "cfg", {"data": {"a": None}}, "merge")
    assert out["data"] == {"b": "2"}
    out = cluster.patch("ConfigMap", "default", "cfg", {"data": {"c": "3"}}, "strategic")
    assert out["data"] == {"b": "2", "c": "3"}
    out = cluster.patch("ConfigMap", "default", "cfg", {"apiVersion": "v1", "kind": "ConfigMap",
                                                        "data": {"d": "4"}}, "apply", field_manager="me")
    assert out["data"] == {"b": "2", "c": "3", "d": "4"} and ("me", "Apply") in managers(out)
    with pytest.raises(InvalidError, match="force: Forbidden: may not be specified for non-apply patch"):
        cluster.patch("ConfigMap", "default", "cfg", {"data": {}}, "merge", force=True)
    with pytest.raises(BadRequestError, match="does not match the name on the URL"):
        cluster.patch("ConfigMap", "default", "cfg", {"apiVersion": "v1", "kind": "ConfigMap",
                                                      "metadata": {"name": "other"}}, "apply",
                      field_manager="me")
    with pytest.raises(InvalidError, match="testing value /data/b failed: test failed"):
        cluster.patch("ConfigMap", "default", "cfg", [{"op": "test", "path": "/data/b", "value": "9"}],
                      "json")
    with pytest.raises(BadRequestError, match="invalid object type: /v1, Kind=Secret"):
        cluster.patch("ConfigMap", "default", "cfg", {"apiVersion": "v1", "kind": "Secret"}, "apply",
                      field_manager="me")
    with pytest.raises(BadRequestError, match="unsupported patch type"):
        cluster.patch("ConfigMap", "default", "cfg", {}, "yaml")


def test_readiness_gates_are_replaced_not_duplicated(cluster: SimCluster) -> None:
    """Issue 11: readinessGates is an atomic list; patching it used to duplicate entries."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "x"}],
                    "readinessGates": [{"conditionType": "example.com/a"}]}}
    cluster.create(pod)
    out = cluster.patch("Pod", "default", "p",
                        {"spec": {"readinessGates": [{"conditionType": "example.com/a"}]}}, "strategic")
    assert out["spec"]["readinessGates"] == [{"conditionType": "example.com/a"}]


def test_node_addresses_merge_by_type(cluster: SimCluster) -> None:
    node = cluster.list("Node")[0]
    name = node["metadata"]["name"]
    internal = next(a for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    out = cluster.patch("Node", "", name, {"status": {"addresses": [
        {"type": "InternalIP", "address": "10.0.0.99"}]}}, "strategic")
    addresses = [a for a in out["status"]["addresses"] if a["type"] == "InternalIP"]
    assert addresses == [{"type": "InternalIP", "address": "10.0.0.99"}] != [internal]


def test_status_writes_record_a_status_subresource_entry(cluster: SimCluster) -> None:
    quota = {"apiVersion": "v1", "kind": "ResourceQuota",  # nothing in the cluster writes its status
             "metadata": {"name": "pods", "namespace": "default"}, "spec": {"hard": {"pods": "10"}}}
    cluster.apply(quota, field_manager="kapply")
    live = cluster.get("ResourceQuota", "default", "pods")
    out = cluster.update_status({**live, "status": {"used": "3"}}, field_manager="binder")
    entry = next(e for e in out["metadata"]["managedFields"] if e["manager"] == "binder")
    assert entry["subresource"] == "status"
    assert entry["fieldsV1"] == {"f:status": {".": {}, "f:used": {}}}  # status was added whole
    assert managers(out) == [("kapply", "Apply"), ("binder", "Update")]
