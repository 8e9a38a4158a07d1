"""The autoscaler's replica arithmetic (pkg/controller/podautoscaler/replica_calculator.go and
metrics/utilization.go), as pure functions over pods and their metrics.

The ratio of use to target decides; a ratio within the tolerance (10%) keeps the current
count. Pods are grouped first (groupPods): deleted or failed pods are ignored, Pending pods
and (for CPU) pods still starting up count as unready, pods without a metric as missing. When
some are unready or missing the ratio is computed again as if missing pods used 100% of
their request on a scale-down (0% on a scale-up) and unready pods 0% on a scale-up; a change
of direction then keeps the current count. Values are milli-units (`MilliValue`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kapply.cluster.sim.helpers.podutil import parse_time
from kapply.model.quantity import QuantityError, parse_quantity

Obj = dict[str, Any]
MAX_INT32 = 2**31 - 1


class CalcError(Exception):
    """The calculator's error (its message is the Go error's text)."""


@dataclass(frozen=True)
class PodMetric:
    value: int  # milli-units of the resource
    timestamp: float
    window: float


@dataclass(frozen=True)
class Tuning:
    """kube-controller-manager's --horizontal-pod-autoscaler-* flags."""

    tolerance: float = 0.1
    cpu_initialization_period: float = 300.0
    delay_of_initial_readiness_status: float = 30.0

    def within(self, ratio: float) -> bool:
        """Tolerances.isWithin: no change while 1-tolerance <= ratio <= 1+tolerance."""
        return 1.0 - self.tolerance <= ratio <= 1.0 + self.tolerance


@dataclass(frozen=True)
class Groups:
    ready: int
    unready: frozenset[str]
    missing: frozenset[str]
    ignored: frozenset[str]


def _name(pod: Obj) -> str:
    return str((pod.get("metadata") or {}).get("name", ""))


def _ready_condition(pod: Obj) -> Obj | None:
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond
    return None


def group_pods(pods: Sequence[Obj], metrics: Mapping[str, PodMetric], resource: str, tuning: Tuning,
               now: float) -> Groups:
    """groupPods: ready count and the unready, missing and ignored pods' names."""
    ready = 0
    unready, missing, ignored = set(), set(), set()
    for pod in pods:
        name, status = _name(pod), pod.get("status") or {}
        phase = status.get("phase")
        if (pod.get("metadata") or {}).get("deletionTimestamp") or phase == "Failed":
            ignored.add(name)
            continue
        if phase == "Pending":
            unready.add(name)
            continue
        metric = metrics.get(name)
        if metric is None:
            missing.add(name)
            continue
        if resource == "cpu" and _cpu_unready(pod, metric, tuning, now):
            unready.add(name)
            continue
        ready += 1
    return Groups(ready, frozenset(unready), frozenset(missing), frozenset(ignored))


def _cpu_unready(pod: Obj, metric: PodMetric, tuning: Tuning, now: float) -> bool:
    condition = _ready_condition(pod)
    start = parse_time((pod.get("status") or {}).get("startTime"))
    if condition is None or start is None:
        return True
    transition = parse_time(condition.get("lastTransitionTime")) or 0.0
    if start + tuning.cpu_initialization_period > now:  # still within its initialisation period
        return condition.get("status") == "False" or metric.timestamp < transition + metric.window
    never_ready = start + tuning.delay_of_initial_readiness_status > transition
    return condition.get("status") == "False" and never_ready


def changes_with_time(pods: Sequence[Obj], metrics: Mapping[str, PodMetric], resource: str,
                      tuning: Tuning, now: float) -> bool:
    """Whether time alone can regroup a pod: a running pod whose metric is still to come, or (for
    CPU) one in its initialisation period not yet counted ready. The autoscaler's idle test."""
    for pod in pods:
        status = pod.get("status") or {}
        if (pod.get("metadata") or {}).get("deletionTimestamp") or status.get("phase") != "Running":
            continue
        metric = metrics.get(_name(pod))
        if metric is None:
            return True
        start = parse_time(status.get("startTime"))
        if resource == "cpu" and start is not None and start + tuning.cpu_initialization_period > now \
                and _cpu_unready(pod, metric, tuning, now):
            return True
    return False


