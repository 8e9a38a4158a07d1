"""The StatefulSet controller through the runtime, checked against kube-controller-manager's
pkg/controller/statefulset (stateful_set_control.go: OrderedReady creates one pod at a time and
waits for it to be Running and Ready, scale-down goes from the highest ordinal, a rolling update
replaces from the highest ordinal down to the partition; stateful_set_utils.go: names, labels,
claims `<template>-<set>-<ordinal>`, retention ownerReferences)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.helpers.podutil import is_pod_ready
from kapply.cluster.sim.testing import new_test_cluster


def sts(name: str = "web", replicas: int = 3, image: str = "nginx:1.25", claims: bool = True,
        **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "replicas": replicas, "serviceName": "nginx", "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "nginx", "image": image}]}},
    }
    if claims:
        body["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name}, "spec": body}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=3)


def pods(cluster: SimCluster) -> dict[str, dict[str, Any]]:
    return {p["metadata"]["name"]: p for p in cluster.list("Pod", "default")}


def live(cluster: SimCluster) -> list[str]:
    return sorted(n for n, p in pods(cluster).items() if not p["metadata"].get("deletionTimestamp"))


def status(cluster: SimCluster, name: str = "web") -> dict[str, Any]:
    return cluster.get("StatefulSet", "default", name).get("status") or {}


def settle(cluster: SimCluster, seconds: float = 600) -> None:
    cluster.advance(seconds)


def edit(cluster: SimCluster, name: str = "web", **spec: Any) -> None:
    obj = cluster.get("StatefulSet", "default", name)
    obj["spec"].update(spec)
    cluster.update(obj)


def set_image(cluster: SimCluster, image: str, name: str = "web") -> None:
    obj = cluster.get("StatefulSet", "default", name)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
    cluster.update(obj)


def messages(cluster: SimCluster, reason: str | None = None) -> list[str]:
    events = [e for e in cluster.events("default") if e["involvedObject"]["kind"] == "StatefulSet"
              and (reason is None or e["reason"] == reason)]
    events.sort(key=lambda e: (e.get("firstTimestamp") or "", int(e["metadata"]["resourceVersion"])))
    return [e["message"] for e in events]


def test_ordered_ready_creates_one_pod_at_a_time(cluster: SimCluster) -> None:
    cluster.create(sts())
    assert live(cluster) == ["web-0"]  # web-1 waits for web-0 to be Running and Ready
    cluster.advance(1)
    assert live(cluster) == ["web-0"]
    cluster.advance(1)  # pod start-up is 2 s: web-0 ready, web-1 created
    assert live(cluster) == ["web-0", "web-1"]
    settle(cluster, 10)
    assert live(cluster) == ["web-0", "web-1", "web-2"]
    st = status(cluster)
    assert (st["replicas"], st["readyReplicas"], st["availableReplicas"], st["currentReplicas"],
            st["updatedReplicas"]) == (3, 3, 3, 3, 3)
    assert st["currentRevision"] == st["updateRevision"] and st["observedGeneration"] == 1


def test_identity_and_claims(cluster: SimCluster) -> None:
    cluster.create(sts())
    settle(cluster, 30)
    pod = pods(cluster)["web-1"]
    assert pod["spec"]["hostname"] == "web-1" and pod["spec"]["subdomain"] == "nginx"
    labels = pod["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert labels["apps.kubernetes.io/pod-index"] == "1"
    assert labels["controller-revision-hash"] == status(cluster)["updateRevision"]
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "data")
    assert volume["persistentVolumeClaim"] == {"claimName": "data-web-1"}
    claims = {c["metadata"]["name"]: c for c in cluster.list("PersistentVolumeClaim", "default")}
    assert sorted(claims) == ["data-web-0", "data-web-1", "data-web-2"]
    assert claims["data-web-0"]["metadata"]["labels"] == {"app": "web"}
    assert "ownerReferences" not in claims["data-web-0"]["metadata"]  # whenDeleted: Retain
    assert messages(cluster)[:2] == ["create Claim data-web-0 Pod web-0 in StatefulSet web success",
                                     "create Pod web-0 in StatefulSet web successful"]


def test_scale_down_goes_from_the_highest_ordinal_and_keeps_claims(cluster: SimCluster) -> None:
    cluster.create(sts(replicas=4))
    settle(cluster, 60)
    edit(cluster, replicas=1)
    cluster.advance(0.1)
    assert [n for n, p in pods(cluster).items() if p["metadata"].get("deletionTimestamp")] == ["web-3"]
    settle(cluster, 300)
    assert live(cluster) == ["web-0"]
    assert messages(cluster, "SuccessfulDelete") == [f"delete Pod web-{i} in StatefulSet web successful"
                                                    for i in (3, 2, 1)]
    assert len(cluster.list("PersistentVolumeClaim", "default")) == 4  # claims survive their pods
    edit(cluster, replicas=2)
    settle(cluster, 30)
    assert pods(cluster)["web-1"]["spec"]["volumes"][-1]["persistentVolumeClaim"]["claimName"] == "data-web-1"


def test_parallel_creates_and_deletes_all_at_once(cluster: SimCluster) -> None:
    cluster.create(sts(podManagementPolicy="Parallel", replicas=3))
    assert live(cluster) == ["web-0", "web-1", "web-2"]
    settle(cluster, 10)
    edit(cluster, replicas=0)
    cluster.advance(0.1)
    assert all(p["metadata"].get("deletionTimestamp") for p in pods(cluster).values())


def test_rolling_update_replaces_from_the_highest_ordinal(cluster: SimCluster) -> None:
    cluster.create(sts())
    settle(cluster, 60)
    old = status(cluster)["currentRevision"]
    set_image(cluster, "nginx:1.26")
    cluster.advance(0.1)
    st = status(cluster)
    assert st["updateRevision"] != old and st["currentRevision"] == old
    assert messages(cluster, "SuccessfulDelete") == ["delete Pod web-2 in StatefulSet web successful"]
    settle(cluster, 600)
    assert messages(cluster, "SuccessfulDelete") == [f"delete Pod web-{i} in StatefulSet web successful"
                                                    for i in (2, 1, 0)]
    st = status(cluster)
    assert st["currentRevision"] == st["updateRevision"] and st["updatedReplicas"] == 3
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster).values()} == {"nginx:1.26"}
    assert len(cluster.list("ControllerRevision", "default")) == 2


def test_partition_keeps_lower_ordinals(cluster: SimCluster) -> None:
    cluster.create(sts(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
    settle(cluster, 60)
    set_image(cluster, "nginx:1.26")
    settle(cluster, 600)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(cluster).items()}
    assert images == {"web-0": "nginx:1.25", "web-1": "nginx:1.25", "web-2": "nginx:1.26"}
    st = status(cluster)
    assert st["updatedReplicas"] == 1 and st["currentReplicas"] == 2
    assert st["currentRevision"] != st["updateRevision"]


def test_on_delete_waits_for_the_user(cluster: SimCluster) -> None:
    cluster.create(sts(updateStrategy={"type": "OnDelete"}))
    settle(cluster, 60)
    set_image(cluster, "nginx:1.26")
    settle(cluster, 600)
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster).values()} == {"nginx:1.25"}
    cluster.delete("Pod", "default", "web-1")
    settle(cluster, 600)
    assert pods(cluster)["web-1"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert pods(cluster)["web-0"]["spec"]["containers"][0]["image"] == "nginx:1.25"


def test_max_unavailable_replaces_several_at_once(cluster: SimCluster) -> None:
    cluster.create(sts(replicas=4, updateStrategy={"type": "RollingUpdate",
                                                   "rollingUpdate": {"maxUnavailable": 2}}))
    settle(cluster, 60)
    set_image(cluster, "nginx:1.26")
    cluster.advance(0.1)
    assert sorted(messages(cluster, "SuccessfulDelete")) == [
        "delete Pod web-2 in StatefulSet web successful", "delete Pod web-3 in StatefulSet web successful"]


def test_claims_deleted_with_the_set_when_asked(cluster: SimCluster) -> None:
    cluster.create(sts(replicas=2, persistentVolumeClaimRetentionPolicy={
        "whenDeleted": "Delete", "whenScaled": "Delete"}))
    settle(cluster, 60)
    claim = cluster.get("PersistentVolumeClaim", "default", "data-web-1")
    assert [r["kind"] for r in claim["metadata"]["ownerReferences"]] == ["StatefulSet"]
    edit(cluster, replicas=1)
    settle(cluster, 120)
    assert [c["metadata"]["name"] for c in cluster.list("PersistentVolumeClaim", "default")] == ["data-web-0"]
    cluster.delete("StatefulSet", "default", "web")
    settle(cluster, 120)
    assert cluster.list("PersistentVolumeClaim", "default") == []


def test_a_failed_pod_is_recreated_with_the_same_name(cluster: SimCluster) -> None:
    from kapply.cluster.sim.nodeops import set_image_run

    cluster.create(sts(replicas=1, claims=False))
    settle(cluster, 10)
    uid = pods(cluster)["web-0"]["metadata"]["uid"]
    cluster.delete("Pod", "default", "web-0", grace_seconds=0)
    settle(cluster, 10)
    assert pods(cluster)["web-0"]["metadata"]["uid"] != uid and is_pod_ready(pods(cluster)["web-0"])
    set_image_run(cluster, "nginx:1.25", 1.0, 0)  # containers started from now on exit after 1 s
    assert is_pod_ready(pods(cluster)["web-0"])  # the running one keeps running


def test_history_limit_keeps_live_revisions(cluster: SimCluster) -> None:
    cluster.create(sts(replicas=1, claims=False, revisionHistoryLimit=1))
    for tag in ("1.26", "1.27", "1.28"):
        settle(cluster, 120)
        set_image(cluster, f"nginx:{tag}")
    settle(cluster, 120)
    revisions = sorted(r["revision"] for r in cluster.list("ControllerRevision", "default"))
    assert revisions == [3, 4]  # the update revision plus one of history


def test_rollback_to_an_old_template_renumbers_its_revision(cluster: SimCluster) -> None:
    cluster.create(sts(replicas=1, claims=False))
    settle(cluster, 60)
    set_image(cluster, "nginx:1.26")
    settle(cluster, 120)
    set_image(cluster, "nginx:1.25")
    settle(cluster, 120)
    by_image = {r["data"]["spec"]["template"]["spec"]["containers"][0]["image"]: r["revision"]
                for r in cluster.list("ControllerRevision", "default")}
    assert by_image == {"nginx:1.25": 3, "nginx:1.26": 2}
