"""The replica manager: pods created, adopted, ranked and deleted as Kubernetes does."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.helpers.podrank import deletion_order, pods_to_delete
from kapply.cluster.sim.helpers.podutil import format_time
from kapply.cluster.sim.testing import new_test_cluster

NOW = 1_767_225_600.0


def pod(name: str, node: str = "n1", phase: str = "Running", ready_at: float | None = None,
        created: float = NOW - 1000, restarts: int = 0, cost: int | None = None,
        uid: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, "containerStatuses": [{"restartCount": restarts}]}
    if ready_at is not None:
        status["conditions"] = [{"type": "Ready", "status": "True",
                                 "lastTransitionTime": format_time(ready_at)}]
    meta: dict[str, Any] = {"name": name, "uid": uid or name, "creationTimestamp": format_time(created)}
    if cost is not None:
        meta["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": str(cost)}
    return {"metadata": meta, "spec": {"nodeName": node}, "status": status}


@pytest.mark.parametrize(("first", "second"), [
    (pod("unscheduled", node="", phase="Pending"), pod("scheduled", phase="Pending")),
    (pod("pending", phase="Pending"), pod("unknown", phase="Unknown")),
    (pod("unknown", phase="Unknown"), pod("running")),
    (pod("not-ready"), pod("ready", ready_at=NOW - 100)),
    (pod("cheap", ready_at=NOW - 100, cost=-5), pod("dear", ready_at=NOW - 100, cost=10)),
    (pod("ready-briefly", ready_at=NOW - 10), pod("ready-long", ready_at=NOW - 3000)),
    (pod("crashy", restarts=5), pod("steady", restarts=0)),
    (pod("newer", created=NOW - 10), pod("older", created=NOW - 5000)),
    # same power-of-two bucket of age: Kubernetes (LogarithmicScaleDown) falls back to the uid
    (pod("b", created=NOW - 100, uid="a-uid"), pod("a", created=NOW - 101, uid="b-uid")),
])
def test_deletion_rank(first: dict[str, Any], second: dict[str, Any]) -> None:
    assert [p["metadata"]["name"] for p in deletion_order([second, first], [], NOW)] == [
        first["metadata"]["name"], second["metadata"]["name"]]
    assert deletion_order([first, second], [], NOW)[0] is first


def test_doubled_up_pods_go_first() -> None:
    alone, crowded = pod("alone", node="n1", ready_at=NOW - 50), pod("crowded", node="n2", ready_at=NOW - 50)
    related = [crowded, pod("sibling", node="n2"), alone]
    assert deletion_order([alone, crowded], related, NOW)[0]["metadata"]["name"] == "crowded"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(specs=st.lists(st.tuples(st.sampled_from(["", "n1", "n2"]), st.sampled_from(["Pending", "Running"]),
                                st.one_of(st.none(), st.integers(1, 5000)), st.integers(0, 3),
                                st.integers(1, 5000)), max_size=25),
       count=st.integers(0, 30))
def test_pods_to_delete_is_the_head_of_the_full_order(specs: list[tuple[Any, ...]], count: int) -> None:
    """The heap selection a paced step uses picks what sorting every pod would (stable ties)."""
    pods = [pod(f"p{i}", node=node, phase=phase, ready_at=None if ready is None else NOW - ready,
                restarts=restarts, created=NOW - age)
            for i, (node, phase, ready, restarts, age) in enumerate(specs)]
    assert pods_to_delete(pods, pods, count, NOW) == deletion_order(pods, pods, NOW)[:count]


def rs_manifest(replicas: int = 3, name: str = "web", min_ready: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}}
    if min_ready:
        spec["minReadySeconds"] = min_ready
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=3)


def names(cluster: SimCluster) -> list[str]:
    return [p["metadata"]["name"] for p in cluster.list("Pod", "default")
            if not p["metadata"].get("deletionTimestamp")]


def test_creates_pods_with_owner_and_reports_status(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(3))
    pods = cluster.list("Pod", "default")
    assert len(pods) == 3
    rs = cluster.get("ReplicaSet", "default", "web")
    for p in pods:
        assert p["metadata"]["name"].startswith("web-") and len(p["metadata"]["name"]) == len("web-") + 5
        ref = p["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == (
            "ReplicaSet", "web", rs["metadata"]["uid"], True)
        assert p["metadata"]["labels"] == {"app": "web"}
    assert rs["status"]["replicas"] == 3
    assert "readyReplicas" not in rs["status"]
    cluster.advance_until_idle()
    status = cluster.get("ReplicaSet", "default", "web")["status"]
    assert (status["readyReplicas"], status["availableReplicas"], status["observedGeneration"]) == (3, 3, 1)
    messages = [e["message"] for e in cluster.events("default") if e["reason"] == "SuccessfulCreate"]
    assert sorted(messages) == sorted(f"Created pod: {n}" for n in names(cluster))


def test_scale_down_deletes_not_ready_first_and_replaces_deleted(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(3))
    cluster.advance_until_idle()
    ready = set(names(cluster))
    rs = cluster.get("ReplicaSet", "default", "web")
    rs["spec"]["replicas"] = 5
    cluster.update(rs)
    fresh = set(names(cluster)) - ready
    assert len(fresh) == 2
    rs = cluster.get("ReplicaSet", "default", "web")
    rs["spec"]["replicas"] = 3
    cluster.update(rs)
    assert set(names(cluster)) == ready  # the two not-yet-ready pods went first
    deleted = [e["message"] for e in cluster.events("default") if e["reason"] == "SuccessfulDelete"]
    assert sorted(deleted) == sorted(f"Deleted pod: {n}" for n in fresh)
    victim = sorted(ready)[0]
    cluster.delete("Pod", "default", victim)
    assert len(names(cluster)) == 3 and victim not in names(cluster)
    assert cluster.get("ReplicaSet", "default", "web")["status"]["replicas"] == 3


def test_adopts_orphans_and_releases_relabelled_pods(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "stray", "labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}})
    cluster.create(rs_manifest(2))
    stray = cluster.get("Pod", "default", "stray")
    assert stray["metadata"]["ownerReferences"][0]["name"] == "web"
    assert len(names(cluster)) == 2
    stray["metadata"]["labels"] = {"app": "other"}
    cluster.update(stray)
    assert "ownerReferences" not in cluster.get("Pod", "default", "stray")["metadata"]
    assert len(names(cluster)) == 3  # a replacement was created


def test_min_ready_seconds_delays_availability(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(2, min_ready=10))
    cluster.advance(5)
    status = cluster.get("ReplicaSet", "default", "web")["status"]
    assert status.get("readyReplicas") == 2 and "availableReplicas" not in status
    cluster.advance(10)
    assert cluster.get("ReplicaSet", "default", "web")["status"]["availableReplicas"] == 2


def test_replication_controller_defaults_and_manages_pods(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy"},
                    "spec": {"template": {"metadata": {"labels": {"app": "legacy"}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}}})
    rc = cluster.get("ReplicationController", "default", "legacy")
    assert (rc["spec"]["selector"], rc["spec"]["replicas"], rc["metadata"]["labels"]) == (
        {"app": "legacy"}, 1, {"app": "legacy"})
    pods = cluster.list("Pod", "default")
    assert len(pods) == 1 and pods[0]["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController"
    cluster.advance_until_idle()
    assert cluster.get("ReplicationController", "default", "legacy")["status"]["readyReplicas"] == 1


def test_deleting_owner_removes_pods(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(2))
    cluster.advance_until_idle()
    cluster.delete("ReplicaSet", "default", "web")
    cluster.advance_until_idle()
    assert cluster.list("Pod", "default") == []


# --- pacing: bursts through the controller manager's client (controllers/slowstart.py) ------------

def scale(cluster: SimCluster, replicas: int, kind: str = "ReplicaSet", name: str = "web") -> None:
    cluster.patch(kind, "default", name, {"spec": {"replicas": replicas}}, patch_type="merge")


def test_a_large_scale_up_creates_a_bucket_of_pods_per_refill(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(5000))
    assert len(names(cluster)) == 30  # one full client bucket at once
    cluster.advance(1.0)  # pods were scheduled and started meanwhile: those syncs created nothing
    assert len(names(cluster)) == 30
    cluster.advance(0.5)
    assert len(names(cluster)) == 60
    cluster.advance(15)
    assert len(names(cluster)) == 30 * (1 + 11)  # 20 pods a second, as --kube-api-qps 20
    assert cluster.get("ReplicaSet", "default", "web")["status"]["replicas"] == 360


def test_a_billion_replicas_cost_one_step_per_refill(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(1))
    scale(cluster, 1_000_000_000)
    assert len(names(cluster)) == 31
    result = cluster.advance(3)
    assert len(names(cluster)) == 91
    assert result.syncs < 400  # bounded by the pods made, not by the count asked for
    status = cluster.get("ReplicaSet", "default", "web")["status"]
    assert (status["replicas"], status["observedGeneration"]) == (91, 2)


def test_scale_down_deletes_in_paced_steps(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(100))
    cluster.advance(10)
    assert len(names(cluster)) == 100
    scale(cluster, 0)
    assert len(names(cluster)) == 70
    cluster.advance(1.5)
    assert len(names(cluster)) == 40
    cluster.advance(3)
    assert names(cluster) == []


def test_a_scale_down_during_a_scale_up_waits_for_the_step_in_flight(cluster: SimCluster) -> None:
    cluster.create(rs_manifest(100))
    scale(cluster, 10)
    assert len(names(cluster)) == 30  # the expectations of the first step are not yet satisfied
    cluster.advance(1.5)
    assert len(names(cluster)) == 10


def test_deployment_scaled_to_a_billion_grows_in_steps(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                    "spec": rs_manifest(1)["spec"]})
    cluster.advance(5)
    scale(cluster, 1_000_000_000, kind="Deployment")
    assert len(names(cluster)) == 31
    cluster.advance(1.5)
    deployment = cluster.get("Deployment", "default", "web")
    assert (deployment["spec"]["replicas"], deployment["status"]["replicas"]) == (1_000_000_000, 61)


class FailingContext:
    """A Context whose pod creates are all refused (as a terminating namespace refuses them)."""

    def __init__(self, owner: dict[str, Any]) -> None:
        self.now, self.random = NOW, random.Random(0)
        self.owner, self.creates, self.events, self.timers = owner, 0, [], {}
        self.statuses: list[dict[str, Any]] = []

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.owner if kind == "ReplicaSet" else None

    def list(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return []

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        from kapply.errors import ForbiddenError

        self.creates += 1
        raise ForbiddenError('pods "x" is forbidden: unable to create new content in namespace default '
                             "because it is being terminated")

    def update_status(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.statuses.append(obj["status"])
        return obj

    def record_event(self, obj: dict[str, Any], type_: str, reason: str, message: str) -> None:
        self.events.append(reason)

    def requeue_after(self, seconds: float, key: str) -> None:
        self.timers[key] = self.now + seconds

    def requeue_at(self, when: float, key: str) -> None:
        self.timers[key] = when

    def due(self, key: str) -> float | None:
        return self.timers.get(key)


def test_refused_creates_stop_after_the_first_slow_start_batch() -> None:
    from kapply.cluster.sim.controllers.replicaset import FAILED_CREATE_RETRY, ReplicaManager

    owner = rs_manifest(500)
    owner["metadata"].update(namespace="default", uid="rs-uid", generation=1)
    ctx = FailingContext(owner)
    ReplicaManager().sync(ctx, "default/web")  # type: ignore[arg-type]
    assert (ctx.creates, ctx.events) == (1, ["FailedCreate"])  # one request, not 500
    condition = ctx.statuses[-1]["conditions"][0]
    assert (condition["type"], condition["reason"]) == ("ReplicaFailure", "FailedCreate")
    assert ctx.timers == {"default/web": NOW + FAILED_CREATE_RETRY}  # a retry, no paced step
