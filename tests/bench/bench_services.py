"""Benchmark: the cost of Services on the embedded cluster (issue 4).

Converges D Deployments x R replicas on enough nodes twice: once bare, once with a NodePort
Service selecting each Deployment, and reports what the Services add: ClusterIP/NodePort
allocation on create (`svc_create_ms_each`), and the Endpoints controller following every pod
through scheduling, start-up and readiness (`converge_s` with and without). Then deletes and
recreates the Services to time allocation against a full ledger. Prints one JSON line.
Run: .venv/bin/python tests/bench/bench_services.py [DEPLOYMENTS] [REPLICAS]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.settings import ClusterSettings


def _deployment(name: str, replicas: int) -> dict[str, Any]:
    container = {"name": "app", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 80}],
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [container]}}}}


def _service(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"type": "NodePort", "selector": {"app": name},
                     "ports": [{"port": 80, "targetPort": "http"}]}}


def _run(deployments: int, replicas: int, services: bool) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="kapply-bench-"))
    nodes = max(1, -(-deployments * replicas // 100))
    cluster = create_cluster("bench", ClusterSettings(nodes=nodes, pods=110, manual_clock=True),
                             home=home, clock=FakeClock())
    t0 = time.perf_counter()
    svc_s = 0.0
    with cluster.session() as rt:
        for i in range(deployments):
            rt.api.create(_deployment(f"app{i}", replicas))
            if services:
                s0 = time.perf_counter()
                rt.api.create(_service(f"app{i}"))
                svc_s += time.perf_counter() - s0
    cluster.advance_until_idle()
    out = {"converge_s": round(time.perf_counter() - t0, 2)}
    if services:
        eps = [e for e in cluster.list("Endpoints", "default") if e["metadata"]["name"] != "kubernetes"]
        ready = sum(len(s.get("addresses") or ()) for e in eps for s in e.get("subsets") or ())
        assert ready == deployments * replicas, ready
        out["svc_create_ms_each"] = round(svc_s / deployments * 1000, 3)
        t1 = time.perf_counter()
        with cluster.session() as rt:
            for i in range(deployments):
                rt.api.delete("Service", "default", f"app{i}")
                rt.api.create(_service(f"app{i}"))
        out["svc_recreate_and_resync_s"] = round(time.perf_counter() - t1, 2)
    cluster.close()
    return out


def main() -> None:
    deployments = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    replicas = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    bare = _run(deployments, replicas, services=False)
    with_services = _run(deployments, replicas, services=True)
    print(json.dumps({"deployments": deployments, "replicas": replicas,
                      "bare": bare, "with_services": with_services}))


if __name__ == "__main__":
    main()
