"""PodDisruptionBudgets: the disruption controller's status and the eviction subresource's check.

Cases follow pkg/controller/disruption/disruption_test.go (TestNoSelector, TestUnavailable,
TestIntegerMinAvailable, TestReplicaSet, TestMultipleControllers' arithmetic, TestUpdateDisruptedPods)
and pkg/registry/core/pod/storage/eviction_test.go (TestEviction: budget allows / forbids, not ready
pods, TestEvictionIgnorePDB, TestEvictionPDBStatus)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import ClusterError, NotFoundError, TooManyRequestsError


def deployment(replicas: int, name: str = "web") -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def pdb(name: str = "web", selector: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"selector": {"matchLabels": {"app": "web"}} if selector is None else selector,
                            **spec}
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": body}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=2)


def status(cluster: SimCluster, name: str = "web") -> dict[str, Any]:
    return cluster.get("PodDisruptionBudget", "default", name)["status"]


def summary(cluster: SimCluster, name: str = "web") -> tuple[int, int, int, int]:
    s = status(cluster, name)
    return s["expectedPods"], s["desiredHealthy"], s["currentHealthy"], s["disruptionsAllowed"]


@pytest.mark.parametrize(("spec", "expected"), [
    ({"minAvailable": 2}, (3, 2, 3, 1)),
    ({"minAvailable": 3}, (3, 3, 3, 0)),
    ({"minAvailable": "50%"}, (3, 2, 3, 1)),  # 50% of the Deployment's 3, rounded up
    ({"maxUnavailable": 1}, (3, 2, 3, 1)),
    ({"maxUnavailable": "34%"}, (3, 1, 3, 2)),  # 34% of 3 rounded up is 2 unavailable
    ({"maxUnavailable": 0}, (3, 3, 3, 0)),
])
def test_status_of_a_budget_over_a_deployment(cluster: SimCluster, spec: dict[str, Any],
                                              expected: tuple[int, int, int, int]) -> None:
    cluster.create(deployment(3))
    cluster.create(pdb(**spec))
    cluster.advance_until_idle()
    assert summary(cluster) == expected
    s = status(cluster)
    assert s["observedGeneration"] == 1
    [cond] = s["conditions"]
    assert (cond["type"], cond["status"], cond["reason"]) == (
        "DisruptionAllowed", "True" if expected[3] else "False",
        "SufficientPods" if expected[3] else "InsufficientPods")


def test_unready_pods_are_not_healthy_and_a_null_selector_matches_nothing(cluster: SimCluster) -> None:
    cluster.create(deployment(2))
    cluster.create(pdb(minAvailable=1))
    cluster.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "none"},
                    "spec": {"minAvailable": 0}})  # no selector at all
    assert summary(cluster)[2] == 0  # the pods are still starting
    cluster.advance_until_idle()
    assert summary(cluster) == (2, 1, 2, 1)
    assert summary(cluster, "none") == (0, 0, 0, 0)  # no selector: no pods, no disruptions


def test_unmanaged_pods_are_left_out_of_a_percentage(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare", "labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    cluster.create(pdb(maxUnavailable=1))
    cluster.advance_until_idle()
    assert summary(cluster) == (0, 0, 1, 0)  # nothing expected: no disruption allowed


def test_a_controller_without_a_scale_fails_the_sync(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "web"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    cluster.create(pdb(maxUnavailable=1))
    cluster.advance_until_idle()
    s = status(cluster)
    assert s["disruptionsAllowed"] == 0
    [cond] = s["conditions"]
    assert (cond["status"], cond["reason"]) == ("False", "SyncFailed")
    assert cond["message"].startswith('found no controllers for pod "web-')
    assert "CalculateExpectedPodCountFailed" in {e["reason"] for e in cluster.events("default")}


def test_eviction_within_the_budget_takes_one_disruption(cluster: SimCluster) -> None:
    cluster.create(deployment(3))
    cluster.create(pdb(minAvailable=2))
    cluster.advance_until_idle()
    pod = cluster.list("Pod", "default")[0]["metadata"]["name"]
    cluster.evict("default", pod)
    gone = cluster.get("Pod", "default", pod)
    assert gone["metadata"]["deletionTimestamp"]  # deleted gracefully
    s = status(cluster)
    assert s["disruptionsAllowed"] == 0 and s["currentHealthy"] == 2


def test_eviction_beyond_the_budget_is_429(cluster: SimCluster) -> None:
    cluster.create(deployment(2))
    cluster.create(pdb(minAvailable=2))
    cluster.advance_until_idle()
    pod = cluster.list("Pod", "default")[0]["metadata"]["name"]
    with pytest.raises(TooManyRequestsError, match=re.escape(
            "Cannot evict pod as it would violate the pod's disruption budget.")) as err:
        cluster.evict("default", pod)
    assert err.value.code == 429
    assert err.value.causes == [
        ("DisruptionBudget", "The disruption budget web needs 2 healthy pods and has 2 currently")]
    assert not cluster.get("Pod", "default", pod)["metadata"].get("deletionTimestamp")


def test_a_disrupted_pod_stops_counting_and_the_budget_recovers(cluster: SimCluster) -> None:
    cluster.create(deployment(3))
    cluster.create(pdb(minAvailable=2))
    cluster.advance_until_idle()
    first, second = (p["metadata"]["name"] for p in cluster.list("Pod", "default")[:2])
    cluster.evict("default", first)
    with pytest.raises(TooManyRequestsError):
        cluster.evict("default", second)  # the replacement is not ready yet
    cluster.advance_until_idle()  # it is now: one more disruption is allowed
    assert summary(cluster) == (3, 2, 3, 1)
    cluster.evict("default", second)


def test_a_pending_pod_is_evicted_whatever_the_budget(cluster: SimCluster) -> None:
    stuck = deployment(1)
    stuck["spec"]["template"]["spec"]["nodeSelector"] = {"disk": "none-has-it"}  # never scheduled
    cluster.create(stuck)
    cluster.create(pdb(minAvailable=1))
    cluster.advance_until_idle()
    pod = cluster.list("Pod", "default")[0]
    assert pod["status"]["phase"] == "Pending"
    cluster.evict("default", pod["metadata"]["name"])  # canIgnorePDB
    with pytest.raises(NotFoundError):
        cluster.get("Pod", "default", pod["metadata"]["name"])


def test_an_unready_pod_goes_when_the_policy_allows(cluster: SimCluster) -> None:
    cluster.create(deployment(2))
    cluster.create(pdb(minAvailable=2, unhealthyPodEvictionPolicy="AlwaysAllow"))
    cluster.advance_until_idle()
    pod = cluster.list("Pod", "default")[0]
    pod["status"]["conditions"] = [dict(c, status="False") if c["type"] == "Ready" else c
                                   for c in pod["status"]["conditions"]]
    cluster.update_status(pod)
    cluster.evict("default", pod["metadata"]["name"])
    assert cluster.get("Pod", "default", pod["metadata"]["name"])["metadata"]["deletionTimestamp"]


def test_two_budgets_over_one_pod_are_refused(cluster: SimCluster) -> None:
    cluster.create(deployment(2))
    cluster.create(pdb(minAvailable=1))
    cluster.create(pdb("other", maxUnavailable=1))
    cluster.advance_until_idle()
    with pytest.raises(ClusterError, match="more than one PodDisruptionBudget") as err:
        cluster.evict("default", cluster.list("Pod", "default")[0]["metadata"]["name"])
    assert err.value.code == 500
