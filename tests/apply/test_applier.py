"""apply against a real embedded cluster: results, idempotence, three-way merge, prune safety."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kapply.apply.applier import ApplyFailedError, execute
from kapply.apply.reconcile import PlanOptions, plan_objects
from kapply.apply.wait import wait_ready
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import InvalidError, NotFoundError, PruneRefusedError
from kapply.model.keys import ResourceKey

INV = "test-inv"


def deployment(name: str = "web", replicas: int | None = 2, image: str = "nginx:1.27",
               labels: dict[str, str] | None = None) -> dict[str, Any]:
    labels = labels or {"app": name}
    spec: dict[str, Any] = {
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels},
                     "spec": {"containers": [{"name": "app", "image": image,
                                              "ports": [{"containerPort": 80}]}]}},
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def configmap(name: str, data: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data or {"k": "v"}}


@pytest.fixture
def cluster(tmp_path: Path) -> Any:
    c = new_test_cluster(tmp_path, nodes=2)
    yield c
    c.close()


def apply(cluster: Any, objs: list[dict[str, Any]], **opts: Any) -> Any:
    dry_run = opts.pop("dry_run", False)
    plan, inventory = plan_objects(cluster, copy.deepcopy(objs), INV, PlanOptions(**opts))
    return plan, execute(cluster, plan, inventory, dry_run=dry_run)


def verbs(report: Any) -> list[str]:
    return [o.line() for o in report.outcomes]


def test_create_then_unchanged_with_no_writes(cluster: Any) -> None:
    objs = [deployment(), configmap("cfg")]
    _, first = apply(cluster, objs)
    assert verbs(first) == ["configmap/cfg created", "deployment.apps/web created"]
    rv = cluster.resource_version()
    plan, second = apply(cluster, objs)
    assert verbs(second) == ["configmap/cfg unchanged", "deployment.apps/web unchanged"]
    assert not plan.has_changes and second.writes == 0
    assert cluster.resource_version() == rv  # a no-op apply writes nothing


def test_dry_run_writes_nothing(cluster: Any) -> None:
    _, report = apply(cluster, [configmap("cfg")], dry_run=True)
    assert verbs(report) == ["configmap/cfg created"]
    assert report.outcomes[0].line(dry_run=True) == "configmap/cfg created (dry run)"
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "cfg")


def test_field_removed_from_file_is_removed(cluster: Any) -> None:
    apply(cluster, [configmap("cfg", {"a": "1", "b": "2"})])
    _, report = apply(cluster, [configmap("cfg", {"a": "1"})])
    assert verbs(report) == ["configmap/cfg configured"]
    assert cluster.get("ConfigMap", "default", "cfg")["data"] == {"a": "1"}


def test_scale_kept_when_file_has_no_replicas(cluster: Any) -> None:
    apply(cluster, [deployment(replicas=None)])
    live = cluster.get("Deployment", "default", "web")
    live["spec"]["replicas"] = 4
    cluster.update(live)
    _, report = apply(cluster, [deployment(replicas=None)])
    assert verbs(report) == ["deployment.apps/web unchanged"]
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 4


def test_explicit_null_of_a_defaulted_field_settles_to_unchanged(cluster: Any) -> None:
    apply(cluster, [deployment(replicas=3)])
    nulled = deployment(replicas=None)
    nulled["spec"]["replicas"] = None  # an explicit null: the server defaults replicas to 1 again
    _, report = apply(cluster, [nulled])
    assert verbs(report) == ["deployment.apps/web configured"]
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 1
    rv = cluster.resource_version()
    plan, again = apply(cluster, [nulled])
    assert not plan.has_changes, plan.to_json()  # diff exits 0: the write would change nothing
    assert verbs(again) == ["deployment.apps/web unchanged"]
    assert cluster.resource_version() == rv


def test_immutable_selector_refused_then_force_replace(cluster: Any) -> None:
    apply(cluster, [deployment()])
    changed = deployment(labels={"app": "web", "tier": "front"})
    with pytest.raises(InvalidError, match="field is immutable"):
        apply(cluster, [changed])
    _, report = apply(cluster, [changed], force_replace=True)
    assert verbs(report) == ["deployment.apps/web replaced"]
    assert cluster.get("Deployment", "default", "web")["spec"]["selector"]["matchLabels"]["tier"] == "front"


def test_secret_string_data_reapplies_unchanged_and_a_new_value_is_applied(cluster: Any) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
              "stringData": {"password": "hunter2"}}
    apply(cluster, [secret])
    plan, report = apply(cluster, [secret])
    assert not plan.has_changes and verbs(report) == ["secret/s unchanged"]
    secret["stringData"]["password"] = "hunter3"
    _, report = apply(cluster, [secret])
    assert verbs(report) == ["secret/s configured"]
    assert cluster.get("Secret", "default", "s")["data"] == {"password": "aHVudGVyMw=="}


def test_force_replace_of_a_pod_does_not_wait_for_its_grace_period(cluster: Any) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx:1", "ports": [{"containerPort": 80}]}]}}
    apply(cluster, [pod])
    uid = cluster.get("Pod", "default", "p")["metadata"]["uid"]
    changed = copy.deepcopy(pod)
    changed["spec"]["containers"][0]["ports"][0]["containerPort"] = 81  # pod updates may not change it
    _, report = apply(cluster, [changed], force_replace=True)
    assert verbs(report) == ["pod/p replaced"]
    live = cluster.get("Pod", "default", "p")
    assert live["metadata"]["uid"] != uid and live["spec"]["containers"][0]["ports"][0]["containerPort"] == 81


def test_admission_failure_writes_nothing(cluster: Any) -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "missing"},
           "data": {"a": "b"}}
    with pytest.raises(ApplyFailedError, match='namespaces "missing" not found'):
        apply(cluster, [configmap("ok"), bad])
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "ok")


def test_namespace_created_in_the_same_apply(cluster: Any) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    cm = configmap("cfg")
    cm["metadata"]["namespace"] = "shop"
    _, report = apply(cluster, [cm, ns])
    assert verbs(report) == ["namespace/shop created", "configmap/cfg created"]


def test_prune_only_what_kapply_applied(cluster: Any) -> None:
    apply(cluster, [configmap("a"), configmap("b")])
    cluster.create(configmap("foreign"))  # not kapply's
    _, report = apply(cluster, [configmap("a")], prune=True)
    assert verbs(report) == ["configmap/a unchanged", "configmap/b pruned"]
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "b")
    cluster.get("ConfigMap", "default", "foreign")  # untouched


def test_prune_disabled_annotation_is_honoured(cluster: Any) -> None:
    keep = configmap("keep")
    keep["metadata"]["annotations"] = {"kapply.io/prune": "disabled"}
    apply(cluster, [configmap("a"), keep])
    _, report = apply(cluster, [configmap("a")], prune=True)
    assert [o.change.action for o in report.outcomes] == ["unchanged", "skip"]
    cluster.get("ConfigMap", "default", "keep")


def test_empty_source_refuses_to_prune(cluster: Any) -> None:
    apply(cluster, [configmap("a")])
    with pytest.raises(PruneRefusedError):
        apply(cluster, [], prune=True)
    cluster.get("ConfigMap", "default", "a")
    _, report = apply(cluster, [], prune=True, allow_empty=True)
    assert verbs(report) == ["configmap/a pruned"]


def test_existing_unmanaged_object_is_skipped_unless_adopted(cluster: Any) -> None:
    cluster.create(configmap("cfg", {"a": "old"}))
    _, report = apply(cluster, [configmap("cfg", {"a": "new"})])
    assert report.outcomes[0].change.action == "skip"
    assert "--adopt" in report.outcomes[0].line()
    assert cluster.get("ConfigMap", "default", "cfg")["data"] == {"a": "old"}
    _, report = apply(cluster, [configmap("cfg", {"a": "new"})], adopt=True)
    assert verbs(report) == ["configmap/cfg configured"]


def test_wait_follows_the_rollout(cluster: Any) -> None:
    apply(cluster, [deployment(replicas=3)])
    key = ResourceKey("apps", "Deployment", "default", "web")
    seen: list[str] = []
    result = wait_ready(cluster, [key], timeout=120, on_progress=lambda k, s: seen.append(s.message))
    assert result.ok, result.problems
    assert seen[-1] == 'deployment "web" successfully rolled out'


def test_wait_explains_a_stuck_rollout(cluster: Any) -> None:
    cluster.update_settings(image_faults={"broken:v1": {"reason": "ErrImagePull"}})
    apply(cluster, [deployment(image="broken:v1")])
    key = ResourceKey("apps", "Deployment", "default", "web")
    result = wait_ready(cluster, [key], timeout=60)
    assert not result.ok and result.timed_out
    assert any("ImagePullBackOff" in line or "ErrImagePull" in line for line in result.problems)


def test_wait_explains_why_a_bare_pod_is_stuck(cluster: Any) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "picky"},
           "spec": {"nodeSelector": {"disk": "ssd"}, "containers": [{"name": "app", "image": "nginx:1.27"}]}}
    apply(cluster, [pod])
    result = wait_ready(cluster, [ResourceKey("", "Pod", "default", "picky")], timeout=60)
    assert not result.ok and result.timed_out
    # the scheduler's reason, as for a Deployment's pods, not only "pod is Pending"
    assert result.problems == ["pod/picky: Pending: 0/2 nodes are available: "
                               "2 node(s) didn't match Pod's node affinity/selector. preemption: "
                               "0/2 nodes are available: 2 Preemption is not helpful for scheduling."]


def test_inventory_forgets_objects_deleted_by_hand(cluster: Any) -> None:
    from kapply.apply.live import read_inventory

    apply(cluster, [configmap("a"), configmap("b")])
    cluster.delete("ConfigMap", "default", "b")  # gone behind kapply's back
    _, report = apply(cluster, [configmap("a")], prune=True)
    assert verbs(report) == ["configmap/a unchanged"]
    inventory = read_inventory(cluster, INV)
    assert inventory is not None
    assert {k.name for k in inventory.keys} == {"a"}
