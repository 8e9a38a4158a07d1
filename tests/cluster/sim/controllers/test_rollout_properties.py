"""Rollout invariants over random sizes, surge/unavailable settings, start-up delays and failures.

For any Deployment that finished rolling out, a template change keeps, at every committed pod
write: live pods <= replicas + maxSurge, and ready pods >= replicas - maxUnavailable. Healthy
pods complete the rollout; failing ones (image pull or crash loop) never cost availability and
end at the progress deadline with ProgressDeadlineExceeded, after which nothing is scaled.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.controllers.deployment.util import resolve_fenceposts
from kapply.model.rollout import deployment_status

# Many small clusters: keep their state files in memory when the machine offers a RAM disk.
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
PERCENTS = ["0%", "10%", "25%", "33%", "50%", "100%"]
int_or_percent = st.one_of(st.integers(min_value=0, max_value=4), st.sampled_from(PERCENTS))


def _zero(value: int | str) -> bool:
    return value in (0, "0%")


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    surge = draw(int_or_percent)
    unavailable = draw(int_or_percent.filter(lambda v: not (_zero(v) and _zero(surge))))
    return {
        "replicas": draw(st.integers(min_value=1, max_value=20)),
        "surge": surge,
        "unavailable": unavailable,
        "startup": draw(st.sampled_from([1.0, 2.0, 5.0])),
        "ready_delay": draw(st.integers(min_value=0, max_value=6)),
        "fault": draw(st.sampled_from([None, None, "ErrImagePull", "CrashLoopBackOff"])),
        "deadline": draw(st.sampled_from([30, 90])),
    }


def _until(cluster: Any, kit: Any, done: Any, horizon: float) -> None:
    start = cluster.now()
    while not done(cluster.get("Deployment", "default", "web")):
        assert cluster.now() <= start + horizon, "rollout did not settle"
        assert kit.step(cluster, limit=horizon), "nothing left to happen before the rollout settled"


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
def test_rollout_bounds(kit: Any, scenario: dict[str, Any]) -> None:
    _rollout_bounds(kit, scenario)


def _rollout_bounds(kit: Any, scenario: dict[str, Any]) -> None:
    replicas = scenario["replicas"]
    surge_value, unavailable_value = scenario["surge"], scenario["unavailable"]
    surge, unavailable = resolve_fenceposts(surge_value, unavailable_value, replicas)
    unavailable = min(unavailable, replicas)
    observer = kit.PodObserver()
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        cluster = kit.new_cluster(Path(tmp), observer=observer, pod_startup=scenario["startup"])
        try:
            cluster.create(kit.deployment(
                replicas=replicas, progressDeadlineSeconds=scenario["deadline"],
                strategy={"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": surge_value, "maxUnavailable": unavailable_value}}))
            _until(cluster, kit, lambda d: deployment_status(d).done, 120)
            if scenario["fault"]:
                cluster.update_settings(image_faults={"app:v2": {"reason": scenario["fault"]}})
            observer.arm()
            kit.set_image(cluster, "app:v2", ready_delay=scenario["ready_delay"])
            if scenario["fault"] is None:
                _until(cluster, kit, lambda d: deployment_status(d).done, 600)
            else:
                _until(cluster, kit, lambda d: deployment_status(d).error is not None, 600)
                assert deployment_status(cluster.get("Deployment", "default", "web")).error == (
                    'deployment "web" exceeded its progress deadline')
                sizes = {rs["metadata"]["name"]: rs["spec"]["replicas"]
                         for rs in cluster.list("ReplicaSet", "default")}
                cluster.advance(300)
                assert {rs["metadata"]["name"]: rs["spec"]["replicas"]
                        for rs in cluster.list("ReplicaSet", "default")} == sizes
            assert observer.max_total <= replicas + surge, (observer.max_total, replicas, surge)
            assert observer.min_ready is not None and observer.min_ready >= replicas - unavailable, (
                observer.min_ready, replicas, unavailable)
        finally:
            cluster.close()


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios(), steps=st.integers(min_value=0, max_value=6))
def test_rollover_bounds(kit: Any, scenario: dict[str, Any], steps: int) -> None:
    """A second template change in the middle of a rollout (a roll-over) keeps the same bounds."""
    replicas = scenario["replicas"]
    surge_value, unavailable_value = scenario["surge"], scenario["unavailable"]
    surge, unavailable = resolve_fenceposts(surge_value, unavailable_value, replicas)
    unavailable = min(unavailable, replicas)
    observer = kit.PodObserver()
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        cluster = kit.new_cluster(Path(tmp), observer=observer, pod_startup=scenario["startup"])
        try:
            cluster.create(kit.deployment(
                replicas=replicas,
                strategy={"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": surge_value, "maxUnavailable": unavailable_value}}))
            _until(cluster, kit, lambda d: deployment_status(d).done, 120)
            observer.arm()
            kit.set_image(cluster, "app:v2", ready_delay=scenario["ready_delay"])
            for _ in range(steps):
                kit.step(cluster, limit=60)
            kit.set_image(cluster, "app:v3")
            _until(cluster, kit, lambda d: deployment_status(d).done, 600)
            assert {p["spec"]["containers"][0]["image"] for p in kit.live_pods(cluster)} == {"app:v3"}
            assert observer.max_total <= replicas + surge, (observer.max_total, replicas, surge)
            assert observer.min_ready is not None and observer.min_ready >= replicas - unavailable, (
                observer.min_ready, replicas, unavailable)
        finally:
            cluster.close()


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios(), replicas=st.integers(min_value=31, max_value=120))
def test_paced_rollout_bounds(kit: Any, scenario: dict[str, Any], replicas: int) -> None:
    """Sizes beyond one client burst (30): the replica manager's paced steps keep the same bounds."""
    _rollout_bounds(kit, {**scenario, "replicas": replicas})
