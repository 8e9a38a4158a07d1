"""Benchmark (issue 9): small GETs per second from concurrent clients of `kapply serve` (>= 500/s).

A real `kapply serve` process on a cluster holding 100 ConfigMaps; 4 client processes of 4
threads, each thread with its own keep-alive connection, GET one ConfigMap after another for 5 s
(bounded: the run stops by itself). Prints one JSON line: requests per second, latency
percentiles, and the server's own CPU per request (read from /proc), which says what the server
could serve with a core to itself: on 2 shared cores the clients compete with it for the CPU.
Run: .venv/bin/python tests/bench/bench_serve_load.py
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import statistics
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from serving import Server

from kapply.cluster.sim import open_cluster

PROCESSES, THREADS = 4, 4
SECONDS = 5.0
OBJECTS = 100


def clients(netloc: str, first: int, deadline: float) -> tuple[list[float], int]:
    """One client process: THREADS keep-alive connections until the deadline."""
    latencies: list[float] = []
    errors = [0]

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(netloc, timeout=10)
        i = n
        while time.time() < deadline:
            start = time.perf_counter()
            conn.request(
                "GET",
                f"/api/v1/namespaces/default/configmaps/c{i % OBJECTS}",
                headers={"Accept": "application/json"},
            )
            resp = conn.getresponse()
            resp.read()
            errors[0] += resp.status != 200
            latencies.append(time.perf_counter() - start)
            i += PROCESSES * THREADS
        conn.close()

    threads = [threading.Thread(target=client, args=(first + n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        cluster = open_cluster("default", home=home)
        with cluster.session() as rt:
            for i in range(OBJECTS):
                rt.api.create(
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": f"c{i}", "namespace": "default"},
                        "data": {"k": "v"},
                    }
                )
        cluster.close()
        server = Server(home)
        netloc = urllib.parse.urlsplit(server.url).netloc
        try:
            with multiprocessing.Pool(PROCESSES) as pool:
                deadline = time.time() + 1.0 + SECONDS  # the pool starts first
                cpu_before = server.cpu_seconds()
                results = pool.starmap(clients, [(netloc, p * THREADS, deadline) for p in range(PROCESSES)])
                server_cpu = server.cpu_seconds() - cpu_before
        finally:
            server.stop()
    done = sorted(x * 1000 for lat, _ in results for x in lat)
    print(
        json.dumps(
            {
                "bench": "serve_get_load",
                "clients": PROCESSES * THREADS,
                "requests": len(done),
                "requests_per_s": round(len(done) / SECONDS),
                "errors": sum(e for _, e in results),
                "p50_ms": round(statistics.median(done), 1),
                "p99_ms": round(done[int(len(done) * 0.99)], 1),
                "server_cpu_ms_per_request": round(server_cpu / len(done) * 1000, 3),
                "target_per_s": 500,
            }
        )
    )


if __name__ == "__main__":
    main()
