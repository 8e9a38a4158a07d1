"""Benchmark (issue 9): `kubectl get pods -A` through `kapply serve` over 10,000 pods.

Builds bench_scale.py's cluster (100 nodes, 1,000 Deployments x 10 replicas, all pods Running),
serves it, and times the real kubectl, best of three after a warm-up that fills kubectl's
discovery cache: as kubectl asks by default (Table pages of 500: 20 requests, of which client-go's
own rate limiter, 5 requests a second after a burst of 10, delays the last ten by 200 ms each,
whatever the server), with `--chunk-size=0` (one request), and the server alone answering the
whole list as a Table (what kubectl then decodes and prints itself). Prints one JSON line.
Run: .venv/bin/python tests/bench/bench_serve_get.py
"""

from __future__ import annotations

import json
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench_scale import NODES, deployment
from serving import Server

from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.settings import ClusterSettings

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def best(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(deployments: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        cluster = create_cluster("default", ClusterSettings(nodes=NODES, manual_clock=True), home=home)
        with cluster.session() as rt:
            for i in range(deployments):
                rt.api.create(deployment(i))
        cluster.advance_until_idle(limit=120)
        cluster.close()
        server = Server(home)
        try:
            lines = len(server.kubectl("get", "pods", "-A").stdout.splitlines())  # warm-up
            paged = best(lambda: server.kubectl("get", "pods", "-A"))
            whole = best(lambda: server.kubectl("get", "pods", "-A", "--chunk-size=0"))
            request = urllib.request.Request(f"{server.url}/api/v1/pods", headers={"Accept": TABLE})
            size = 0

            def fetch() -> None:
                nonlocal size
                with urllib.request.urlopen(request) as resp:
                    size = len(resp.read())

            server_s = best(fetch)
        finally:
            server.stop()
    print(
        json.dumps(
            {
                "bench": "serve_get_pods",
                "pods": lines - 1,
                "kubectl_get_pods_A_s": round(paged, 3),
                "kubectl_chunk_size_0_s": round(whole, 3),
                "server_table_10k_s": round(server_s, 3),
                "table_mb": round(size / 1e6, 1),
                "target_s": 1.0,
            }
        )
    )


if __name__ == "__main__":
    main()
