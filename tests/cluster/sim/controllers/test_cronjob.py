"""The CronJob controller: utils.go's mostRecentScheduleTime against Kubernetes' own table
(pkg/controller/cronjob/utils_test.go TestMostRecentScheduleTime), and scenarios through the
runtime against cronjob_controllerv2.go (Job names, concurrency policies, history limits,
suspension and too many missed start times, time zones)."""

from __future__ import annotations

import calendar
import time
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.controllers.cronjob.schedule import job_name, most_recent
from kapply.cluster.sim.nodeops import set_image_run
from kapply.cluster.sim.testing import new_test_cluster
from kapply.model.cron import CronError, parse_standard


def at(text: str) -> float:
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


TOP = at("2016-05-19T10:00:00Z")  # topOfTheHour in utils_test.go
JUST_BEFORE = at("2016-05-19T09:59:00Z")
HOUR = 3600.0


def cj_at(created: float, schedule: str, last: float | None = None,
          deadline: int | None = None) -> dict[str, Any]:
    from kapply.cluster.sim.helpers.podutil import format_time

    obj: dict[str, Any] = {"metadata": {"name": "mycronjob", "creationTimestamp": format_time(created)},
                           "spec": {"schedule": schedule}, "status": {}}
    if last is not None:
        obj["status"]["lastScheduleTime"] = format_time(last)
    if deadline is not None:
        obj["spec"]["startingDeadlineSeconds"] = deadline
    return obj


# utils_test.go TestMostRecentScheduleTime (earliest, most recent, missed)
@pytest.mark.parametrize(("cj", "now", "expected"), [
    (cj_at(JUST_BEFORE, "0 * * * *"), JUST_BEFORE + 30, (JUST_BEFORE, None, "none")),
    (cj_at(JUST_BEFORE, "0 * * * *"), TOP + 30, (JUST_BEFORE, TOP, "none")),
    (cj_at(TOP + 10, "0 * * * *"), TOP + 5 * HOUR, (TOP + 10, TOP + 5 * HOUR, "few")),
    (cj_at(TOP + 10, "30 6-16/4 * * 1-5"), TOP + 24 * HOUR + 31 * 60,
     (TOP + 10, TOP + 24 * HOUR + 30 * 60, "few")),
    (cj_at(TOP - 10 * HOUR, "0 * * * *", last=TOP - 3 * HOUR), TOP + 30, (TOP - 3 * HOUR, TOP, "few")),
    (cj_at(TOP - 200 * HOUR, "0 * * * *", last=TOP - 150 * HOUR), TOP + 30, (TOP - 150 * HOUR, TOP, "many")),
    (cj_at(TOP - 200 * HOUR, "0 * * * *", last=TOP - 150 * HOUR, deadline=3600), TOP + 30,
     (TOP + 30 - 3600, TOP, "none")),
])
def test_most_recent_schedule_time(cj: dict[str, Any], now: float, expected: tuple[Any, ...]) -> None:
    assert most_recent(cj, now, parse_standard(cj["spec"]["schedule"]), with_deadline=True) == expected


def test_rogue_schedule_is_an_error() -> None:
    cj = cj_at(TOP + 10, "59 23 31 2 *")
    with pytest.raises(CronError, match="time difference between two schedules is less than 1 second"):
        most_recent(cj, TOP + HOUR, parse_standard("59 23 31 2 *"), with_deadline=True)


def test_job_names_are_minutes_since_the_epoch() -> None:
    assert job_name({"metadata": {"name": "hello"}}, TOP) == f"hello-{int(TOP // 60)}"


