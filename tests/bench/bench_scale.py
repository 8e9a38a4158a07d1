"""Benchmark (issue 4): 100 nodes running 1,000 Deployments x 10 replicas (10,000 pods).

Creates the Deployments through the embedded cluster's API (with admission: defaulting, schema
and rule validation) in one transaction, fast-forwards until nothing is due (Deployments ->
ReplicaSets -> Pods scheduled, started, ready, Deployments complete), then times the real
`kapply get pods -A -o name` over the result. Prints one JSON line.
Run: .venv/bin/python tests/bench/bench_scale.py [DEPLOYMENTS]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.settings import ClusterSettings

NODES = 100
REPLICAS = 10
KAPPLY = str(Path(sys.executable).parent / "kapply")


def deployment(i: int) -> dict:
    labels = {"app": f"web{i}"}
    container = {"name": "web", "image": "hello-node:v1", "ports": [{"containerPort": 3000}],
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
    meta = {"name": f"web{i}", "namespace": "default"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": REPLICAS, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}}


def main(deployments: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        cluster = create_cluster("default", ClusterSettings(nodes=NODES, manual_clock=True), home=Path(home))
        start = time.perf_counter()
        with cluster.session() as rt:
            for i in range(deployments):
                rt.api.create(deployment(i))
        created = time.perf_counter() - start
        idle = cluster.advance_until_idle(limit=120)
        converge = time.perf_counter() - start
        pods = cluster.list("Pod", None)
        ready = sum(1 for p in pods if any(c.get("type") == "Ready" and c.get("status") == "True"
                                           for c in p["status"].get("conditions") or ()))
        complete = sum(1 for d in cluster.list("Deployment", None)
                       if d["status"].get("availableReplicas") == REPLICAS)
        cluster.close()
        env = dict(os.environ, KAPPLY_HOME=home)
        keep = Path(os.environ.get("KAPPLY_BENCH_KEEP", ""))
        if keep.name:
            import shutil

            shutil.copy(Path(home) / "default.db", keep)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        times = []
        for _ in range(3):
            t = time.perf_counter()
            out = subprocess.run([KAPPLY, "get", "pods", "-A", "-o", "name"], capture_output=True, text=True,
                                 env=env, check=True).stdout
            times.append(time.perf_counter() - t)
        print(json.dumps({
            "bench": "scale", "nodes": NODES, "deployments": deployments, "pods": len(pods),
            "ready_pods": ready, "complete_deployments": complete, "idle": idle.idle,
            "create_s": round(created, 2), "converge_s": round(converge, 2),
            "get_pods_name_s": round(min(times), 3), "get_pods_lines": len(out.splitlines()),
            "peak_rss_mb": peak_mb,
        }))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