def _milli(value: Any) -> int | None:
    try:
        amount = parse_quantity(value) * 1000
    except QuantityError:
        return None
    return -((-amount.numerator) // amount.denominator)


def calculate_requests(pods: Sequence[Obj], container: str, resource: str) -> dict[str, int]:
    """calculateRequests: each pod's request (milli) of the resource, from its containers (and
    restartable init containers), or one named container."""
    requests = {}
    for pod in pods:
        spec = pod.get("spec") or {}
        containers = [c for c in spec.get("containers") or () if isinstance(c, dict)]
        containers += [c for c in spec.get("initContainers") or ()
                       if isinstance(c, dict) and c.get("restartPolicy") == "Always"]
        total, found = 0, False
        for c in containers:
            if container and c.get("name") != container:
                continue
            value = ((c.get("resources") or {}).get("requests") or {}).get(resource)
            milli = _milli(value) if value is not None else None
            if milli is None:
                raise CalcError(f"missing request for {resource} in container {c.get('name')} of Pod "
                                f"{_name(pod)}")
            total += milli
            found = True
            if container:
                break
        if container and not found:
            raise CalcError(f"container {container} not found in Pod {_name(pod)}")
        requests[_name(pod)] = total
    return requests


def utilization_ratio(metrics: Mapping[str, PodMetric], requests: Mapping[str, int],
                      target: int) -> tuple[float, int, int]:
    """GetResourceUtilizationRatio: (ratio, utilization %, raw average milli)."""
    metrics_total = requests_total = entries = 0
    for name, metric in metrics.items():
        if name not in requests:  # a missing request means an extraneous metric
            continue
        metrics_total += metric.value
        requests_total += requests[name]
        entries += 1
    if requests_total == 0:
        raise CalcError("no metrics returned matched known pods")
    utilization = metrics_total * 100 // requests_total
    return utilization / target, utilization, metrics_total // entries


def usage_ratio(metrics: Mapping[str, PodMetric], target: int) -> tuple[float, int]:
    """GetMetricUsageRatio: (ratio, average usage milli)."""
    usage = sum(m.value for m in metrics.values()) // len(metrics)
    return usage / target, usage


def _ceil(value: float) -> int:
    return MAX_INT32 if value > MAX_INT32 else math.ceil(value)


Ratio = Callable[[dict[str, PodMetric]], tuple[float, Any]]


def _calculate(current: int, pods: Sequence[Obj], metrics: Mapping[str, PodMetric], resource: str,
               tuning: Tuning, now: float, ratio_of: Ratio,
               missing_use: Callable[[str, float], int | None]) -> tuple[int, Any]:
    """The shared body of both calculations: (replicas, what `ratio_of` said besides the ratio
    for the measured pods). `missing_use(pod, ratio)` is what a pod without a metric is taken to
    use (None: leave it out)."""
    if not pods:
        raise CalcError("no pods returned by selector while calculating replica count")
    groups = group_pods(pods, metrics, resource, tuning, now)
    kept = {name: m for name, m in metrics.items() if name not in groups.ignored | groups.unready}
    if not kept:
        raise CalcError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, measured = ratio_of(kept)
    scale_up_with_unready = bool(groups.unready) and ratio > 1.0
    if not scale_up_with_unready and not groups.missing:
        return (current if tuning.within(ratio) else _ceil(ratio * groups.ready)), measured
    for name in groups.missing:
        use = missing_use(name, ratio)
        if use is not None:
            kept[name] = PodMetric(use, now, 0.0)
    if scale_up_with_unready:  # a scale-up: unready pods use nothing
        for name in groups.unready:
            kept[name] = PodMetric(0, now, 0.0)
    new_ratio, _ = ratio_of(kept)
    if tuning.within(new_ratio) or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current, measured  # too small a change, or the adjustment turned the direction round
    replicas = _ceil(new_ratio * len(kept))
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return current, measured
    return replicas, measured


def resource_replicas(current: int, target_utilization: int, resource: str, pods: Sequence[Obj],
                      metrics: Mapping[str, PodMetric], container: str, tuning: Tuning,
                      now: float) -> tuple[int, int, int]:
    """GetResourceReplicas (after the metrics came back): (replicas, utilization %, raw milli)."""
    requests: dict[str, int] = {}

    def ratio_of(kept: dict[str, PodMetric]) -> tuple[float, Any]:
        if not requests:
            requests.update(calculate_requests(pods, container, resource))
        ratio, utilization, raw = utilization_ratio(kept, requests, target_utilization)
        return ratio, (utilization, raw)

    def missing_use(name: str, ratio: float) -> int | None:
        if ratio < 1.0:  # a scale-down: 100% of the request (or the target above 100%)
            return requests[name] * max(100, target_utilization) // 100
        return 0 if ratio > 1.0 else None

    replicas, (utilization, raw) = _calculate(current, pods, metrics, resource, tuning, now, ratio_of,
                                              missing_use)
    return replicas, utilization, raw


def plain_replicas(current: int, target_usage: int, resource: str, pods: Sequence[Obj],
                   metrics: Mapping[str, PodMetric], tuning: Tuning, now: float) -> tuple[int, int]:
    """calcPlainMetricReplicas (an average-value target): (replicas, average usage milli)."""

    def missing_use(name: str, ratio: float) -> int | None:
        if ratio < 1.0:  # a scale-down: exactly the target
            return target_usage
        return 0 if ratio > 1.0 else None

    return _calculate(current, pods, metrics, resource, tuning, now,
                      lambda kept: usage_ratio(kept, target_usage), missing_use)