def cron_job(name: str = "hello", schedule: str = "*/10 * * * *", image: str = "busybox:1.28",
             **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"schedule": schedule, "jobTemplate": {"spec": {"backoffLimit": 0, "template": {
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": image}]}}}}}
    body.update(spec)
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name}, "spec": body}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=2)  # its clock starts 2026-01-01T00:00:00Z


def jobs(cluster: SimCluster) -> list[str]:
    return sorted(j["metadata"]["name"] for j in cluster.list("Job", "default"))


def events(cluster: SimCluster, reason: str) -> list[str]:
    found = [e for e in cluster.events("default")
             if e["reason"] == reason and e["involvedObject"]["kind"] == "CronJob"]
    return [e["message"] for e in sorted(found, key=lambda e: int(e["metadata"]["resourceVersion"]))]


def test_runs_each_schedule_and_keeps_three_successful_jobs(cluster: SimCluster) -> None:
    start = cluster.now()
    cluster.create(cron_job())
    cluster.advance(10 * 60 + 1)
    first = f"hello-{int((start + 600) // 60)}"
    assert jobs(cluster) == [first]
    job = cluster.get("Job", "default", first)
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == \
        "2026-01-01T00:10:00Z"
    status = cluster.get("CronJob", "default", "hello")["status"]
    assert status["lastScheduleTime"] == "2026-01-01T00:10:00Z"
    assert [a["name"] for a in status["active"]] == [first]
    cluster.advance(3600)
    assert len(jobs(cluster)) == 4  # successfulJobsHistoryLimit 3, plus the one that just started
    status = cluster.get("CronJob", "default", "hello")["status"]
    assert status["lastScheduleTime"] == "2026-01-01T01:10:00Z" and len(status["active"]) == 1
    cluster.advance(10)
    assert len(jobs(cluster)) == 3
    assert "active" not in cluster.get("CronJob", "default", "hello")["status"]
    second = f"hello-{int((start + 1200) // 60)}"  # events keep an hour: the first one's has expired
    assert f"Saw completed job: {second}, condition: Complete" in events(cluster, "SawCompletedJob")
    assert f"Deleted job {first}" in events(cluster, "SuccessfulDelete")


def test_failed_jobs_history_limit(cluster: SimCluster) -> None:
    set_image_run(cluster, "busybox:1.28", 1.0, 1)
    cluster.create(cron_job(failedJobsHistoryLimit=1))
    cluster.advance(3 * 3600)
    kept = [j for j in cluster.list("Job", "default")]
    assert len(kept) == 1
    assert any(c["type"] == "Failed" for c in kept[0]["status"]["conditions"])


def test_forbid_skips_while_a_job_runs(cluster: SimCluster) -> None:
    set_image_run(cluster, "busybox:1.28", 25 * 60.0, 0)  # runs 25 minutes
    cluster.create(cron_job(concurrencyPolicy="Forbid"))
    cluster.advance(3600 + 1)
    assert len(jobs(cluster)) == 2  # 00:10 and 00:40 (00:20 and 00:30 were skipped)
    assert "Not starting job because prior execution is running and concurrency policy is Forbid" \
        in events(cluster, "JobAlreadyActive")


def test_replace_deletes_the_running_job(cluster: SimCluster) -> None:
    set_image_run(cluster, "busybox:1.28", 25 * 60.0, 0)
    cluster.create(cron_job(concurrencyPolicy="Replace"))
    cluster.advance(20 * 60 + 1)
    status = cluster.get("CronJob", "default", "hello")["status"]
    assert len(status["active"]) == 1
    assert status["active"][0]["name"] == f"hello-{int((cluster.now() - 1) // 60)}"  # the 00:20 one
    assert len(events(cluster, "SuccessfulDelete")) == 1


def test_allow_runs_concurrently(cluster: SimCluster) -> None:
    set_image_run(cluster, "busybox:1.28", 25 * 60.0, 0)
    cluster.create(cron_job())
    cluster.advance(30 * 60 + 1)
    assert len(cluster.get("CronJob", "default", "hello")["status"]["active"]) == 3


def test_resuming_after_a_long_suspension(cluster: SimCluster) -> None:
    cluster.create(cron_job(schedule="* * * * *"))
    cluster.advance(61)
    obj = cluster.get("CronJob", "default", "hello")
    obj["spec"]["suspend"] = True
    cluster.update(obj)
    cluster.advance(3 * 3600)
    assert len(jobs(cluster)) == 1
    obj = cluster.get("CronJob", "default", "hello")
    obj["spec"]["suspend"] = False
    cluster.update(obj)
    cluster.advance(1)
    assert events(cluster, "TooManyMissedTimes") == [
        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"]
    assert len(jobs(cluster)) == 2  # only the most recent missed start runs


def test_starting_deadline_bounds_what_counts_as_missed(cluster: SimCluster) -> None:
    cluster.create(cron_job(schedule="0 * * * *", suspend=True, startingDeadlineSeconds=30))
    cluster.advance(3 * 3600 + 45)
    obj = cluster.get("CronJob", "default", "hello")
    obj["spec"]["suspend"] = False
    cluster.update(obj)
    cluster.advance(1)
    assert events(cluster, "TooManyMissedTimes") == [] and jobs(cluster) == []  # 03:00 is 46 s ago
    cluster.advance(3600)
    assert len(jobs(cluster)) == 1


def test_time_zone(cluster: SimCluster) -> None:
    cluster.create(cron_job(schedule="0 9 * * *", timeZone="Asia/Tokyo"))  # 09:00 JST = 00:00 UTC
    cluster.advance(24 * 3600 + 1)
    (name,) = jobs(cluster)
    job = cluster.get("Job", "default", name)
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == \
        "2026-01-02T09:00:00+09:00"


def test_an_impossible_schedule_is_reported(cluster: SimCluster) -> None:
    cluster.create(cron_job(schedule="0 0 31 2 *"))
    cluster.advance(60)
    assert events(cluster, "InvalidSchedule") == [
        "invalid schedule: 0 0 31 2 * : time difference between two schedules is less than 1 second"]
