"""The embedded API server: server fields, defaulting, conflicts, namespaces, selectors, patches."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.errors import (
    AlreadyExistsError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UsageError,
)


def deployment(name: str = "web", replicas: int = 2, image: str = "nginx:1.25") -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                 "template": {"metadata": {"labels": dict(labels)},
                              "spec": {"containers": [{"name": "app", "image": image}]}}},
    }


def configmap(name: str, namespace: str = "default", **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, "labels": labels}, "data": {"k": "v"}}


def test_create_sets_server_fields_and_defaults(cluster: SimCluster) -> None:
    obj = cluster.create(deployment())
    meta = obj["metadata"]
    assert meta["namespace"] == "default"
    assert meta["generation"] == 1
    assert meta["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert len(meta["uid"]) == 36
    assert int(meta["resourceVersion"]) > 0
    spec = obj["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600
    container = spec["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert spec["template"]["spec"]["restartPolicy"] == "Always"


def test_pod_only_defaults_stay_out_of_templates(cluster: SimCluster) -> None:
    # SetDefaults_Pod (enableServiceLinks) and the ServiceAccount admission plugin apply to Pods,
    # not to a workload's template: `describe deploy` shows no "Service Account: default"
    template = cluster.create(deployment())["spec"]["template"]["spec"]
    assert "serviceAccountName" not in template and "enableServiceLinks" not in template
    pod = cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                          "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}})
    assert pod["spec"]["serviceAccountName"] == "default" and pod["spec"]["enableServiceLinks"] is True


def test_defaults_of_the_kinds_without_a_controller(cluster: SimCluster) -> None:
    # SetDefaults_Secret / _Job / _CronJob / _StatefulSet / _DaemonSet: what `get -o yaml` and
    # `describe` show on a real API server
    tpl = {"metadata": {"labels": {"app": "x"}},
           "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36"}]}}
    secret = cluster.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}})
    assert secret["type"] == "Opaque"
    job = cluster.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
                          "spec": {"template": tpl}})["spec"]
    assert (job["completions"], job["parallelism"], job["backoffLimit"], job["completionMode"],
            job["suspend"], job["podReplacementPolicy"]) == \
        (1, 1, 6, "NonIndexed", False, "TerminatingOrFailed")
    assert job["template"]["spec"]["terminationGracePeriodSeconds"] == 30
    cron_spec = {"schedule": "@daily", "jobTemplate": {"spec": {"template": tpl}}}
    cron = cluster.create({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
                           "spec": cron_spec})["spec"]
    assert (cron["concurrencyPolicy"], cron["suspend"], cron["successfulJobsHistoryLimit"],
            cron["failedJobsHistoryLimit"]) == ("Allow", False, 3, 1)
    assert cron["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
    sts_tpl = {"metadata": {"labels": {"app": "x"}},
               "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}
    sts = cluster.create({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "st"},
                          "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": sts_tpl}})["spec"]
    assert (sts["replicas"], sts["podManagementPolicy"], sts["revisionHistoryLimit"]) == \
        (1, "OrderedReady", 10)
    assert sts["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert sts["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    ds = cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
                         "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": sts_tpl}})["spec"]
    assert ds["updateStrategy"] == {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert ds["revisionHistoryLimit"] == 10


def test_resource_version_is_monotonic_across_writes(cluster: SimCluster) -> None:
    rvs = [int(cluster.create(configmap(f"c{i}"))["metadata"]["resourceVersion"]) for i in range(5)]
    assert rvs == sorted(rvs) and len(set(rvs)) == 5
    obj = cluster.get("ConfigMap", "default", "c0")
    obj["data"] = {"k": "changed"}
    assert int(cluster.update(obj)["metadata"]["resourceVersion"]) > rvs[-1]


def test_already_exists_and_not_found_messages(cluster: SimCluster) -> None:
    cluster.create(deployment())
    with pytest.raises(AlreadyExistsError, match=r'^deployments.apps "web" already exists$'):
        cluster.create(deployment())
    with pytest.raises(NotFoundError, match=r'^deployments.apps "nope" not found$'):
        cluster.get("Deployment", "default", "nope")
    with pytest.raises(NotFoundError, match=r'^pods "p" not found$'):
        cluster.delete("Pod", "default", "p")


def test_stale_update_is_a_conflict(cluster: SimCluster) -> None:
    first = cluster.create(deployment())
    fresh = cluster.get("Deployment", "default", "web")
    fresh["spec"]["replicas"] = 5
    cluster.update(fresh)
    first["spec"]["replicas"] = 7
    with pytest.raises(ConflictError) as err:
        cluster.update(first)
    assert str(err.value) == ('Operation cannot be fulfilled on deployments.apps "web": the object has been '
                              "modified; please apply your changes to the latest version and try again")
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 5


def test_generation_bumps_on_spec_change_only(cluster: SimCluster) -> None:
    cluster.create(deployment())
    obj = cluster.get("Deployment", "default", "web")
    obj["metadata"]["labels"] = {"tier": "web"}
    obj = cluster.update(obj)
    assert obj["metadata"]["generation"] == 1
    obj = cluster.get("Deployment", "default", "web")
    obj["spec"]["replicas"] = 4
    obj = cluster.update(obj)
    assert obj["metadata"]["generation"] == 2
    obj = cluster.get("Deployment", "default", "web")
    obj["status"] = {"replicas": 4, "observedGeneration": 2}
    obj = cluster.update_status(obj)
    assert obj["metadata"]["generation"] == 2 and obj["status"]["observedGeneration"] == 2


def test_update_keeps_status_and_noop_keeps_resource_version(cluster: SimCluster) -> None:
    obj = cluster.create(configmap("c"))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx:1"}], "nodeSelector": {"no": "where"}}}
    cluster.create(pod)
    obj = cluster.get("Pod", "default", "p")
    status = obj["status"]
    rv = obj["metadata"]["resourceVersion"]
    again = cluster.update(dict(obj, status={"phase": "Running"}))
    assert again["status"] == status
    assert again["metadata"]["resourceVersion"] == rv


def test_selector_is_immutable(cluster: SimCluster) -> None:
    cluster.create(deployment())
    obj = cluster.get("Deployment", "default", "web")
    obj["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    obj["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(InvalidError) as err:
        cluster.update(obj)
    assert str(err.value) == (
        'Deployment.apps "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"other"}}: '
        "field is immutable")


def test_namespaces(cluster: SimCluster) -> None:
    names = [n["metadata"]["name"] for n in cluster.list("Namespace")]
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]
    with pytest.raises(NotFoundError, match=r'^namespaces "prod" not found$'):
        cluster.create(configmap("c", namespace="prod"))
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}})
    assert cluster.create(configmap("c", namespace="prod"))["metadata"]["namespace"] == "prod"
    with pytest.raises(ForbiddenError, match="this namespace may not be deleted"):
        cluster.delete("Namespace", "", "default")


def test_deleting_a_namespace_deletes_its_content(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    cluster.create(configmap("a", namespace="tmp"))
    cluster.delete("Namespace", "", "tmp")
    assert cluster.list("ConfigMap", "tmp") == []
    with pytest.raises(NotFoundError):
        cluster.get("Namespace", "", "tmp")


def test_cluster_scoped_objects_have_no_namespace(cluster: SimCluster) -> None:
    ns = cluster.create({"apiVersion": "v1", "kind": "Namespace",
                         "metadata": {"name": "x", "namespace": "default"}})
    assert "namespace" not in ns["metadata"]
    assert ns["status"] == {"phase": "Active"}


def test_label_and_field_selectors(cluster: SimCluster) -> None:
    cluster.create(configmap("a", app="web", tier="front"))
    cluster.create(configmap("b", app="web", tier="back"))
    cluster.create(configmap("c", app="db"))

    def names(**kw: Any) -> list[str]:
        return [o["metadata"]["name"] for o in cluster.list("ConfigMap", "default", **kw)]

    assert names(label_selector="app=web") == ["a", "b"]
    assert names(label_selector="app=web,tier!=front") == ["b"]
    assert names(label_selector="app in (web,db),!tier") == ["c"]
    assert names(field_selector="metadata.name=b") == ["b"]
    assert names(field_selector="metadata.name!=b", label_selector="app=web") == ["a"]
    with pytest.raises(UsageError, match=r"field label not supported: spec\.foo"):
        cluster.list("ConfigMap", field_selector="spec.foo=x")


def test_generate_name(cluster: SimCluster) -> None:
    obj = cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "cm-"}})
    assert obj["metadata"]["name"].startswith("cm-") and len(obj["metadata"]["name"]) == 8


def test_missing_name_is_invalid(cluster: SimCluster) -> None:
    with pytest.raises(InvalidError, match=r'^ConfigMap "" is invalid: metadata.name: Required value: name '
                                           "or generateName is required$"):
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})


def test_merge_and_strategic_patch(cluster: SimCluster) -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"] = [
        {"name": "app", "image": "nginx:1.25", "env": [{"name": "A", "value": "1"}]},
        {"name": "side", "image": "busybox:1"},
    ]
    cluster.create(obj)
    scaled = cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 5}}, "merge")
    assert scaled["spec"]["replicas"] == 5 and scaled["metadata"]["generation"] == 2
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 5
    patched = cluster.patch("Deployment", "default", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.26", "env": [{"name": "B", "value": "2"}]}]}}}})
    containers = patched["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["app", "side"]
    assert containers[0]["image"] == "nginx:1.26"
    assert containers[0]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    merged = cluster.patch("Deployment", "default", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "only", "image": "x:1"}]}}}}, "merge")
    assert [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]] == ["only"]


def test_dry_run_writes_nothing(cluster: SimCluster) -> None:
    created = cluster.create(configmap("dry"), dry_run=True)
    assert created["metadata"]["name"] == "dry"
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "dry")


def test_finalizers_hold_deletion(cluster: SimCluster) -> None:
    cm = configmap("held")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    cluster.create(cm)
    left = cluster.delete("ConfigMap", "default", "held")
    assert left is not None and left["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    left["metadata"]["finalizers"] = []
    cluster.update(left)
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "held")


def test_unbound_pod_is_deleted_at_once_bound_pod_gracefully(cluster: SimCluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx:1"}], "nodeSelector": {"no": "where"}}}
    created = cluster.create(pod)
    assert created["status"]["phase"] == "Pending" and created["status"]["qosClass"] == "BestEffort"
    assert cluster.delete("Pod", "default", "p") is None
    with pytest.raises(NotFoundError):
        cluster.get("Pod", "default", "p")
    del pod["spec"]["nodeSelector"]
    pod["spec"]["nodeName"] = cluster.list("Node")[0]["metadata"]["name"]
    cluster.create(pod)
    left = cluster.delete("Pod", "default", "p")
    assert left is not None
    assert left["metadata"]["deletionGracePeriodSeconds"] == 30
    assert left["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:30Z"
    assert cluster.delete("Pod", "default", "p", grace_seconds=0) is None


@pytest.mark.parametrize(("replicas", "message"), [
    (-1, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or '
         "equal to 0"),
    ("three", 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: "string": spec.replicas in '
              'body must be of type integer: "string"'),
])
def test_invalid_objects_are_refused_with_the_422_message(cluster: SimCluster, replicas: Any,
                                                          message: str) -> None:
    obj = deployment()
    obj["spec"]["replicas"] = replicas
    with pytest.raises(InvalidError) as err:
        cluster.create(obj)
    assert str(err.value) == message
    assert err.value.causes[0][0] == "spec.replicas"
    with pytest.raises(NotFoundError):
        cluster.get("Deployment", "default", "web")


def test_invalid_update_is_refused_and_nothing_changes(cluster: SimCluster) -> None:
    cluster.create(deployment())
    obj = cluster.get("Deployment", "default", "web")
    obj["spec"]["replicas"] = -3
    with pytest.raises(InvalidError, match="must be greater than or equal to 0"):
        cluster.update(obj)
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 2


def test_kinds_without_a_controller_are_stored_as_given(cluster: SimCluster) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "Opaque",
              "data": {"password": "aHVudGVyMg=="}}
    cluster.create(secret)
    cluster.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}})
    got = cluster.get("Secret", "default", "s")
    assert got["data"] == {"password": "aHVudGVyMg=="} and got["type"] == "Opaque"
    assert "generation" not in got["metadata"]
    assert [o["metadata"]["name"] for o in cluster.list("ServiceAccount", "default")] == ["robot"]


def test_secret_string_data_is_merged_into_data_and_never_stored(cluster: SimCluster) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
              "data": {"user": "YWRtaW4=", "password": "b2xk"}, "stringData": {"password": "hunter2"}}
    got = cluster.create(secret)
    assert got["data"] == {"user": "YWRtaW4=", "password": "aHVudGVyMg=="} and "stringData" not in got
    assert "stringData" not in cluster.get("Secret", "default", "s")


def test_graceful_pod_deletion_is_finished_by_the_kubelet(cluster: SimCluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx:1"}], "terminationGracePeriodSeconds": 10}}
    cluster.create(pod)
    cluster.advance(5)
    assert cluster.get("Pod", "default", "p")["spec"].get("nodeName")
    left = cluster.delete("Pod", "default", "p")
    assert left is not None and left["metadata"]["deletionGracePeriodSeconds"] == 10
    cluster.advance(9)
    assert cluster.get("Pod", "default", "p")["metadata"]["deletionTimestamp"]
    cluster.advance(1)
    with pytest.raises(NotFoundError):
        cluster.get("Pod", "default", "p")


def test_dry_run_keeps_the_cache_and_checks_admission(cluster: SimCluster) -> None:
    cluster.create(configmap("live"))
    cached = cluster._cache
    preview = cluster.create(configmap("preview"), dry_run=True)
    assert preview["metadata"]["uid"] and preview["metadata"]["namespace"] == "default"
    with pytest.raises(AlreadyExistsError):
        cluster.create(configmap("live"), dry_run=True)
    bad = deployment()
    bad["spec"]["replicas"] = -1
    with pytest.raises(InvalidError):
        cluster.create(bad, dry_run=True)
    assert cluster.delete("ConfigMap", "default", "live", dry_run=True) is None
    assert cluster.get("ConfigMap", "default", "live")
    assert [o["metadata"]["name"] for o in cluster.list("ConfigMap", "default")] == ["live"]
    assert cluster._cache is cached  # no reload after a per-call dry run


@pytest.mark.parametrize("api_version", ["v1", "apps/v1beta1", "extensions/v1beta1"])
def test_kind_must_be_served_in_its_api_version(cluster: SimCluster, api_version: str) -> None:
    obj = deployment()
    obj["apiVersion"] = api_version
    with pytest.raises(NotFoundError, match=f'^no matches for kind "Deployment" in version "{api_version}"$'):
        cluster.create(obj)
