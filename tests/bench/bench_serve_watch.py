"""Benchmark (issue 9): how soon a watcher of `kapply serve` sees a write (< 50 ms).

A real `kapply serve` process and one watch stream of ConfigMaps. Writes through the server (a
POST, timed from before it is sent to the watcher's line arriving), then writes by another
process's handle on the same SQLite file (timed from its commit: the server notices through
`PRAGMA data_version`), 50 of each. Prints one JSON line with p50 / p95 / max in milliseconds.
Run: .venv/bin/python tests/bench/bench_serve_watch.py
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from serving import Server

from kapply.cluster.sim import open_cluster

SAMPLES = 50
CM = "/api/v1/namespaces/default/configmaps"


def config_map(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}


def summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 1),
        "max_ms": round(ms[-1], 1),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        open_cluster("default", home=home).close()
        server = Server(home)
        seen: dict[str, float] = {}
        arrived = threading.Condition()

        def watch() -> None:
            with urllib.request.urlopen(f"{server.url}{CM}?watch=1&resourceVersion=1") as resp:
                for line in resp:
                    name = json.loads(line)["object"]["metadata"]["name"]
                    with arrived:
                        seen[name] = time.perf_counter()
                        arrived.notify_all()

        threading.Thread(target=watch, daemon=True).start()

        def wait_for(name: str) -> float:
            with arrived:
                arrived.wait_for(lambda: name in seen, timeout=10)
            return seen[name]

        try:
            time.sleep(0.5)
            through = []
            for i in range(SAMPLES):
                body = json.dumps(config_map(f"api-{i}")).encode()
                req = urllib.request.Request(
                    f"{server.url}{CM}",
                    data=body,
                    method="POST",
                    headers={"Content-Type": "application/json"},
                )
                start = time.perf_counter()
                urllib.request.urlopen(req).read()
                through.append(wait_for(f"api-{i}") - start)
            other = open_cluster("default", home=home)
            elsewhere = []
            for i in range(SAMPLES):
                other.create(config_map(f"other-{i}"))
                committed = time.perf_counter()
                elsewhere.append(wait_for(f"other-{i}") - committed)
                time.sleep(0.01)
            other.close()
        finally:
            server.stop()
    print(
        json.dumps(
            {
                "bench": "serve_watch_latency",
                "samples": SAMPLES,
                "through_server": summary(through),
                "other_process": summary(elsewhere),
                "target_ms": 50,
            }
        )
    )


if __name__ == "__main__":
    main()
