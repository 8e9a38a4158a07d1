"""`describe deployment | replicaset | replicationcontroller` pages."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, T0, deployment, event, pod, replica_set

from kapply.cli.printers.describe import describe
from kapply.cli.printers.describe.workloads import split_replica_sets

GOLDEN = Path(__file__).parent / "golden"


def _replica_sets() -> list[dict]:
    return [
        replica_set("hello-node-7c9d8b6f4d", "7c9d8b6f4d", "hello-node:v1", 2, T0),
        replica_set("hello-node-5f76cf6ccf", "5f76cf6ccf", "hello-node:v0", 2, "2026-01-01T00:00:00Z"),
        replica_set("hello-node-6b5d7c8e9f", "6b5d7c8e9f", "hello-node:v-1", 0, "2025-12-01T00:00:00Z"),
        replica_set("other-7c9d8b6f4d", "7c9d8b6f4d", "hello-node:v1", 1, T0, owner_uid="someone-else"),
    ]


def test_deployment_page_mid_rollout() -> None:
    events = [event("ScalingReplicaSet", "Scaled up replica set hello-node-7c9d8b6f4d from 0 to 1",
                    "deployment-controller", kind="Deployment", name="hello-node", uid="deploy-uid-1")]
    page = describe(deployment(), {"ReplicaSet": _replica_sets()}, events, NOW)
    assert page == (GOLDEN / "describe_deployment.txt").read_text()


def test_new_replica_set_matches_template_ignoring_hash_and_old_ones_oldest_first() -> None:
    old, new = split_replica_sets(deployment(), _replica_sets())
    assert new is not None and new["metadata"]["name"] == "hello-node-7c9d8b6f4d"
    # all old ReplicaSets, scaled-to-zero history included (the page then shows only those with
    # replicas, as kubectl's GetAllReplicaSets does); other owners' are not
    assert [rs["metadata"]["name"] for rs in old] == ["hello-node-6b5d7c8e9f", "hello-node-5f76cf6ccf"]


def test_deployment_without_replica_sets_or_rolling_update() -> None:
    d = deployment()
    d["spec"]["strategy"] = {"type": "Recreate"}
    d["status"] = {}
    page = describe(d, {"ReplicaSet": []}, [], NOW)
    assert "StrategyType:       Recreate\n" in page
    assert "RollingUpdateStrategy" not in page
    assert "0 updated | 0 total | 0 available | 0 unavailable" in page
    assert "OldReplicaSets" not in page and "NewReplicaSet" not in page
    assert "Conditions" not in page


def test_replica_set_page_counts_only_its_own_pods() -> None:
    rs = replica_set("hello-node-5f76cf6ccf", "5f76cf6ccf", "hello-node:v0", 2, "2026-01-01T00:00:00Z")
    rs["metadata"]["uid"] = "rs-uid-1"
    pending = pod("b")
    pending["status"]["phase"] = "Pending"
    foreign = pod("c")
    foreign["metadata"]["ownerReferences"][0]["uid"] = "another-rs"
    page = describe(rs, {"Pod": [pod(), pending, foreign]}, [], NOW)
    assert page == (GOLDEN / "describe_replicaset.txt").read_text()


def test_replication_controller_page() -> None:
    rc = {
        "apiVersion": "v1", "kind": "ReplicationController",
        "metadata": {"name": "web", "namespace": "default", "uid": "rc-uid", "creationTimestamp": T0},
        "spec": {"replicas": 2, "selector": {"app": "web"},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}},
        "status": {"replicas": 1},
    }
    p = pod("web-abcde")
    p["metadata"]["ownerReferences"] = [{"kind": "ReplicationController", "name": "web", "uid": "rc-uid",
                                         "controller": True}]
    failed = pod("web-fghij")
    failed["metadata"]["ownerReferences"] = p["metadata"]["ownerReferences"]
    failed["status"]["phase"] = "Failed"
    page = describe(rc, {"Pod": [p, failed]}, [], NOW)
    assert page.startswith("Name:         web\nNamespace:    default\nSelector:     app=web\n"
                           "Labels:       <none>\nAnnotations:  <none>\n"
                           "Replicas:     1 current / 2 desired\n"
                           "Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 1 Failed\n"
                           "Pod Template:\n")
    assert "    Port:          <none>\n    Host Port:     <none>\n" in page


def test_stateful_set_page_with_claim_templates() -> None:
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": "db", "namespace": "default", "uid": "sts-uid", "creationTimestamp": T0},
           "spec": {"replicas": 3, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [
                        {"name": "postgres", "image": "postgres:16",
                         "ports": [{"containerPort": 5432, "protocol": "TCP"}]}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                        "accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                        "resources": {"requests": {"storage": "1Gi"}}}}]},
           "status": {"replicas": 2}}
    member = pod("db-0")
    member["metadata"]["ownerReferences"] = [{"kind": "StatefulSet", "name": "db", "uid": "sts-uid",
                                              "controller": True}]
    page = describe(sts, {"Pod": [member, pod("stranger")]}, [], NOW)
    assert page == (GOLDEN / "describe_statefulset.txt").read_text()
