"""The API server's managedFields rules on writes, and server-side apply's checks and messages.

Cases follow k8s.io/apimachinery pkg/util/managedfields/fieldmanager_test.go (TestUpdateApplyConflict,
TestApplyStripsFields, TestApplyFailsWithManagedFields, TestNoOpChanges,
TestResetManagedFieldsEmptyList, TestResetManagedFieldsEmptyItem,
TestInteropForClientSideApplyAndServerSideApply), internal/capmanagers_test.go and
k8s.io/apiserver endpoints/handlers/create_test.go (prefixFromUserAgent).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kapply.cluster.fieldmanager.apiserver import (
    BEFORE_FIRST_APPLY,
    KUBECTL_LAST_APPLIED,
    Endpoint,
    check_field_manager,
    keep_times_if_unchanged,
    manager_from_user_agent,
    record_update,
    server_side_apply,
)
from kapply.cluster.fieldmanager.fieldpath import field, from_fields_v1, to_fields_v1
from kapply.cluster.fieldmanager.managers import Manager, Owned, cap_update_managers
from kapply.errors import ApplyConflictError, BadRequestError, InvalidError
from kapply.validate.structure import root_type

DEPLOY = Endpoint("apps/v1", "Deployment", root_type("apps/v1", "Deployment"), has_status=True)
NOW = "2026-01-01T00:00:00Z"
LATER = "2026-01-01T00:05:00Z"


def deployment(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}},
                     **spec}}


def created(manager: str = "creator", **spec: Any) -> dict[str, Any]:
    obj = deployment(**spec)
    record_update(None, obj, manager, DEPLOY, NOW)
    obj["metadata"]["uid"] = "u1"
    return obj


def entries(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["manager"], e["operation"]) for e in obj["metadata"].get("managedFields") or ()]


def owned(obj: dict[str, Any], manager: str) -> Any:
    return next(from_fields_v1(e["fieldsV1"]) for e in obj["metadata"]["managedFields"]
                if e["manager"] == manager)


@pytest.mark.parametrize(("agent", "manager"), [
    ("kubectl/v1.34.1 (linux/amd64) kubernetes/93248f9", "kubectl"),
    ("kapply/0.1.0", "kapply"),
    ("OpenAPI-Generator/34.1.0/python", "OpenAPI-Generator"),
    ("", ""),
    ("no-slash", "no-slash"),
    ("bad\x00char/1", "badchar"),
    ("x" * 200, "x" * 128),
    ("é" * 100, "é" * 64),  # 128 bytes of UTF-8, not 128 characters
])
def test_manager_from_user_agent(agent: str, manager: str) -> None:
    assert manager_from_user_agent(agent) == manager


@pytest.mark.parametrize(("name", "apply", "message"), [
    ("", True, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for '
               "apply patch"),
    ("x" * 129, False, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more '
                       "than 128 bytes"),
    ("a\x01", False, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\x01": '
                     "invalid character U+0001 (at position 1)"),
])
def test_field_manager_checks(name: str, apply: bool, message: str) -> None:
    with pytest.raises(InvalidError) as err:
        check_field_manager(name, apply=apply)
    assert str(err.value) == message and err.value.code == 422
    check_field_manager("kubectl", apply=True)
    check_field_manager("", apply=False)


def test_create_records_an_update_entry_without_server_fields() -> None:
    obj = created()
    entry = obj["metadata"]["managedFields"][0]
    assert {k: entry[k] for k in ("manager", "operation", "apiVersion", "time", "fieldsType")} == {
        "manager": "creator", "operation": "Update", "apiVersion": "apps/v1", "time": NOW,
        "fieldsType": "FieldsV1"}
    fs = from_fields_v1(entry["fieldsV1"])
    assert fs.has((field("metadata"), field("labels"), field("app")))
    assert not fs.has((field("metadata"), field("name"))) and not fs.has((field("kind"),))
    assert not fs.has((field("metadata"),))  # stripmeta.go: server fields belong to nobody


def test_update_takes_changed_fields_and_removed_fields_leave_everyone() -> None:
    live = created(replicas=3, minReadySeconds=5)
    new = copy.deepcopy(live)
    new["spec"]["replicas"] = 5
    del new["spec"]["minReadySeconds"]
    record_update(live, new, "scaler", DEPLOY, LATER)
    assert entries(new) == [("creator", "Update"), ("scaler", "Update")]
    assert owned(new, "scaler").has((field("spec"), field("replicas")))
    assert not owned(new, "creator").has((field("spec"), field("replicas")))
    assert not owned(new, "creator").has((field("spec"), field("minReadySeconds")))


def test_request_without_managed_fields_keeps_the_live_ones() -> None:
    live = created()
    new = copy.deepcopy(live)
    del new["metadata"]["managedFields"]
    new["spec"]["paused"] = True
    record_update(live, new, "editor", DEPLOY, LATER)
    assert entries(new) == [("creator", "Update"), ("editor", "Update")]


@pytest.mark.parametrize("reset", [[], [{}]])
def test_an_empty_list_or_one_empty_entry_clears_managed_fields(reset: list) -> None:
    live = created()
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = reset
    record_update(live, new, "update_manager", DEPLOY, LATER)
    assert "managedFields" not in new["metadata"]


def test_updates_of_an_untracked_object_stay_untracked_until_an_apply() -> None:
    live = deployment(replicas=1)
    live["metadata"]["uid"] = "u1"
    new = copy.deepcopy(live)
    new["spec"]["replicas"] = 2
    record_update(live, new, "editor", DEPLOY, LATER)
    assert "managedFields" not in new["metadata"]
    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 4}}
    with pytest.raises(ApplyConflictError, match=r'conflict with "before-first-apply" using apps/v1: '
                                                 r"\.spec\.replicas"):
        server_side_apply(new, copy.deepcopy(config), "kapply", DEPLOY, LATER)
    applied = server_side_apply(new, config, "kapply", DEPLOY, LATER, force=True)
    assert entries(applied) == [("kapply", "Apply"), (BEFORE_FIRST_APPLY, "Update")]
    assert applied["spec"]["replicas"] == 4
    assert owned(applied, BEFORE_FIRST_APPLY).has((field("spec"), field("selector")))
    assert not owned(applied, BEFORE_FIRST_APPLY).has((field("spec"), field("replicas")))


def test_apply_conflicts_with_an_update_manager() -> None:
    """TestUpdateApplyConflict; the message as the API server prints an Update manager."""
    live = created(replicas=3)
    with pytest.raises(ApplyConflictError) as err:
        server_side_apply(live, {"apiVersion": "apps/v1", "kind": "Deployment",
                                 "metadata": {"name": "web"}, "spec": {"replicas": 101}},
                          "fieldmanager_conflict", DEPLOY, LATER)
    assert str(err.value) == ('Apply failed with 1 conflict: conflict with "creator" using apps/v1: '
                              ".spec.replicas")


def test_apply_checks_its_body() -> None:
    live = created()
    config = deployment()
    config["metadata"]["managedFields"] = [{"manager": "x"}]
    with pytest.raises(BadRequestError, match=r"metadata\.managedFields must be nil"):
        server_side_apply(live, config, "m", DEPLOY, NOW)
    with pytest.raises(BadRequestError, match="invalid object type: apps/v1, Kind=ReplicaSet"):
        server_side_apply(live, {**deployment(), "kind": "ReplicaSet"}, "m", DEPLOY, NOW)
    twice = deployment()
    twice["spec"]["template"]["spec"]["containers"].append({"name": "c", "image": "x"})
    with pytest.raises(BadRequestError, match=r'duplicate entries for key \[name="c"\]'):
        server_side_apply(live, twice, "m", DEPLOY, NOW)


def test_apply_strips_server_fields_and_status() -> None:
    config = deployment()
    config["metadata"].update(uid="b", resourceVersion="7", generation=2)
    config["status"] = {"replicas": 3}
    out = server_side_apply(None, config, "applier", DEPLOY, NOW)
    fs = owned(out, "applier")
    assert not fs.has((field("metadata"), field("uid"))) and not fs.has((field("status"),))
    assert fs.with_prefix(field("status")).empty()


def test_no_op_changes() -> None:
    """TestNoOpChanges: a new manager's identical apply adds its entry (no time); a no-op update or
    re-apply changes nothing."""
    config = deployment()
    first = server_side_apply(None, copy.deepcopy(config), "fieldmanager_test_apply", DEPLOY, NOW)
    other = server_side_apply(first, copy.deepcopy(config), "fieldmanager_test_apply_other", DEPLOY, LATER)
    # no time (the object did not change), so it sorts first
    assert entries(other) == [("fieldmanager_test_apply_other", "Apply"),
                              ("fieldmanager_test_apply", "Apply")]
    assert "time" not in other["metadata"]["managedFields"][0]
    again = server_side_apply(other, copy.deepcopy(config), "fieldmanager_test_apply", DEPLOY, LATER)
    assert again == other
    update = copy.deepcopy(other)
    record_update(other, update, "fieldmanager_test_update", DEPLOY, LATER)
    keep_times_if_unchanged(update, other)
    assert update == other


def test_keep_times_only_when_nothing_else_changed() -> None:
    old = created()
    new = copy.deepcopy(old)
    new["metadata"]["managedFields"][0]["time"] = LATER
    keep_times_if_unchanged(new, old)
    assert new == old
    new["spec"]["paused"] = True
    new["metadata"]["managedFields"][0]["time"] = LATER
    keep_times_if_unchanged(new, old)
    assert new["metadata"]["managedFields"][0]["time"] == LATER


def test_kubectl_server_side_apply_after_client_side_apply() -> None:
    """TestInteropForClientSideApplyAndServerSideApply: kubectl's first server-side apply may change
    fields whose live value still equals its last-applied-configuration; it rewrites the annotation."""
    csa = deployment(replicas=1)
    csa["metadata"]["annotations"] = {KUBECTL_LAST_APPLIED: json.dumps(csa)}
    record_update(None, csa, "kubectl-client-side-apply", DEPLOY, NOW)
    csa["metadata"]["uid"] = "u1"
    config = deployment(replicas=2)
    out = server_side_apply(csa, copy.deepcopy(config), "kubectl", DEPLOY, LATER)
    assert out["spec"]["replicas"] == 2
    assert json.loads(out["metadata"]["annotations"][KUBECTL_LAST_APPLIED]) == config
    assert out["metadata"]["annotations"][KUBECTL_LAST_APPLIED].endswith("\n")
    # another tool changed the image since: that one stays a conflict
    edited = copy.deepcopy(csa)
    edited["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    record_update(csa, edited, "kubectl-edit", DEPLOY, LATER)
    with pytest.raises(ApplyConflictError, match='conflict with "kubectl-edit" using apps/v1: '
                                                 r'.spec.template.spec.containers\[name="c"\].image'):
        server_side_apply(edited, deployment(replicas=2), "kubectl", DEPLOY, LATER)
    # any other manager gets the conflicts
    with pytest.raises(ApplyConflictError):
        server_side_apply(csa, deployment(replicas=2), "kapply", DEPLOY, LATER)


def test_status_subresource_entries_hold_only_status() -> None:
    live = created()
    new = copy.deepcopy(live)
    new["status"] = {"replicas": 1}
    new["spec"]["paused"] = True  # the status endpoint ignores other fields: not owned
    record_update(live, new, "kube-controller-manager",
                  Endpoint("apps/v1", "Deployment", DEPLOY.node, "status", True), LATER)
    entry = next(e for e in new["metadata"]["managedFields"] if e["manager"] == "kube-controller-manager")
    assert entry["subresource"] == "status"
    assert list(entry["fieldsV1"]) == ["f:status"]


def test_more_than_ten_update_managers_fold_into_ancient_changes() -> None:
    """capmanagers_test.go: the oldest Update entries of one apiVersion merge into one."""
    fs = from_fields_v1({"f:spec": {"f:replicas": {}}})
    managed = {Manager(f"m{i:02d}", "Update", "apps/v1"): Owned(fs, "apps/v1", f"2026-01-01T00:00:{i:02d}Z")
               for i in range(12)}
    managed[Manager("applier", "Apply")] = Owned(fs, "apps/v1", NOW)
    capped = cap_update_managers(managed)
    names = sorted(m.name for m in capped)
    assert len([m for m in capped if m.operation == "Update"]) == 10
    assert "ancient-changes" in names and "m00" not in names and "m02" not in names and "m11" in names
    assert "applier" in names
    assert to_fields_v1(capped[Manager("ancient-changes", "Update", "apps/v1")].fields) == {
        "f:spec": {"f:replicas": {}}}
