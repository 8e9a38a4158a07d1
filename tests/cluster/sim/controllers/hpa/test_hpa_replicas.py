"""The replica calculator, ported from pkg/controller/podautoscaler/replica_calculator_test.go.

The upstream harness: pods `test-pod-N` with two containers each requesting `requests[N]`,
container metrics `levels[N]` sampled now over a one-minute window, Ready unless
`podReadiness` says otherwise (the condition's transition at the pod's start), started three
minutes ago ("cool") or thirty seconds ago ("hot") against a two-minute CPU initialization
period and a ten-second readiness delay. Fewer levels than pods are missing metrics, more are
superfluous ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.clock import rfc3339
from kapply.cluster.sim.controllers.hpa.replicas import (
    CalcError,
    PodMetric,
    Tuning,
    changes_with_time,
    group_pods,
    plain_replicas,
    resource_replicas,
)

NOW = 1_800_000_000.0
COOL, HOT = NOW - 180, NOW - 30
TUNING = Tuning(tolerance=0.1, cpu_initialization_period=120.0, delay_of_initial_readiness_status=10.0)
CONTAINERS = 2


def pods(n: int, requests: list[str] | None = None, readiness: list[str] | None = None,
         phases: list[str] | None = None, starts: list[float] | None = None,
         deleting: list[bool] | None = None, names: list[str] | None = None) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        start = (starts or [COOL] * n)[i]
        resources = {"requests": {"cpu": requests[i]}} if requests else {}
        meta: dict[str, Any] = {"name": (names or [f"test-pod-{j}" for j in range(n)])[i]}
        if deleting and deleting[i]:
            meta["deletionTimestamp"] = rfc3339(NOW)
        out.append({"metadata": meta,
                    "spec": {"containers": [{"name": f"container{c + 1}", "resources": resources}
                                            for c in range(CONTAINERS)]},
                    "status": {"phase": (phases or ["Running"] * n)[i], "startTime": rfc3339(start),
                               "conditions": [{"type": "Ready", "status": (readiness or ["True"] * n)[i],
                                               "lastTransitionTime": rfc3339(start)}]}})
    return out


def metrics(*levels: int, per_container: bool = True) -> dict[str, PodMetric]:
    scale = CONTAINERS if per_container else 1
    return {f"test-pod-{i}": PodMetric(level * scale, NOW, 60.0) for i, level in enumerate(levels)}


ONE = "1.0"


COLUMNS = ("name", "current", "kwargs", "levels", "target", "expected", "utilization", "value")
PENDING = ["Running", "Pending", "Pending", "Pending", "Pending"]


@pytest.mark.parametrize(COLUMNS, [
    ("ScaleUp", 3, {}, (300, 500, 700), 30, 5, 50, 2 * 500),
    ("ScaleUpUnreadyLessScale", 3, {"readiness": ["False", "True", "True"]}, (300, 500, 700), 30, 4, 60,
     2 * 600),
    ("ScaleUpHotCpuLessScale", 3, {"starts": [HOT, COOL, COOL]}, (300, 500, 700), 30, 4, 60, 2 * 600),
    ("ScaleUpUnreadyNoScale", 3, {"readiness": ["True", "False", "False"]}, (400, 500, 700), 30, 3, 40,
     2 * 400),
    ("ScaleHotCpuNoScale", 3, {"readiness": ["True", "False", "False"], "starts": [COOL, HOT, HOT]},
     (400, 500, 700), 30, 3, 40, 2 * 400),
    ("ScaleUpIgnoresFailedPods", 2, {"n": 4, "readiness": ["True", "True", "False", "False"],
                                     "phases": ["Running", "Running", "Failed", "Failed"]},
     (500, 700), 30, 4, 60, 2 * 600),
    ("ScaleUpIgnoresDeletionPods", 2, {"n": 4, "readiness": ["True", "True", "False", "False"],
                                       "deleting": [False, False, True, True]},
     (500, 700), 30, 4, 60, 2 * 600),
    ("ScaleDown", 5, {}, (100, 300, 500, 250, 250), 50, 3, 28, 2 * 280),
    ("ScaleDownExcludeUnreadyPods", 5, {"readiness": ["True", "True", "True", "False", "False"]},
     (100, 300, 500, 250, 250), 50, 2, 30, 2 * 300),
    ("ScaleDownExcludeUnscheduledPods", 5, {"readiness": ["True", "False", "False", "False", "False"],
                                            "phases": PENDING},
     (100,), 50, 1, 10, 2 * 100),
    ("ScaleDownIgnoreHotCpuPods", 5, {"starts": [COOL, COOL, COOL, HOT, HOT]}, (100, 300, 500, 250, 250), 50,
     2, 30, 2 * 300),
    ("ScaleDownIgnoresFailedPods", 5, {"n": 7, "readiness": ["True"] * 5 + ["False"] * 2,
                                       "phases": ["Running"] * 5 + ["Failed"] * 2},
     (100, 300, 500, 250, 250), 50, 3, 28, 2 * 280),
    ("ScaleDownIgnoresDeletionPods", 5, {"n": 7, "readiness": ["True"] * 5 + ["False"] * 2,
                                         "deleting": [False] * 5 + [True] * 2},
     (100, 300, 500, 250, 250), 50, 3, 28, 2 * 280),
    ("Tolerance", 3, {"requests": ["0.9", "1.0", "1.1"]}, (1010, 1030, 1020), 100, 3, 102, 2 * 1020),
    ("SuperfluousMetrics", 4, {}, (4000, 9500, 3000, 7000, 3200, 2000), 100, 24, 587, 2 * 5875),
    ("MissingMetrics", 4, {}, (400, 95), 100, 3, 24, 495),
    ("MissingMetricsNoChangeEq", 2, {}, (1000,), 100, 2, 100, 2 * 1000),
    ("MissingMetricsNoChangeGt", 2, {}, (1900,), 100, 2, 190, 2 * 1900),
    ("MissingMetricsNoChangeLt", 2, {}, (600,), 100, 2, 60, 2 * 600),
])
def test_resource_replicas(name: str, current: int, kwargs: dict[str, Any], levels: tuple[int, ...],
                           target: int, expected: int, utilization: int, value: int) -> None:
    """TestReplicaCalc<name>."""
    n = kwargs.pop("n", len(kwargs.get("requests") or ()) or current)
    requests = kwargs.pop("requests", [ONE] * n)
    found = resource_replicas(current, target, "cpu", pods(n, requests, **kwargs), metrics(*levels), "",
                              TUNING, NOW)
    assert found == (expected, utilization, value)


def test_container_metric_uses_that_container_only() -> None:
    """TestReplicaCalcContainerScaleUp: levels {1000, 300}, {1000, 500}, {1000, 700} on container2."""
    found = {f"test-pod-{i}": PodMetric(level, NOW, 60.0) for i, level in enumerate((300, 500, 700))}
    two = pods(3, [ONE] * 3)
    assert resource_replicas(3, 30, "cpu", two, found, "container2", TUNING, NOW) == (5, 50, 500)


@pytest.mark.parametrize(("case", "message"), [
    ("disjoint", "no metrics returned matched known pods"),  # TestReplicaCalcDisjointResourcesMetrics
    ("no-request", "missing request for cpu in container container1 of Pod test-pod-0"),  # EmptyCPURequest
    ("no-pods", "no pods returned by selector while calculating replica count"),
    ("unready", "did not receive metrics for targeted pods (pods might be unready)"),
    ("no-container", "container sidecar not found in Pod test-pod-0"),
])
def test_errors(case: str, message: str) -> None:
    if case == "disjoint":
        args = (pods(1, [ONE], names=["an-older-pod-name"]), metrics(100), "")
    elif case == "no-request":
        args = (pods(1), metrics(200), "")
    elif case == "no-pods":
        args = ([], metrics(200), "")
    elif case == "unready":
        args = (pods(1, [ONE], readiness=["False"]), metrics(200), "")
    else:
        args = (pods(1, [ONE]), metrics(200), "sidecar")
    with pytest.raises(CalcError) as err:
        resource_replicas(1, 100, "cpu", args[0], args[1], args[2], TUNING, NOW)
    assert str(err.value) == message


@pytest.mark.parametrize(("name", "current", "levels", "target", "expected", "usage", "kwargs"), [
    ("ScaleUpCM", 3, (20000, 10000, 30000), 15000, 4, 20000, {}),
    ("ScaleUpCMUnreadyHotCpuNoLessScale", 3, (50000, 10000, 30000), 15000, 6, 30000,
     {"readiness": ["True", "True", "False"], "starts": [COOL, COOL, HOT]}),
    ("ScaleUpCMUnreadyHotCpuScaleWouldScaleDown", 3, (50000, 15000, 30000), 15000, 7, 31666,
     {"readiness": ["False", "True", "False"], "starts": [HOT, COOL, HOT]}),
    ("ScaleDownCM", 5, (12000,) * 5, 20000, 3, 12000, {}),
    ("ToleranceCM", 3, (20000, 21000, 21000), 20000, 3, 20666, {}),
    ("PlainMetricMissingMetricsNoChangeEq", 5, (20000, 19000, 21000), 20000, 5, 20000, {}),
])
def test_plain_metric_replicas(name: str, current: int, levels: tuple[int, ...], target: int, expected: int,
                               usage: int, kwargs: dict[str, Any]) -> None:
    """TestReplicaCalc<name> (a pods metric: readiness counts only for CPU)."""
    measured = metrics(*levels, per_container=False)
    found = plain_replicas(current, target, "", pods(current, **kwargs), measured, TUNING, NOW)
    assert found == (expected, usage)


def test_grouping_and_what_time_alone_changes() -> None:
    """groupPods: failed and deleted pods are ignored, Pending ones unready, unmeasured ones missing;
    a hot pod regroups once its window has passed, which is what keeps an autoscaler busy."""
    group = pods(4, [ONE] * 4, phases=["Running", "Pending", "Failed", "Running"],
                 starts=[HOT, COOL, COOL, COOL])
    found = group_pods(group, metrics(100, 100, 100), "cpu", TUNING, NOW)
    assert (found.ready, found.unready, found.missing, found.ignored) == \
        (0, frozenset({"test-pod-0", "test-pod-1"}), frozenset({"test-pod-3"}), frozenset({"test-pod-2"}))
    assert changes_with_time(group, metrics(100, 100, 100), "cpu", TUNING, NOW)
    settled = pods(2, [ONE] * 2)
    assert not changes_with_time(settled, metrics(100, 100), "cpu", TUNING, NOW)
    assert changes_with_time(settled, metrics(100), "cpu", TUNING, NOW)  # one metric still to come
