"""Garbage collection: background propagation through ownerReferences, matched by uid."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.errors import NotFoundError


def cm(name: str, *owners: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if owners:
        meta["ownerReferences"] = [
            {"apiVersion": o["apiVersion"], "kind": o["kind"], "name": o["metadata"]["name"],
             "uid": o["metadata"]["uid"], "controller": n == 0} for n, o in enumerate(owners)]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def names(cluster: SimCluster) -> list[str]:
    return [o["metadata"]["name"] for o in cluster.list("ConfigMap", "default")]


def test_deleting_an_owner_deletes_dependents_transitively(cluster: SimCluster) -> None:
    root = cluster.create(cm("root"))
    child = cluster.create(cm("child", root))
    cluster.create(cm("grandchild", child))
    cluster.create(cm("unrelated"))
    cluster.delete("ConfigMap", "default", "root")
    assert names(cluster) == ["unrelated"]


def test_dependent_with_a_living_owner_is_kept(cluster: SimCluster) -> None:
    a = cluster.create(cm("a"))
    b = cluster.create(cm("b"))
    cluster.create(cm("shared", a, b))
    cluster.delete("ConfigMap", "default", "a")
    assert names(cluster) == ["b", "shared"]
    cluster.delete("ConfigMap", "default", "b")
    assert names(cluster) == []


def test_owner_is_matched_by_uid_not_name(cluster: SimCluster) -> None:
    old = cluster.create(cm("owner"))
    cluster.delete("ConfigMap", "default", "owner")
    cluster.create(cm("owner"))  # same name, new uid
    cluster.create(cm("orphan", old))  # points at the old uid: collected
    assert names(cluster) == ["owner"]


def test_orphan_propagation_keeps_dependents(cluster: SimCluster) -> None:
    root = cluster.create(cm("root"))
    cluster.create(cm("child", root))
    cluster.delete("ConfigMap", "default", "root", propagation="Orphan")
    assert names(cluster) == ["child"]
    assert "ownerReferences" not in cluster.get("ConfigMap", "default", "child")["metadata"]


def test_deployment_deletion_removes_replicasets_and_pods(cluster: SimCluster) -> None:
    dep = cluster.create({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}})
    ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": dep["metadata"]["uid"],
           "controller": True, "blockOwnerDeletion": True}
    if not cluster.list("ReplicaSet", "default"):  # no deployment controller registered yet
        rs = cluster.create({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web-abc", "ownerReferences": [ref]},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}})
        rs_ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc",
                  "uid": rs["metadata"]["uid"], "controller": True}
        cluster.create({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": "web-abc-1", "labels": {"app": "web"},
                                     "ownerReferences": [rs_ref]},
                        "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}],
                                 "nodeSelector": {"no": "where"}}})
    cluster.advance(30)
    assert cluster.list("ReplicaSet", "default") and cluster.list("Pod", "default")
    cluster.delete("Deployment", "default", "web")
    cluster.advance_until_idle()
    with pytest.raises(NotFoundError):
        cluster.get("Deployment", "default", "web")
    assert cluster.list("ReplicaSet", "default") == []
    assert cluster.list("Pod", "default") == []


def test_foreground_propagation_keeps_the_owner_until_its_dependents_are_gone(cluster: SimCluster) -> None:
    root = cluster.create(cm("root"))
    child = cluster.create(cm("child", root))
    cluster.create(cm("grandchild", child))
    left = cluster.delete("ConfigMap", "default", "root", propagation="Foreground")
    # The collector ran in the same transaction: the whole tree went, leaves first.
    assert left is not None and left["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert left["metadata"]["deletionTimestamp"]
    assert names(cluster) == []


def test_foreground_owner_waits_for_a_terminating_pod(cluster: SimCluster) -> None:
    owner = cluster.create(cm("owner"))
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "p", "ownerReferences": [ref]},
                    "spec": {"nodeName": "minikube", "terminationGracePeriodSeconds": 10,
                             "containers": [{"name": "c", "image": "nginx"}]}})
    cluster.delete("ConfigMap", "default", "owner", propagation="Foreground")
    held = cluster.get("ConfigMap", "default", "owner")["metadata"]
    assert held["finalizers"] == ["foregroundDeletion"] and held["deletionTimestamp"]
    assert cluster.get("Pod", "default", "p")["metadata"]["deletionTimestamp"]  # terminating
    cluster.advance(11)
    with pytest.raises(NotFoundError):
        cluster.get("Pod", "default", "p")
    with pytest.raises(NotFoundError):
        cluster.get("ConfigMap", "default", "owner")


def test_foreground_deletion_of_a_pod_still_waits_for_its_grace_period(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                    "spec": {"nodeName": "minikube", "terminationGracePeriodSeconds": 5,
                             "containers": [{"name": "c", "image": "nginx"}]}})
    cluster.delete("Pod", "default", "p", propagation="Foreground")
    pod = cluster.get("Pod", "default", "p")  # the finalizer went at once; the kubelet has 5 s
    assert pod["metadata"]["deletionTimestamp"] and not pod["metadata"].get("finalizers")
    cluster.advance(6)
    with pytest.raises(NotFoundError):
        cluster.get("Pod", "default", "p")


def test_an_unknown_propagation_policy_is_refused(cluster: SimCluster) -> None:
    from kapply.errors import InvalidError

    cluster.create(cm("x"))
    with pytest.raises(InvalidError, match='Unsupported value: "Sideways"'):
        cluster.delete("ConfigMap", "default", "x", propagation="Sideways")
