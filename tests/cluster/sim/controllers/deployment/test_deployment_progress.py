"""The Progressing condition after a rollout step (progress.go's syncRolloutStatus, pure part)."""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.controllers.deployment import conditions as cond
from kapply.cluster.sim.controllers.deployment.progress import rollout_status

T0 = 1_767_225_600.0


def deployment(deadline: int | None = 60, **status: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 1, "maxUnavailable": 0}}}
    if deadline is not None:
        spec["progressDeadlineSeconds"] = deadline
    return {"metadata": {"name": "web", "generation": 1}, "spec": spec, "status": status}


def rs(name: str, replicas: int, available: int) -> dict[str, Any]:
    return {"metadata": {"name": name}, "spec": {"replicas": replicas},
            "status": {"replicas": replicas, "readyReplicas": available, "availableReplicas": available}}


def progressing(status: dict[str, Any]) -> dict[str, Any] | None:
    return cond.get_condition(status, cond.PROGRESSING)


def test_complete_rollout_reports_new_replica_set_available() -> None:
    d = deployment(conditions=[cond.new_condition("Progressing", "True", "ReplicaSetUpdated", "x", T0)])
    new = rs("web-new", 3, 3)
    status = rollout_status(d, [rs("web-old", 0, 0), new], new, T0 + 5)
    c = progressing(status)
    assert c is not None
    assert (c["status"], c["reason"], c["message"]) == (
        "True", "NewReplicaSetAvailable", 'ReplicaSet "web-new" has successfully progressed.')
    assert cond.get_condition(status, "Available")["reason"] == "MinimumReplicasAvailable"  # type: ignore[index]


def test_progress_refreshes_update_time_but_not_transition_time() -> None:
    d = deployment(conditions=[cond.new_condition("Progressing", "True", "ReplicaSetUpdated", "x", T0)],
                   replicas=4, updatedReplicas=1, availableReplicas=3, readyReplicas=3)
    new = rs("web-new", 2, 1)
    status = rollout_status(d, [rs("web-old", 2, 2), new], new, T0 + 30)
    c = progressing(status)
    assert c is not None and c["reason"] == "ReplicaSetUpdated"
    assert c["message"] == 'ReplicaSet "web-new" is progressing.'
    assert (c["lastTransitionTime"], c["lastUpdateTime"]) == ("2026-01-01T00:00:00Z", "2026-01-01T00:00:30Z")


def test_no_progress_past_the_deadline_times_out() -> None:
    d = deployment(conditions=[cond.new_condition("Progressing", "True", "ReplicaSetUpdated", "x", T0)],
                   replicas=4, updatedReplicas=1, availableReplicas=3, readyReplicas=3)
    new = rs("web-new", 1, 0)
    before = rollout_status(d, [rs("web-old", 3, 3), new], new, T0 + 60)
    assert progressing(before)["reason"] == "ReplicaSetUpdated"  # type: ignore[index]
    after = rollout_status(d, [rs("web-old", 3, 3), new], new, T0 + 61)
    c = progressing(after)
    assert c is not None
    assert (c["status"], c["reason"], c["message"]) == (
        "False", "ProgressDeadlineExceeded", 'ReplicaSet "web-new" has timed out progressing.')


def test_without_deadline_there_is_no_progressing_condition() -> None:
    d = deployment(deadline=None,
                   conditions=[cond.new_condition("Progressing", "True", "ReplicaSetUpdated", "x", T0)])
    new = rs("web-new", 3, 2)
    status = rollout_status(d, [new], new, T0 + 1000)
    assert progressing(status) is None
    assert cond.get_condition(status, "Available")["status"] == "False"  # type: ignore[index]  # 2 < 3 - 0


def test_replica_failure_is_surfaced() -> None:
    new = rs("web-new", 3, 0)
    new["status"]["conditions"] = [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                                    "message": "pods \"x\" is forbidden", "lastTransitionTime": "t"}]
    status = rollout_status(deployment(), [new], new, T0)
    failure = cond.get_condition(status, "ReplicaFailure")
    assert failure is not None and failure["reason"] == "FailedCreate"


def test_a_rolled_out_deployment_that_loses_its_pods_costs_no_timer_per_second(tmp_path: Any) -> None:
    # Complete (NewReplicaSetAvailable) but unavailable: no progress deadline applies, so there is
    # nothing to re-check on a timer; `cluster advance 1h` must cost events, not 3,600 ticks.
    from kapply.cluster.sim.nodeops import fail_node
    from kapply.cluster.sim.testing import new_test_cluster

    cluster = new_test_cluster(tmp_path, nodes=1)
    labels = {"app": "web"}
    cluster.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                    "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                             "template": {"metadata": {"labels": labels},
                                          "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
    cluster.advance(10)
    fail_node(cluster, "minikube")  # its pods go not-ready, then are evicted with nowhere to go
    result = cluster.advance(3600)
    assert result.timers < 60, result
    d = cluster.get("Deployment", "default", "web")
    assert cond.get_condition(d["status"], "Available")["status"] == "False"  # type: ignore[index]
    assert progressing(d["status"])["reason"] == "NewReplicaSetAvailable"  # type: ignore[index]
