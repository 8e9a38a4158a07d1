"""An autoscaler never takes its target outside [minReplicas, maxReplicas]: after any sequence of
load changes (per pod or in total), imperative scales and passes of time, every pass leaves a
scaled-up-from-zero target within the bounds (horizontal.go reconcileAutoscaler: a size outside
them is corrected first, a normalized one is clamped to them)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.loads import set_load
from kapply.cluster.sim.metrics import Load
from kapply.cluster.sim.testing import new_test_cluster

SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None
PERIOD = 15.0

steps = st.lists(st.one_of(
    st.tuples(st.just("load"), st.integers(min_value=0, max_value=2000), st.booleans()),
    st.tuples(st.just("scale"), st.integers(min_value=1, max_value=25), st.just(False)),
    st.tuples(st.just("advance"), st.sampled_from([1.0, 15.0, 45.0, 120.0, 400.0]), st.just(False)),
), min_size=1, max_size=12)


def _deployment() -> dict[str, Any]:
    container = {"name": "web", "image": "nginx:1.27", "resources": {"requests": {"cpu": "100m"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [container]}}}}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(minimum=st.integers(min_value=1, max_value=4), extra=st.integers(min_value=0, max_value=8),
       behavior=st.booleans(), plan=steps)
def test_an_autoscaler_never_leaves_min_and_max(minimum: int, extra: int, behavior: bool,
                                               plan: list[tuple[str, Any, bool]]) -> None:
    maximum = minimum + extra
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        cluster = new_test_cluster(Path(tmp), nodes=3)
        cluster.create(_deployment())
        ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
        spec: dict[str, Any] = {"scaleTargetRef": ref, "minReplicas": minimum, "maxReplicas": maximum}
        if behavior:
            spec["behavior"] = {"scaleDown": {"stabilizationWindowSeconds": 30}}
        cluster.create({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                        "metadata": {"name": "web"}, "spec": spec})
        cluster.advance(PERIOD)  # the first pass
        for action, value, total in plan:
            if action == "load":
                set_load(cluster, "Deployment", "default", "web", Load(cpu=value, total=total))
            elif action == "scale":
                cluster.patch("Deployment", "default", "web", {"spec": {"replicas": value}}, "merge")
            else:
                cluster.advance(value)
            cluster.advance(PERIOD)  # at least one pass after every step
            replicas = cluster.get("Deployment", "default", "web")["spec"]["replicas"]
            assert minimum <= replicas <= maximum, (action, value, replicas)
