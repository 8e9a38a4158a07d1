"""Benchmark: catch-up cost of the embedded cluster (issue 3 speed targets).

Builds a cluster holding N pods (default 10,000, on enough nodes), converges it, then measures:
- `idle_catch_up_ms`: opening the cluster in a fresh process and catching up when nothing is due
  (target < 50 ms; must not load the cache);
- `converge_s`: creating the pods and running the simulation until idle (issue 4: < 10 s);
- `advance_ms_per_timer`: `cluster advance` cost divided by the timers that fell due, for a short
  and a long interval with the same events (cost follows events, not interval length).
Prints one JSON line. Run: .venv/bin/python tests/bench/bench_idle.py [N]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.settings import ClusterSettings

_PROBE = """
import sys, time
t0 = time.perf_counter()
from kapply.cluster.sim.home import open_cluster
t1 = time.perf_counter()
c = open_cluster("bench", home=sys.argv[1])
t2 = time.perf_counter()
c.get("Pod", "default", "pod-0")
t3 = time.perf_counter()
assert c._cache is None, "idle catch-up loaded the cache"
print((t2 - t1) * 1000, (t3 - t2) * 1000, (t1 - t0) * 1000)
"""


def _pod(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{i}", "labels": {"app": "bench", "shard": str(i % 10)}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    home = Path(tempfile.mkdtemp(prefix="kapply-bench-"))
    clock = FakeClock()
    nodes = max(1, -(-count // 100))
    cluster = create_cluster("bench", ClusterSettings(nodes=nodes, pods=110, manual_clock=True),
                             home=home, clock=clock)
    t0 = time.perf_counter()
    with cluster.session() as rt:
        for i in range(count):
            rt.api.create(_pod(i))
    created = time.perf_counter() - t0
    result = cluster.advance_until_idle()
    converge = time.perf_counter() - t0
    running = len(cluster.list("Pod", "default", field_selector="status.phase=Running"))
    cluster.close()

    samples = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", _PROBE, str(home)], capture_output=True, text=True,
                             check=True).stdout.split()
        samples.append((float(out[0]), float(out[1]), float(out[2])))
    idle = statistics.median(s[0] for s in samples)
    get_ms = statistics.median(s[1] for s in samples)
    import_ms = statistics.median(s[2] for s in samples)

    from kapply.cluster.sim.cluster import SimCluster
    from kapply.cluster.sim.store import Store

    sim = SimCluster("bench", Store.open(home / "bench.db"), clock)
    t1 = time.perf_counter()
    short = sim.advance(60)
    short_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    long = sim.advance(86400)
    long_s = time.perf_counter() - t2
    print(json.dumps({
        "pods": count, "nodes": nodes, "running": running, "create_s": round(created, 3),
        "converge_s": round(converge, 3), "converge_timers": result.timers, "converge_syncs": result.syncs,
        "idle_catch_up_ms": round(idle, 2), "idle_get_ms": round(get_ms, 2),
        "import_ms": round(import_ms, 1),
        "advance_60s_ms": round(short_s * 1000, 1), "advance_60s_timers": short.timers,
        "advance_1d_ms": round(long_s * 1000, 1), "advance_1d_timers": long.timers,
        "state_mb": round((home / "bench.db").stat().st_size / 1e6, 1),
    }))


if __name__ == "__main__":
    main()
