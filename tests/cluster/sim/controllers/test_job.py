"""The Job controller through the runtime, checked against kube-controller-manager's
pkg/controller/job (job_controller.go syncJob / manageJob: parallelism and remaining completions,
the tracking finalizer, SuccessCriteriaMet / FailureTarget before Complete / Failed with
CompletionsReached, BackoffLimitExceeded, DeadlineExceeded and PodFailurePolicy;
backoff_utils.go: 10 s doubling; indexed_job_utils.go; pod_failure_policy.go) and the
ttl-after-finished controller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.helpers.podutil import parse_time
from kapply.cluster.sim.nodeops import set_image_run
from kapply.cluster.sim.testing import new_test_cluster

START = 2.0  # pod start-up of the test cluster
RUN = 5.0  # the default job_duration


def job(name: str = "pi", image: str = "perl:5.34", restart: str = "Never", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"template": {"spec": {"restartPolicy": restart,
                                                  "containers": [{"name": "main", "image": image}]}}}
    body.update(spec)
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": body}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=2)


def get(cluster: SimCluster, name: str = "pi") -> dict[str, Any]:
    return cluster.get("Job", "default", name)


def conditions(cluster: SimCluster, name: str = "pi") -> list[tuple[str, str, str]]:
    found = get(cluster, name).get("status", {}).get("conditions", [])
    return [(c["type"], c["status"], c["reason"]) for c in found]


def pods(cluster: SimCluster) -> list[dict[str, Any]]:
    return sorted(cluster.list("Pod", "default"), key=lambda p: p["metadata"]["creationTimestamp"])


def events(cluster: SimCluster, reason: str) -> list[str]:
    found = [e for e in cluster.events("default")
             if e["reason"] == reason and e["involvedObject"]["kind"] == "Job"]
    return [e["message"] for e in sorted(found, key=lambda e: int(e["metadata"]["resourceVersion"]))]


def test_completions_and_parallelism(cluster: SimCluster) -> None:
    cluster.create(job(completions=3, parallelism=2))
    created = get(cluster)
    assert created["spec"]["selector"] == {"matchLabels": {
        "batch.kubernetes.io/controller-uid": created["metadata"]["uid"]}}
    assert len(pods(cluster)) == 2
    pod = pods(cluster)[0]
    assert pod["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "pi"
    assert pod["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    cluster.advance(START + RUN)
    assert get(cluster)["status"]["succeeded"] == 2 and len(pods(cluster)) == 3  # one completion left
    done = [p for p in pods(cluster) if p["status"]["phase"] == "Succeeded"]
    assert done and all("finalizers" not in p["metadata"] for p in done)
    cluster.advance(START + RUN)
    status = get(cluster)["status"]
    assert conditions(cluster) == [("SuccessCriteriaMet", "True", "CompletionsReached"),
                                   ("Complete", "True", "CompletionsReached")]
    assert status["succeeded"] == 3 and status["ready"] == 0 and status["terminating"] == 0
    assert status["uncountedTerminatedPods"] == {} and "active" not in status
    assert parse_time(status["completionTime"]) - parse_time(status["startTime"]) == 2 * (START + RUN)
    assert events(cluster, "Completed") == ["Job completed"]
    assert len(events(cluster, "SuccessfulCreate")) == 3
    assert events(cluster, "SuccessfulCreate")[0].startswith("Created pod: pi-")


def test_failed_pods_are_replaced_after_a_doubling_back_off(cluster: SimCluster) -> None:
    set_image_run(cluster, "perl:5.34", 3.0, 1)
    cluster.create(job(backoffLimit=3))
    cluster.advance(600)
    created = [parse_time(p["metadata"]["creationTimestamp"]) for p in pods(cluster)]
    finished = [parse_time(p["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"])
                for p in pods(cluster)]
    waits = [created[i + 1] - finished[i] for i in range(len(created) - 1)]  # type: ignore[operator]
    assert waits == [10.0, 20.0, 40.0]
    assert conditions(cluster) == [("FailureTarget", "True", "BackoffLimitExceeded"),
                                   ("Failed", "True", "BackoffLimitExceeded")]
    assert get(cluster)["status"]["failed"] == 4
    assert events(cluster, "BackoffLimitExceeded") == ["Job has reached the specified backoff limit"]


def test_restart_policy_on_failure_counts_restarts(cluster: SimCluster) -> None:
    set_image_run(cluster, "perl:5.34", 1.0, 2)
    cluster.create(job(restart="OnFailure", backoffLimit=2))
    cluster.advance(600)
    assert ("Failed", "True", "BackoffLimitExceeded") in conditions(cluster)
    assert len(pods(cluster)) == 1 or all(p["status"]["phase"] != "Running" for p in pods(cluster))


def test_active_deadline(cluster: SimCluster) -> None:
    set_image_run(cluster, "perl:5.34", 100.0, 0)
    cluster.create(job(activeDeadlineSeconds=10))
    cluster.advance(9)
    assert conditions(cluster) == []
    cluster.advance(1)
    assert conditions(cluster) == [("FailureTarget", "True", "DeadlineExceeded"),
                                   ("Failed", "True", "DeadlineExceeded")]
    assert events(cluster, "DeadlineExceeded") == ["Job was active longer than specified deadline"]
    assert get(cluster)["status"]["failed"] == 1 and "active" not in get(cluster)["status"]


def test_ttl_after_finished_deletes_the_job_and_its_pods(cluster: SimCluster) -> None:
    cluster.create(job(ttlSecondsAfterFinished=30))
    cluster.advance(START + RUN + 29)
    assert cluster.list("Job", "default")
    cluster.advance(1)
    assert cluster.list("Job", "default") == []
    cluster.advance(60)
    assert cluster.list("Pod", "default") == []


def test_pod_failure_policy(cluster: SimCluster) -> None:
    policy = {"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [3]}},
                        {"action": "FailJob", "onExitCodes": {"containerName": "main", "operator": "In",
                                                              "values": [42]}}]}
    set_image_run(cluster, "flaky:1", 1.0, 3)
    cluster.create(job("flaky", image="flaky:1", podFailurePolicy=policy, backoffLimit=0))
    cluster.advance(30)
    assert conditions(cluster, "flaky") == [] and "failed" not in get(cluster, "flaky")["status"]
    set_image_run(cluster, "bad:1", 1.0, 42)
    cluster.create(job("bad", image="bad:1", podFailurePolicy=policy))
    cluster.advance(30)
    assert conditions(cluster, "bad") == [("FailureTarget", "True", "PodFailurePolicy"),
                                          ("Failed", "True", "PodFailurePolicy")]
    message = get(cluster, "bad")["status"]["conditions"][0]["message"]
    assert message.startswith("Container main for pod default/bad-") and message.endswith(
        " failed with exit code 42 matching FailJob rule at index 1")


def test_suspend_and_resume(cluster: SimCluster) -> None:
    cluster.create(job(suspend=True))
    cluster.advance(30)
    assert pods(cluster) == [] and conditions(cluster) == [("Suspended", "True", "JobSuspended")]
    assert "startTime" not in get(cluster)["status"]
    obj = get(cluster)
    obj["spec"]["suspend"] = False
    cluster.update(obj)
    cluster.advance(1)
    assert len(pods(cluster)) == 1 and conditions(cluster) == [("Suspended", "False", "JobResumed")]
    obj = get(cluster)
    obj["spec"]["suspend"] = True
    cluster.update(obj)
    cluster.advance(60)
    assert pods(cluster) == [] and "failed" not in get(cluster)["status"]  # not counted as a failure
    assert events(cluster, "Suspended") == ["Job suspended"] and events(cluster, "Resumed") == ["Job resumed"]


def test_indexed_completion(cluster: SimCluster) -> None:
    cluster.create(job(completions=3, parallelism=3, completionMode="Indexed"))
    names = sorted(p["metadata"]["name"] for p in pods(cluster))
    assert [n.rsplit("-", 1)[0] for n in names] == ["pi-0", "pi-1", "pi-2"]
    pod = next(p for p in pods(cluster) if p["metadata"]["name"].startswith("pi-1-"))
    assert pod["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == "1"
    assert pod["spec"]["hostname"] == "pi-1"
    assert pod["spec"]["containers"][0]["env"][-1]["name"] == "JOB_COMPLETION_INDEX"
    cluster.advance(START + RUN)
    status = get(cluster)["status"]
    assert status["completedIndexes"] == "0-2" and status["succeeded"] == 3
    assert ("Complete", "True", "CompletionsReached") in conditions(cluster)


def test_work_queue_job_completes_when_all_pods_finished(cluster: SimCluster) -> None:
    cluster.create(job(parallelism=2))  # no completions: a work queue
    assert "completions" not in get(cluster)["spec"]
    cluster.advance(START + RUN)
    assert get(cluster)["status"]["succeeded"] == 2
    assert ("Complete", "True", "CompletionsReached") in conditions(cluster)


def test_a_deleted_job_releases_its_pods(cluster: SimCluster) -> None:
    set_image_run(cluster, "perl:5.34", 100.0, 0)
    cluster.create(job())
    cluster.advance(5)
    cluster.delete("Job", "default", "pi")
    cluster.advance(60)
    assert cluster.list("Pod", "default") == []
