"""Benchmark (issue 11): scaling is bounded work; catching up is linear in the pods it makes.

1. The real `kapply scale deploy/web --replicas N` for N = 5,000 and 1,000,000,000 on a
   100-node cluster: wall time of the command (the replica manager makes one client burst of
   pods in it, the rest as the clock moves).
2. The cost of a catch-up that creates N pods (N = 1,000 ... 8,000): a fresh cluster scaled to a
   billion replicas, then `advance` by N / 20 virtual seconds (kube-controller-manager's 20
   requests a second); the pods are created, scheduled, started and made ready in it. Then the
   same for deleting them (scale to 0, advance by N / 20 + 60 s: deleted, terminated, gone).
   Per-pod cost should stay flat as N grows.
Prints one JSON line. Run: .venv/bin/python tests/bench/bench_bursts.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kapply.cluster.sim.helpers.slowstart import CLIENT_QPS
from kapply.cluster.sim.home import create_cluster, open_cluster
from kapply.cluster.sim.settings import ClusterSettings

NODES = 100
KAPPLY = str(Path(sys.executable).parent / "kapply")
CATCH_UPS = (1000, 2000, 4000, 8000)


def deployment() -> dict:
    labels = {"app": "web"}
    container = {"name": "web", "image": "hello-node:v1",
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}}


def _new(home: Path) -> None:
    cluster = create_cluster("default", ClusterSettings(nodes=NODES, manual_clock=True), home=home)
    cluster.create(deployment())
    cluster.advance_until_idle()
    cluster.close()


def scale_wall_time(home: Path, replicas: int) -> tuple[float, int]:
    """Seconds of the best of 3 `kapply scale` runs (each on a fresh cluster), and pods after it."""
    best = float("inf")
    pods = 0
    for _ in range(3):
        for path in home.glob("default.db*"):
            path.unlink()
        _new(home)
        env = dict(os.environ, KAPPLY_HOME=str(home))
        start = time.perf_counter()
        subprocess.run([KAPPLY, "scale", "deploy/web", "--replicas", str(replicas)], env=env, check=True,
                       capture_output=True)
        best = min(best, time.perf_counter() - start)
        cluster = open_cluster("default", home=home)
        pods = len(cluster.names("Pod", "default"))
        cluster.close()
    return best, pods


def catch_up(home: Path, pods: int) -> tuple[float, int, float, int]:
    """Seconds to catch up the virtual time in which the replica manager makes `pods` pods, and
    then the time in which it deletes them all; with the pods made and deleted."""
    for path in home.glob("default.db*"):
        path.unlink()
    _new(home)
    cluster = open_cluster("default", home=home)
    cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 1_000_000_000}}, patch_type="merge")
    before = len(cluster.names("Pod", "default"))
    start = time.perf_counter()
    cluster.advance(pods / CLIENT_QPS)
    made_s = time.perf_counter() - start
    made = len(cluster.names("Pod", "default")) - before
    cluster.advance(30)  # every pod started and ready
    live = len(cluster.names("Pod", "default"))
    cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 0}}, patch_type="merge")
    start = time.perf_counter()
    cluster.advance(live / CLIENT_QPS + 60)  # deleted, then gone after their 30 s grace period
    deleted_s = time.perf_counter() - start
    deleted = live - len(cluster.names("Pod", "default"))
    cluster.close()
    return made_s, made, deleted_s, deleted


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        scale_5000, pods_5000 = scale_wall_time(home, 5000)
        scale_billion, pods_billion = scale_wall_time(home, 1_000_000_000)
        rows = []
        for n in CATCH_UPS:
            made_s, made, deleted_s, deleted = catch_up(home, n)
            rows.append({"pods": made, "virtual_s": n / CLIENT_QPS, "wall_s": round(made_s, 3),
                         "us_per_pod": round(made_s / made * 1e6), "deleted": deleted,
                         "delete_wall_s": round(deleted_s, 3),
                         "delete_us_per_pod": round(deleted_s / deleted * 1e6)})
    per_pod = [r["us_per_pod"] for r in rows]
    per_delete = [r["delete_us_per_pod"] for r in rows]
    print(json.dumps({
        "bench": "bursts", "nodes": NODES,
        "scale_5000_s": round(scale_5000, 3), "pods_after_scale_5000": pods_5000,
        "scale_1e9_s": round(scale_billion, 3), "pods_after_scale_1e9": pods_billion,
        "catch_up": rows, "per_pod_ratio_largest_to_smallest": round(per_pod[-1] / per_pod[0], 2),
        "per_delete_ratio_largest_to_smallest": round(per_delete[-1] / per_delete[0], 2),
    }))


if __name__ == "__main__":
    main()
