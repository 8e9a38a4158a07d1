"""Benchmark (issue 9): the CPU an idle `kapply serve` uses (< 1 % of a core).

A real `kapply serve` on the default cluster and on one with 1,000 pods, idle for 10 s each (no
request; the server still polls for other processes' writes every 40 ms and catches the cluster
up once a second). CPU from /proc. Prints one JSON line.
Run: .venv/bin/python tests/bench/bench_serve_idle.py
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bench_scale import deployment
from serving import Server

from kapply.cluster.sim import open_cluster

SECONDS = 10.0


def idle_cpu(home: Path) -> float:
    server = Server(home)
    try:
        time.sleep(2)  # start-up done
        before, start = server.cpu_seconds(), time.perf_counter()
        time.sleep(SECONDS)
        return (server.cpu_seconds() - before) / (time.perf_counter() - start) * 100
    finally:
        server.stop()


def main() -> None:
    out = {"bench": "serve_idle_cpu", "seconds": SECONDS}
    with tempfile.TemporaryDirectory() as tmp:
        open_cluster("default", home=Path(tmp)).close()
        out["default_cluster_pct"] = round(idle_cpu(Path(tmp)), 2)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = open_cluster("default", home=Path(tmp))
        with cluster.session() as rt:
            for i in range(100):
                rt.api.create(deployment(i))
        cluster.advance_until_idle(limit=120)
        cluster.close()
        out["cluster_1000_pods_pct"] = round(idle_cpu(Path(tmp)), 2)
    out["target_pct"] = 1.0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
