"""Benchmark: the DaemonSet and CronJob controllers at scale (issue 12).

- `daemonset_converge_s`: a DaemonSet on N nodes (default 1,000): created, one pod per node
  scheduled and Running and Ready, the DaemonSet's status settled (target < 5 s);
- `cronjobs_day_s`: 100 CronJobs (hourly, every 30 and every 20 minutes, at spread minutes),
  `cluster advance 1d`: every due schedule creates its Job, its pod runs and completes, the
  histories are trimmed (target < 10 s).
Prints one JSON line. Run: .venv/bin/python tests/bench/bench_workloads.py [NODES]
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.settings import ClusterSettings

SCHEDULES = ("{m} * * * *", "{m}/30 * * * *", "{m}/20 * * * *")


def daemon_set() -> dict:
    labels = {"app": "agent"}
    container = {"name": "agent", "image": "fluentd:v1.16",
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
    meta = {"name": "agent", "namespace": "default"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}}


def cron_job(i: int) -> dict:
    schedule = SCHEDULES[i % len(SCHEDULES)].format(m=i % 20)
    container = {"name": "c", "image": "busybox:1.36"}
    meta = {"name": f"cron{i}", "namespace": "default"}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
            "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure", "containers": [container]}}}}}}


def bench_daemonset(nodes: int, home: Path) -> dict:
    settings = ClusterSettings(nodes=nodes, manual_clock=True)
    cluster = create_cluster("ds", settings, home=home, clock=FakeClock())
    start = time.perf_counter()
    with cluster.session() as rt:
        rt.api.create(daemon_set(), validate=False)
    cluster.advance_until_idle()
    took = time.perf_counter() - start
    status = cluster.get("DaemonSet", "default", "agent")["status"]
    ready = sum(1 for p in cluster.list("Pod", "default") if p["status"].get("phase") == "Running")
    cluster.close()
    return {"nodes": nodes, "daemonset_converge_s": round(took, 2), "daemon_pods_running": ready,
            "numberReady": status.get("numberReady"),
            "desiredNumberScheduled": status.get("desiredNumberScheduled")}


def bench_cronjobs(home: Path, count: int = 100) -> dict:
    settings = ClusterSettings(nodes=10, manual_clock=True)
    cluster = create_cluster("cron", settings, home=home, clock=FakeClock())
    with cluster.session() as rt:
        for i in range(count):
            rt.api.create(cron_job(i), validate=False)
    start = time.perf_counter()
    advanced = cluster.advance(24 * 3600)
    took = time.perf_counter() - start
    created = sum(1 for e in cluster.events("default") if e["reason"] == "SuccessfulCreate"
                  and e["involvedObject"]["kind"] == "CronJob")
    jobs = cluster.list("Job", "default")
    cluster.close()
    return {"cronjobs": count, "cronjobs_day_s": round(took, 2), "day_timers": advanced.timers,
            "day_syncs": advanced.syncs, "jobs_kept": len(jobs), "job_creations_last_hour": created}


def main(nodes: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        result = bench_daemonset(nodes, Path(home))
        result.update(bench_cronjobs(Path(home)))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000)
