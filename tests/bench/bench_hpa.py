"""Benchmark: a HorizontalPodAutoscaler takes a Deployment from 1 to 100 replicas and back.

Load steps (`kapply load set --total`): 5 CPU shared by the Deployment's ready pods, whose 100m
requests and the 50% target make 100 pods the size that carries it; then back to idle. Each
phase runs on the virtual clock from event to event (`advance --until-idle`): the HPA's 15 s
passes, the scale-up limits (x2 or +4 a pass without behavior), pods starting and their first
metrics window, then the 300 s scale-down stabilization. Reports the wall time and the virtual
time of each phase, the autoscaler's rescales and the controller syncs.
Prints one JSON line. Run: .venv/bin/python tests/bench/bench_hpa.py
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.loads import set_load
from kapply.cluster.sim.metrics import Load
from kapply.cluster.sim.settings import ClusterSettings

PEAK = 100


def deployment() -> dict[str, Any]:
    container = {"name": "web", "image": "nginx:1.27",
                 "resources": {"requests": {"cpu": "100m", "memory": "32Mi"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [container]}}}}


def autoscaler() -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "minReplicas": 1, "maxReplicas": PEAK,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 50}}}]}}


def phase(cluster: Any, load: Load, want: int) -> dict[str, Any]:
    """Set the load, run until idle; the wall and virtual seconds it took to reach `want` pods."""
    start_wall, start_virtual = time.perf_counter(), cluster.now()
    set_load(cluster, "Deployment", "default", "web", load)
    result = cluster.advance_until_idle(limit=3600.0)
    wall = time.perf_counter() - start_wall
    status = cluster.get("Deployment", "default", "web")["status"]
    return {"wall_s": round(wall, 2), "virtual_s": round(result.end - start_virtual, 1),
            "replicas": cluster.get("Deployment", "default", "web")["spec"]["replicas"],
            "ready": status.get("readyReplicas", 0), "reached": status.get("readyReplicas", 0) == want,
            "syncs": result.syncs}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = ClusterSettings(nodes=4, manual_clock=True)
        cluster = create_cluster("hpa", settings, home=Path(tmp), clock=FakeClock())
        cluster.create(deployment())
        cluster.create(autoscaler())
        cluster.advance_until_idle()
        up = phase(cluster, Load(cpu=PEAK * 50, total=True), PEAK)
        down = phase(cluster, Load(cpu=0, total=True), 1)
        hpa = cluster.get("HorizontalPodAutoscaler", "default", "web")
        rescales = [e["message"] for e in cluster.events(involved=hpa) if e["reason"] == "SuccessfulRescale"]
        cluster.close()
    print(json.dumps({
        "benchmark": "hpa_1_to_100_and_back", "scale_up": up, "scale_down": down,
        "rescales": [m.split(";")[0].removeprefix("New size: ") for m in rescales],
        "total_wall_s": round(up["wall_s"] + down["wall_s"], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
