"""CustomResourceDefinitions served by the embedded cluster: established, their custom resources
stored, listed, watched, validated, defaulted and pruned, and cleaned up with the CRD.

Conditions and messages from apiextensions-apiserver: pkg/controller/status/naming_controller.go,
pkg/controller/establish/establishing_controller.go, pkg/controller/finalizer/crd_finalizer.go,
pkg/registry/customresourcedefinition/etcd.go.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.home import open_cluster
from kapply.errors import AmbiguousKindError, InvalidError, MethodNotAllowedError, NotFoundError

CRD = "CustomResourceDefinition"
NAME = "crontabs.stable.example.com"


def conditions(obj: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in obj["status"]["conditions"]}


def test_an_applied_crd_is_established(cluster: SimCluster, crontab_crd: dict[str, Any]) -> None:
    cluster.create(crontab_crd)
    crd = cluster.get(CRD, "", NAME)
    assert conditions(crd) == {
        "NamesAccepted": ("True", "NoConflicts", "no conflicts found"),
        "Established": ("True", "InitialNamesAccepted", "the initial names have been accepted"),
    }
    assert crd["status"]["acceptedNames"] == {
        "plural": "crontabs", "singular": "crontab", "shortNames": ["ct"], "kind": "CronTab",
        "listKind": "CronTabList"}
    assert crd["status"]["storedVersions"] == ["v1"]
    assert crd["spec"]["conversion"] == {"strategy": "None"}
    served = {(k.group, k.kind): k for k in cluster.served_kinds()}
    info = served[("stable.example.com", "CronTab")]
    assert (info.plural, info.short_names, info.namespaced, info.subresources) == (
        "crontabs", ("ct",), True, ("scale", "status"))
    assert [c.name for c in info.printer_columns] == ["Spec", "Replicas", "Age"]


def test_custom_resources_are_stored_listed_and_deleted(cluster: SimCluster, crontab_crd: dict[str, Any],
                                                        crontab: dict[str, Any]) -> None:
    cluster.create(crontab_crd)
    created = cluster.create(crontab)
    assert created["metadata"]["namespace"] == "default"
    assert created["metadata"]["generation"] == 1
    assert created["spec"]["replicas"] == 1  # the schema's default
    assert cluster.get("CronTab", "default", "my-new-cron-object", group="stable.example.com") == created
    assert [o["metadata"]["name"] for o in cluster.list("CronTab")] == ["my-new-cron-object"]
    assert cluster.delete("CronTab", "default", "my-new-cron-object") is None
    gone = re.escape('crontabs.stable.example.com "my-new-cron-object" not found')
    with pytest.raises(NotFoundError, match=gone):
        cluster.get("CronTab", "default", "my-new-cron-object")


def test_a_kind_is_served_only_once_its_crd_is(cluster: SimCluster, crontab: dict[str, Any]) -> None:
    with pytest.raises(NotFoundError, match=re.escape('no matches for kind "CronTab" in version '
                                                      '"stable.example.com/v1"')):
        cluster.create(crontab)
    with pytest.raises(NotFoundError, match='the server doesn\'t have a resource type "CronTab"'):
        cluster.list("CronTab")


def test_the_state_file_serves_custom_resources_to_another_process(
        cluster: SimCluster, crontab_crd: dict[str, Any], crontab: dict[str, Any], tmp_path: Any) -> None:
    cluster.create(crontab_crd)
    cluster.create(crontab)
    other = open_cluster("test", home=tmp_path, clock=cluster.clock)
    assert [o["metadata"]["name"] for o in other.list("CronTab", "default")] == ["my-new-cron-object"]
    assert other.get("CronTab", "default", "my-new-cron-object")["spec"]["image"] == "my-awesome-cron-image"
    assert other.names("CronTab") == [("default", "my-new-cron-object")]


def test_unknown_fields_are_pruned_and_preserved_where_the_schema_says(
        cluster: SimCluster, crontab_crd: dict[str, Any], crontab: dict[str, Any]) -> None:
    spec = crontab_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["extra"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    cluster.create(crontab_crd)
    crontab["spec"].update(unknown="dropped", extra={"anything": {"goes": [1, 2]}})
    crontab["topLevel"] = True
    stored = cluster.create(crontab)
    assert "unknown" not in stored["spec"] and "topLevel" not in stored
    assert stored["spec"]["extra"] == {"anything": {"goes": [1, 2]}}


@pytest.mark.parametrize(("spec", "cause"), [
    ({"cronSpec": "* * * * */5", "replicas": "three"},
     'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'),
    ({"cronSpec": "* * * * */5", "replicas": 11},
     "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"),
    ({"cronSpec": "* * * * */5", "replicas": 0},
     "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"),
    ({"cronSpec": "every minute"}, "spec.cronSpec: Invalid value: \"every minute\": spec.cronSpec in body "
                                   "should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'"),
    ({"image": "x"}, "spec.cronSpec: Required value"),
])
def test_custom_resources_are_validated_against_the_schema(cluster: SimCluster, crontab_crd: dict[str, Any],
                                                           crontab: dict[str, Any], spec: Any,
                                                           cause: str) -> None:
    cluster.create(crontab_crd)
    crontab["spec"] = spec
    with pytest.raises(InvalidError) as err:
        cluster.create(crontab)
    assert str(err.value) == f'CronTab.stable.example.com "my-new-cron-object" is invalid: {cause}'


def test_the_status_subresource_keeps_status_and_spec_apart(cluster: SimCluster, crontab_crd: dict[str, Any],
                                                            crontab: dict[str, Any]) -> None:
    cluster.create(crontab_crd)
    crontab["status"] = {"replicas": 5}
    created = cluster.create(crontab)
    created["status"] = {"replicas": 2}
    cluster.update_status(created)
    live = cluster.get("CronTab", "default", "my-new-cron-object")
    assert live["status"] == {"replicas": 2} and live["metadata"]["generation"] == 1
    live["status"] = {"replicas": 9}
    live["spec"]["replicas"] = 3
    updated = cluster.update(live)
    assert updated["status"] == {"replicas": 2}  # the main endpoint ignores the status
    assert updated["metadata"]["generation"] == 2


def test_without_a_status_subresource_status_is_a_field_and_bumps_generation(
        cluster: SimCluster, crontab_crd: dict[str, Any], crontab: dict[str, Any]) -> None:
    del crontab_crd["spec"]["versions"][0]["subresources"]
    cluster.create(crontab_crd)
    live = cluster.create(crontab)
    live["status"] = {"replicas": 3}
    updated = cluster.update(live)
    assert updated["status"] == {"replicas": 3} and updated["metadata"]["generation"] == 2


def test_several_versions_served_and_stored(cluster: SimCluster, crontab_crd: dict[str, Any],
                                            crontab: dict[str, Any]) -> None:
    v1 = crontab_crd["spec"]["versions"][0]
    beta = copy.deepcopy(v1) | {"name": "v1beta1", "storage": False}
    alpha = copy.deepcopy(v1) | {"name": "v1alpha1", "storage": False, "served": False}
    crontab_crd["spec"]["versions"] = [beta, v1, alpha]
    cluster.create(crontab_crd)
    info = next(k for k in cluster.served_kinds() if k.kind == "CronTab")
    assert info.versions == ("v1", "v1beta1")
    crontab["apiVersion"] = "stable.example.com/v1beta1"
    assert cluster.create(crontab)["apiVersion"] == "stable.example.com/v1"  # stored in the storage version
    crontab["apiVersion"] = "stable.example.com/v1alpha1"
    crontab["metadata"]["name"] = "alpha"
    with pytest.raises(NotFoundError, match=re.escape('no matches for kind "CronTab" in version '
                                                      '"stable.example.com/v1alpha1"')):
        cluster.create(crontab)


def test_deleting_the_crd_deletes_its_custom_resources(cluster: SimCluster, crontab_crd: dict[str, Any],
                                                       crontab: dict[str, Any]) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    cluster.create(crontab_crd)
    cluster.create(crontab)
    cluster.create(copy.deepcopy(crontab) | {"metadata": {"name": "other", "namespace": "team"}})
    left = cluster.delete(CRD, "", NAME)
    assert left is not None
    assert left["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert conditions(left)["Terminating"] == (
        "True", "InstanceDeletionPending",
        "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon")
    with pytest.raises(NotFoundError):
        cluster.get(CRD, "", NAME)
    assert cluster.store.counts().get("CronTab.stable.example.com", 0) == 0


def test_a_custom_resource_finalizer_holds_the_crd(cluster: SimCluster, crontab_crd: dict[str, Any],
                                                   crontab: dict[str, Any]) -> None:
    cluster.create(crontab_crd)
    crontab["metadata"]["finalizers"] = ["example.com/backup"]
    cluster.create(crontab)
    cluster.delete(CRD, "", NAME)
    crd = cluster.get(CRD, "", NAME)
    assert conditions(crd)["Terminating"] == ("True", "InstanceDeletionInProgress",
                                              "CustomResource deletion is in progress")
    held = cluster.get("CronTab", "default", "my-new-cron-object")
    assert held["metadata"]["deletionTimestamp"]
    other = copy.deepcopy(crontab) | {"metadata": {"name": "late"}}
    with pytest.raises(MethodNotAllowedError, match="create not allowed while custom resource definition is "
                                                    "terminating"):
        cluster.create(other)
    held["metadata"]["finalizers"] = []
    cluster.update(held)  # the finalizer's owner lets go: the object, then the CRD, are gone
    with pytest.raises(NotFoundError):
        cluster.get(CRD, "", NAME)


def test_finalizers_block_deletion_of_any_object_until_removed(cluster: SimCluster) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "c", "finalizers": ["example.com/keep"]}}
    cluster.create(cm)
    left = cluster.delete("ConfigMap", "default", "c")
    assert left is not None and left["metadata"]["deletionTimestamp"]
    live = cluster.get("ConfigMap", "default", "c")
    live["metadata"]["finalizers"] = []
    cluster.update(live)
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "c")


def test_deleting_a_namespace_deletes_its_custom_resources(cluster: SimCluster, crontab_crd: dict[str, Any],
                                                           crontab: dict[str, Any]) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    cluster.create(crontab_crd)
    crontab["metadata"]["namespace"] = "team"
    cluster.create(crontab)
    cluster.delete("Namespace", "", "team")
    cluster.advance_until_idle()
    assert cluster.list("CronTab") == []
    with pytest.raises(NotFoundError):
        cluster.get("Namespace", "", "team")


def widget_crd(group: str, plural: str = "widgets", kind: str = "Widget") -> dict[str, Any]:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": CRD, "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Cluster", "names": {"plural": plural, "kind": kind},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                         "openAPIV3Schema": {"type": "object",
                                             "x-kubernetes-preserve-unknown-fields": True}}}]}}


def test_a_kind_two_groups_serve_must_be_named_with_its_group(cluster: SimCluster) -> None:
    cluster.create(widget_crd("a.example.com"))
    cluster.create(widget_crd("b.example.com"))
    cluster.create({"apiVersion": "b.example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    with pytest.raises(AmbiguousKindError, match=re.escape(
            "Widget matches multiple kinds [a.example.com/v1, Kind=Widget b.example.com/v1, Kind=Widget]")):
        cluster.list("Widget")
    assert cluster.list("Widget", group="a.example.com") == []
    assert [w["metadata"]["name"] for w in cluster.list("Widget", group="b.example.com")] == ["w"]
    assert "namespace" not in cluster.get("Widget", "", "w", group="b.example.com")["metadata"]


def test_a_conflicting_kind_in_one_group_is_not_accepted(cluster: SimCluster) -> None:
    cluster.create(widget_crd("a.example.com"))
    cluster.create(widget_crd("a.example.com", plural="gadgets"))
    crd = cluster.get(CRD, "", "gadgets.a.example.com")
    # kind, then listKind conflict: the last check's reason wins, as in calculateNamesAndConditions
    assert conditions(crd) == {
        "NamesAccepted": ("False", "ListKindConflict", '"WidgetList" is already in use'),
        "Established": ("False", "NotAccepted", "not all names are accepted")}
    assert [k.plural for k in cluster.served_kinds() if k.kind == "Widget"] == ["widgets"]
    cluster.delete(CRD, "", "widgets.a.example.com")  # its names are free: the other CRD takes them
    assert conditions(cluster.get(CRD, "", "gadgets.a.example.com"))["Established"][0] == "True"


@pytest.mark.parametrize(("change", "cause"), [
    (lambda c: c["spec"].update(group="stable"),
     'spec.group: Invalid value: "stable": should be a domain with at least one dot'),
    (lambda c: c["metadata"].update(name="crontab.stable.example.com"),
     'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group'),
    (lambda c: c["spec"]["versions"][0].update(storage=False),
     'spec.versions: Invalid value: ["v1"]: must have exactly one version marked as storage version'),
    (lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].pop("type"),
     "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for "
     "specified object fields"),
    (lambda c: c["spec"].update(scope="Global"),
     'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
])
def test_an_invalid_crd_is_refused(cluster: SimCluster, crontab_crd: dict[str, Any], change: Any,
                                   cause: str) -> None:
    change(crontab_crd)
    with pytest.raises(InvalidError) as err:
        cluster.create(crontab_crd)
    assert cause in [f"{f}: {m}" for f, m in err.value.causes]


def test_an_established_crd_keeps_its_scope(cluster: SimCluster, crontab_crd: dict[str, Any]) -> None:
    live = cluster.create(crontab_crd)
    live = cluster.get(CRD, "", NAME)
    live["spec"]["scope"] = "Cluster"
    immutable = re.escape('spec.scope: Invalid value: "Cluster": field is immutable')
    with pytest.raises(InvalidError, match=immutable):
        cluster.update(live)


def test_cel_rules_are_evaluated(cluster: SimCluster, crontab_crd: dict[str, Any],
                                 crontab: dict[str, Any]) -> None:
    spec = crontab_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["x-kubernetes-validations"] = [
        {"rule": "self.image.startsWith('registry.example.com/')",
         "message": "images come from our registry"},
        {"rule": "self.replicas >= oldSelf.replicas", "message": "replicas may not go down"},
    ]
    cluster.create(crontab_crd)
    with pytest.raises(InvalidError) as err:
        cluster.create(crontab)
    assert str(err.value).endswith('spec: Invalid value: "object": images come from our registry')
    crontab["spec"].update(image="registry.example.com/cron", replicas=3)
    live = cluster.create(crontab)  # the transition rule has no old value on create
    live["spec"]["replicas"] = 2
    with pytest.raises(InvalidError, match='spec: Invalid value: "object": replicas may not go down'):
        cluster.update(live)
