"""Client-side to server-side apply: kubectl's managedFields upgrade and kapply's record take-over.

The kubectl cases follow k8s.io/client-go util/csaupgrade/upgrade_test.go (TestUpgradeCSA:
csa-basic-direct-conversion, csa-combine-with-ssa-duplicate-keys,
csa-combine-with-ssa-additional-keys, noop).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kapply.cluster.fieldmanager.apiserver import Endpoint, record_update, server_side_apply
from kapply.cluster.fieldmanager.csaupgrade import (
    KAPPLY_LAST_APPLIED,
    KUBECTL_CSA_MANAGER,
    take_over_last_applied,
    upgrade_managed_fields,
    upgrade_patch,
)
from kapply.cluster.fieldmanager.fieldpath import field, from_fields_v1
from kapply.validate.structure import root_type

DATA = {"f:data": {".": {}, "f:key": {}, "f:legacy": {}},
        "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}


def configmap(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "test", "namespace": "default", "resourceVersion": "1",
                         "managedFields": list(entries)},
            "data": {}}


def entry(manager: str, operation: str, fields: dict, time: str = "2022-08-22T23:08:23Z") -> dict:
    return {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": fields, "manager": manager,
            "operation": operation, "time": time}


def test_csa_entry_becomes_the_ssa_entry() -> None:
    obj = configmap(entry(KUBECTL_CSA_MANAGER, "Update", DATA))
    out = upgrade_managed_fields(obj, {KUBECTL_CSA_MANAGER}, "kubectl")
    assert out == [entry("kubectl", "Apply", DATA)]
    assert upgrade_patch(obj, out) == [
        {"op": "replace", "path": "/metadata/managedFields", "value": out},
        {"op": "replace", "path": "/metadata/resourceVersion", "value": "1"}]


def test_csa_entry_folds_into_an_existing_ssa_entry() -> None:
    ssa = entry("kubectl", "Apply", DATA, "2022-08-23T23:08:23Z")
    obj = configmap(ssa, entry(KUBECTL_CSA_MANAGER, "Update", DATA))
    assert upgrade_managed_fields(obj, {KUBECTL_CSA_MANAGER}, "kubectl") == [ssa]


def test_keys_only_the_csa_entry_had_are_kept() -> None:
    only_key = {"f:data": {".": {}, "f:key": {}}}
    ssa = entry("kubectl", "Apply", only_key, "2022-08-23T23:08:23Z")
    obj = configmap(ssa, entry(KUBECTL_CSA_MANAGER, "Update", DATA))
    out = upgrade_managed_fields(obj, {KUBECTL_CSA_MANAGER}, "kubectl")
    assert out is not None and len(out) == 1
    assert from_fields_v1(out[0]["fieldsV1"]) == from_fields_v1(DATA)


def test_nothing_to_upgrade_is_none() -> None:
    obj = configmap(entry("kubectl", "Apply", DATA))
    assert upgrade_managed_fields(obj, {KUBECTL_CSA_MANAGER}, "kubectl") is None
    assert upgrade_managed_fields(configmap(), {KUBECTL_CSA_MANAGER}, "kubectl") is None


# ---- kapply's record ------------------------------------------------------------------------------

DEPLOY = Endpoint("apps/v1", "Deployment", root_type("apps/v1", "Deployment"), has_status=True)


def deployment(replicas: int | None = None, image: str = "nginx:1", env: bool = True) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "c", "image": image}
    if env:
        container["env"] = [{"name": "A", "value": "1"}]
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}},
                                         "spec": {"containers": [container]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"}, "spec": spec}


def kapply_csa(desired: dict[str, Any]) -> dict[str, Any]:
    """An object as kapply's client-side apply leaves it: created by `kapply`, with its record
    and a defaulted replicas it never set."""
    obj = copy.deepcopy(desired)
    obj["metadata"]["annotations"] = {KAPPLY_LAST_APPLIED: json.dumps(desired, separators=(",", ":"))}
    obj["spec"].setdefault("replicas", 1)
    record_update(None, obj, "kapply", DEPLOY, "2026-01-01T00:00:00Z")
    obj["metadata"]["uid"] = "u1"
    return obj


def test_take_over_moves_only_the_recorded_fields() -> None:
    live = kapply_csa(deployment())
    entries = take_over_last_applied(live, DEPLOY.node, "kapply", {"kapply"})
    assert entries is not None
    assert [(e["manager"], e["operation"]) for e in entries] == [("kapply", "Apply"), ("kapply", "Update")]
    applied = from_fields_v1(entries[0]["fieldsV1"])
    kept = from_fields_v1(entries[1]["fieldsV1"])
    assert applied.has((field("spec"), field("selector")))
    assert not applied.has((field("spec"), field("replicas")))  # never in the file
    assert kept.has((field("spec"), field("replicas")))
    assert kept.intersection(applied).empty()  # nothing owned twice


def test_after_take_over_a_field_dropped_from_the_file_goes_and_nothing_else_does() -> None:
    live = kapply_csa(deployment())
    live["metadata"]["managedFields"] = take_over_last_applied(live, DEPLOY.node, "kapply", {"kapply"})
    out = server_side_apply(live, deployment(env=False), "kapply", DEPLOY, "2026-01-01T00:01:00Z")
    container = out["spec"]["template"]["spec"]["containers"][0]
    assert "env" not in container  # dropped from the file: removed
    assert out["spec"]["replicas"] == 1  # never in the file: kept
    assert out["metadata"]["annotations"][KAPPLY_LAST_APPLIED]  # kept: another kapply owns it
    same = server_side_apply(out, deployment(env=False), "kapply", DEPLOY, "2026-01-01T00:02:00Z")
    assert same == out  # and the next apply is a no-op


def test_a_field_changed_since_the_record_stays_with_its_new_owner() -> None:
    live = kapply_csa(deployment())
    edited = copy.deepcopy(live)
    edited["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    record_update(live, edited, "kubectl-edit", DEPLOY, "2026-01-01T00:00:30Z")
    entries = take_over_last_applied(edited, DEPLOY.node, "kapply", {"kapply"})
    assert entries is not None
    applied = from_fields_v1(entries[0]["fieldsV1"])
    image = (field("spec"), field("template"), field("spec"), field("containers"))
    assert not applied.with_prefix(image[0]).with_prefix(image[1]).with_prefix(image[2]) \
        .with_prefix(image[3]).empty()
    assert not any(p[-1] == field("image") for p in applied.paths())


def test_no_record_nothing_to_take_over() -> None:
    live = kapply_csa(deployment())
    del live["metadata"]["annotations"]
    assert take_over_last_applied(live, DEPLOY.node, "kapply", {"kapply"}) is None
    live["metadata"]["annotations"] = {KAPPLY_LAST_APPLIED: "{not json"}
    assert take_over_last_applied(live, DEPLOY.node, "kapply", {"kapply"}) is None
