"""make_plan: what apply would do, checked against live objects shaped like an API server's."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable

import pytest

from kapply.errors import InvalidError, ValidationError
from kapply.model.keys import ResourceKey
from kapply.plan.inventory import Inventory
from kapply.plan.plan import NOT_MANAGED, PLAN_FORMAT, Plan, make_plan
from kapply.plan.three_way import LAST_APPLIED

INV = "manifests-1a2b3c4d"
DEPLOY = ResourceKey("apps", "Deployment", "default", "hello-node")
SERVICE = ResourceKey("", "Service", "default", "hello-node")


def plan(desired: list[dict], live: dict | None = None, inventory: Inventory | None = None,
         **kw: object) -> Plan:
    kw.setdefault("prune", False)
    return make_plan(desired, live or {}, inventory, inventory_id=INV, **kw)  # type: ignore[arg-type]


def applied(p: Plan, cluster: Callable[..., dict]) -> dict[ResourceKey, dict]:
    """The live objects after executing `p` on a cluster that defaults like Kubernetes."""
    return {c.key: cluster(c.desired) for c in p.changes if c.desired is not None}


def by_key(p: Plan) -> dict[ResourceKey, object]:
    return {c.key: c for c in p.changes}


@pytest.fixture
def app(hello_deployment: dict, hello_service: dict, configmap: dict) -> list[dict]:
    return [hello_deployment, hello_service, configmap]


def test_first_plan_creates_in_dependency_order_with_ownership(app: list[dict]) -> None:
    p = plan(app)
    assert [(c.action, c.key.kind) for c in p.changes] == [
        ("create", "ConfigMap"), ("create", "Service"), ("create", "Deployment")]
    deploy = by_key(p)[DEPLOY].desired
    assert deploy["metadata"]["labels"] == {
        "run": "hello-node", "app.kubernetes.io/managed-by": "kapply", "kapply.io/inventory": INV}
    assert deploy["metadata"]["namespace"] == "default"
    assert json.loads(deploy["metadata"]["annotations"][LAST_APPLIED])["spec"]["replicas"] == 1
    assert p.has_changes


def test_apply_twice_is_unchanged_against_a_fully_defaulted_cluster(app: list[dict],
                                                                   cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    assert live[SERVICE]["spec"]["ports"][0]["nodePort"] and live[DEPLOY]["spec"]["strategy"]
    again = plan(copy.deepcopy(app), live)
    assert [c.action for c in again.changes] == ["unchanged"] * 3
    assert not again.has_changes and again.counts()["unchanged"] == 3


def test_bare_pod_is_unchanged_after_scheduling_and_defaulting(cluster: Callable) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "busybox", "ports": [{"containerPort": 80}]}]}}
    live = applied(plan([pod]), cluster)
    assert plan([pod], live).changes[0].action == "unchanged"


def test_scaled_replicas_kept_when_file_has_none(app: list[dict], cluster: Callable) -> None:
    del app[0]["spec"]["replicas"]
    live = applied(plan(app), cluster)
    live[DEPLOY]["spec"]["replicas"] = 4  # kapply scale deploy/hello-node --replicas 4
    assert by_key(plan(app, live))[DEPLOY].action == "unchanged"


def test_replicas_in_file_reset_scaled_replicas(app: list[dict], cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    live[DEPLOY]["spec"]["replicas"] = 4
    change = by_key(plan(app, live))[DEPLOY]
    assert change.action == "update"
    assert [(f.op, f.path_text, f.old, f.new) for f in change.fields] == [("replace", "spec.replicas", 4, 1)]


def test_field_removed_from_file_is_removed(app: list[dict], cluster: Callable) -> None:
    app[1]["metadata"]["labels"]["tier"] = "web"
    live = applied(plan(app), cluster)
    del app[1]["metadata"]["labels"]["tier"]
    change = by_key(plan(app, live))[SERVICE]
    assert change.action == "update"
    assert [(f.op, f.path_text) for f in change.fields] == [("remove", "metadata.labels.tier")]
    assert "tier" not in change.desired["metadata"]["labels"]
    assert change.desired["spec"]["clusterIP"] == live[SERVICE]["spec"]["clusterIP"]


def test_image_change_is_one_field_change(app: list[dict], cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    app[0]["spec"]["template"]["spec"]["containers"][0]["image"] = "hello-node:v2"
    change = by_key(plan(app, live))[DEPLOY]
    assert [(f.path_text, f.old, f.new) for f in change.fields] == [
        ("spec.template.spec.containers[0].image", "hello-node:v1", "hello-node:v2")]
    assert change.desired["metadata"]["resourceVersion"] == live[DEPLOY]["metadata"]["resourceVersion"]


def test_drift_in_a_field_the_file_sets_is_corrected(app: list[dict], cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    live[DEPLOY]["spec"]["template"]["spec"]["containers"][0]["image"] = "hacked:latest"
    change = by_key(plan(app, live))[DEPLOY]
    assert change.action == "update" and change.fields[0].new == "hello-node:v1"


def test_bookkeeping_only_change_is_shown_honestly(app: list[dict], cluster: Callable) -> None:
    """The file now spells out a default: nothing visible changes but last-applied must be updated."""
    live = applied(plan(app), cluster)
    app[0]["spec"]["revisionHistoryLimit"] = 10
    change = by_key(plan(app, live))[DEPLOY]
    assert change.action == "update"
    assert [f.path for f in change.fields] == [("metadata", "annotations", LAST_APPLIED)]
    live2 = applied(plan(app, live), cluster)
    assert by_key(plan(app, live2))[DEPLOY].action == "unchanged"


@pytest.mark.parametrize(("labels", "reason"), [
    ({}, NOT_MANAGED),
    ({"app.kubernetes.io/managed-by": "Helm"}, NOT_MANAGED),
    ({"app.kubernetes.io/managed-by": "kapply", "kapply.io/inventory": "other-0000"},
     'exists and is managed by kapply inventory "other-0000" (use --adopt to take it over)'),
])
def test_existing_object_not_ours_is_skipped(app: list[dict], cluster: Callable, labels: dict,
                                             reason: str) -> None:
    foreign = cluster(copy.deepcopy(app[2]))
    foreign["metadata"]["labels"] = labels
    change = plan(app, {foreign_key(foreign): foreign}).changes[0]
    assert (change.action, change.reason) == ("skip", reason)
    assert change.desired is not None  # a desired object skipped, not a prune candidate kept
    assert reason == NOT_MANAGED or "other-0000" in reason


def foreign_key(obj: dict) -> ResourceKey:
    return ResourceKey.of(obj)


def test_adopt_takes_over_and_labels_it(app: list[dict], cluster: Callable) -> None:
    foreign = cluster(copy.deepcopy(app[2]))
    change = plan(app, {foreign_key(foreign): foreign}, adopt=True).changes[0]
    assert change.action == "update"
    assert change.desired["metadata"]["labels"]["kapply.io/inventory"] == INV
    assert any(f.path[:2] == ("metadata", "labels") for f in change.fields)


def test_adopting_a_kubectl_applied_object_honours_its_last_applied(cluster: Callable) -> None:
    old = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}}
    live = cluster(old)
    live["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(old)}
    new = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    change = plan([new], {ResourceKey.of(live): live}, adopt=True).changes[0]
    assert change.desired["data"] == {"a": "1"}


def test_immutable_selector_change_is_refused_with_kubernetes_message(app: list[dict],
                                                                    cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    app[0]["spec"]["selector"]["matchLabels"] = {"app": "hello"}
    app[0]["spec"]["template"]["metadata"]["labels"] = {"app": "hello"}
    p = plan(app, live)
    change = by_key(p)[DEPLOY]
    assert change.action == "update"
    assert change.error == (
        'The Deployment "hello-node" is invalid: spec.selector: '
        'Invalid value: {"matchLabels":{"app":"hello"}}: field is immutable')
    assert p.errors == (change,) and p.counts()["error"] == 1
    with pytest.raises(InvalidError, match="field is immutable"):
        p.raise_for_errors()


def test_force_replace_recreates_from_the_file(app: list[dict], cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    app[0]["spec"]["selector"]["matchLabels"] = {"app": "hello"}
    app[0]["spec"]["template"]["metadata"]["labels"] = {"app": "hello"}
    p = plan(app, live, force_replace=True)
    change = by_key(p)[DEPLOY]
    assert change.action == "replace" and not change.error and not p.errors
    assert "uid" not in change.desired["metadata"] and "status" not in change.desired
    assert change.desired["spec"]["selector"] == {"matchLabels": {"app": "hello"}}
    assert "spec.selector" in change.reason
    p.raise_for_errors()


def test_service_cluster_ip_change_is_refused(app: list[dict], cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    app[1]["spec"]["clusterIP"] = "10.96.200.200"
    change = by_key(plan(app, live))[SERVICE]
    assert change.error == ('The Service "hello-node" is invalid: spec.clusterIPs[0]: Invalid value: '
                            '["10.96.200.200"]: may not change once set')


def test_duplicate_objects_are_refused(app: list[dict]) -> None:
    with pytest.raises(ValidationError, match="defined more than once"):
        plan([*app, copy.deepcopy(app[0])])


def test_generate_name_is_refused_as_kubectl_apply_does(app: list[dict]) -> None:
    generated = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "gen-"}}
    with pytest.raises(ValidationError, match="cannot use generate name with apply"):
        plan([*app, generated])


def test_plan_json_format(app: list[dict], cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    app[0]["spec"]["replicas"] = 3
    doc = plan(app, live).to_json()
    assert doc["apiVersion"] == PLAN_FORMAT == "kapply.io/plan/v1"
    assert doc["kind"] == "Plan" and doc["inventory"] == INV
    assert doc["hasChanges"] is True and doc["hasErrors"] is False
    assert doc["summary"] == {"create": 0, "update": 1, "replace": 0, "prune": 0, "cascade": 0,
                              "unchanged": 2, "skip": 0, "error": 0}
    update = next(c for c in doc["changes"] if c["action"] == "update")
    assert update["ref"] == "deployment.apps/hello-node"
    assert update["fields"] == [{"op": "replace", "path": "spec.replicas", "segments": ["spec", "replicas"],
                                 "old": 1, "new": 3}]
    json.dumps(doc)


def test_create_json_carries_the_object(app: list[dict]) -> None:
    change = plan(app).to_json()["changes"][0]
    assert change["fields"][0]["op"] == "add" and change["fields"][0]["path"] == ""
    assert change["fields"][0]["new"]["data"] == {"mode": "fast"}


def test_planning_1000_unchanged_objects_is_fast(app: list[dict], cluster: Callable) -> None:
    desired = []
    for i in range(334):
        for base in app:
            obj = copy.deepcopy(base)
            obj["metadata"]["name"] = f"app-{i}"
            desired.append(obj)
    desired = desired[:1000]
    live = applied(plan(desired), cluster)
    inventory = Inventory(INV, set(live))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        p = plan(desired, live, inventory, prune=True)
        best = min(best, time.perf_counter() - start)
    assert p.counts()["unchanged"] == 1000 and not p.has_changes
    assert best < 0.5, f"planning 1000 unchanged objects took {best:.3f}s"


def test_kubectl_generated_manifest_with_nulls_and_status_is_quiet(cluster: Callable) -> None:
    """`kubectl create deployment --dry-run=client -o yaml`: `creationTimestamp: null`, `status: {}`."""
    generated = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"creationTimestamp": None, "labels": {"app": "x"}, "name": "x"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x"}}, "strategy": {},
                 "template": {"metadata": {"creationTimestamp": None, "labels": {"app": "x"}},
                              "spec": {"containers": [
                                  {"image": "nginx", "name": "nginx", "resources": {}}]}}},
        "status": {},
    }
    first = plan([generated])
    assert "status" not in first.changes[0].desired
    live = applied(first, cluster)
    again = plan([copy.deepcopy(generated)], live)
    assert [c.action for c in again.changes] == ["unchanged"], again.changes[0].fields


def test_empty_cluster_ip_in_file_keeps_the_allocated_one(app: list[dict], cluster: Callable) -> None:
    app[1]["spec"]["clusterIP"] = ""
    live = applied(plan(app), cluster)
    live[SERVICE]["spec"]["clusterIP"] = live[SERVICE]["spec"]["clusterIPs"][0] = "10.96.1.1"
    change = by_key(plan(app, live))[SERVICE]
    assert change.action == "unchanged" and not change.error


def test_service_type_change_drops_fields_the_new_type_does_not_use(app: list[dict],
                                                                   cluster: Callable) -> None:
    live = applied(plan(app), cluster)
    app[1]["spec"]["type"] = "ClusterIP"
    change = by_key(plan(app, live))[SERVICE]
    spec = change.desired["spec"]
    assert spec["type"] == "ClusterIP" and spec["clusterIP"] == live[SERVICE]["spec"]["clusterIP"]
    assert "nodePort" not in spec["ports"][0]
    assert "externalTrafficPolicy" not in spec and "allocateLoadBalancerNodePorts" not in spec
    assert [(f.path_text, f.new) for f in change.fields] == [("spec.type", "ClusterIP")]


def test_atomic_list_defaulted_by_the_server_is_quiet(cluster: Callable) -> None:
    netpol = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"},
              "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]}}
    live = applied(plan([netpol]), cluster)
    assert next(iter(live.values()))["spec"]["ingress"][0]["ports"][0]["protocol"] == "TCP"
    assert plan([netpol], live).changes[0].action == "unchanged"


def test_quantity_canonicalised_by_the_server_is_quiet(app: list[dict], cluster: Callable) -> None:
    app[0]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = 0.5
    live = applied(plan(app), cluster)
    live[DEPLOY]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "500m"
    assert by_key(plan(app, live))[DEPLOY].action == "unchanged"
    app[0]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "600m"
    assert by_key(plan(app, live))[DEPLOY].fields[0].new == "600m"
