"""Benchmark: scheduler placement and a node failure at scale (issue 4).

- `place_us_per_pod`: the scheduler's filter+score alone, binding N pods (default 10,000) onto
  100 nodes (the groups of identical nodes keep it far below O(nodes) per pod);
- `converge_s`: N pods from N/10 ReplicaSets on 100 nodes, created and run until idle;
- `node_failure_s`: one node fails; `cluster advance` through the grace period and the eviction
  (its ~N/100 pods evicted and replaced): cost follows those events, not the 6 minutes.
Prints one JSON line. Run: .venv/bin/python tests/bench/bench_nodes.py [N]
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.controllers.scheduler import Scheduler
from kapply.cluster.sim.helpers.schedfit import pod_requests
from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.nodeops import fail_node
from kapply.cluster.sim.nodes import make_nodes
from kapply.cluster.sim.settings import ClusterSettings

NODES = 100


def _replicaset(i: int) -> dict:
    labels = {"app": f"web{i}"}
    container = {"name": "hello-node", "image": "hello-node:v1",
                 "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}
    meta = {"name": f"web{i}", "namespace": "default"}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"replicas": 10, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}}


class _Ctx:
    random = random.Random(0)


def bench_place(pods: int) -> float:
    """Microseconds per pod of Scheduler.place + bookkeeping."""
    scheduler = Scheduler()
    for node in make_nodes(ClusterSettings(nodes=NODES)):
        scheduler._track_node(node, deleted=False)
    scheduler.ready = True
    pod = _replicaset(0)["spec"]["template"]
    start = time.perf_counter()
    for _ in range(pods):
        node, _message = scheduler.place(pod, _Ctx())
        assert node is not None
        scheduler._add_usage(node, pod_requests(pod), 1)
    return (time.perf_counter() - start) / pods * 1e6


def main(pods: int) -> None:
    place_us = bench_place(pods)
    with tempfile.TemporaryDirectory() as home:
        cluster = create_cluster("bench", ClusterSettings(nodes=NODES, manual_clock=True), home=Path(home),
                                 clock=FakeClock())
        start = time.perf_counter()
        with cluster.session() as rt:
            for i in range(pods // 10):
                rt.api.create(_replicaset(i), validate=False)
        cluster.advance_until_idle()
        converge = time.perf_counter() - start
        victims = len(cluster.list("Pod", "default", field_selector="spec.nodeName=minikube-m50"))
        start = time.perf_counter()
        fail_node(cluster, "minikube-m50")
        advanced = cluster.advance(50 + 300 + 35)
        failure = time.perf_counter() - start
        left = cluster.list("Pod", "default", field_selector="spec.nodeName=minikube-m50")
        running = sum(p["status"].get("phase") == "Running" for p in cluster.list("Pod", "default"))
        cluster.close()
    print(json.dumps({
        "pods": pods, "nodes": NODES, "place_us_per_pod": round(place_us, 1),
        "converge_s": round(converge, 2), "node_failure_s": round(failure, 2),
        "evicted": victims, "left_on_failed_node": len(left), "running_after": running,
        "failure_timers": advanced.timers, "failure_syncs": advanced.syncs,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
