"""One replica proposal per metric of an autoscaler (horizontal.go computeReplicasForMetric[s]).

Resource and ContainerResource metrics read the simulated metrics-server (`metrics.py`);
Pods, Object and External metrics need a custom or external metrics API, which the embedded
cluster does not run, so they fail as they fail on a cluster without an adapter. The errors,
condition reasons and event texts are the controller's, wrapped the way its calls wrap them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kapply.cluster.sim.controllers.hpa.replicas import (
    CalcError,
    PodMetric,
    Tuning,
    changes_with_time,
    plain_replicas,
    resource_replicas,
)
from kapply.cluster.sim.metrics import PodUsage
from kapply.model.quantity import QuantityError, format_quantity, parse_quantity

Obj = dict[str, Any]
NO_CUSTOM_API = ("unable to fetch metrics from custom metrics API: no custom metrics API "
                 "(custom.metrics.k8s.io) registered")


class MetricError(Exception):
    """A metric that gave no proposal: the error text, and the ScalingActive reason/message."""

    def __init__(self, error: str, reason: str, condition_error: str) -> None:
        super().__init__(error)
        self.reason = reason
        self.message = f"the HPA was unable to compute the replica count: {condition_error}"
        self.event = condition_error


@dataclass
class Inputs:
    """What every metric reads: the target's scale, its pods, their metrics, the flags."""

    spec_replicas: int
    status_replicas: int
    namespace: str
    pods: Sequence[Obj]
    usages: Sequence[PodUsage]
    tuning: Tuning
    now: float
    time_dependent: list[bool] = field(default_factory=list)  # set when a pod may regroup by itself


@dataclass(frozen=True)
class Proposal:
    replicas: int
    name: str  # `cpu resource utilization (percentage of request)`
    status: Obj


def _milli(value: Any) -> int:
    try:
        amount = parse_quantity(value) * 1000
    except QuantityError:
        return 0
    return -((-amount.numerator) // amount.denominator)


def _quantity(milli: int) -> str:
    """resource.NewMilliQuantity(v, DecimalSI).String()."""
    from fractions import Fraction

    return format_quantity(Fraction(milli, 1000), False)


def _metrics(inputs: Inputs, resource: str, container: str) -> dict[str, PodMetric]:
    """metricsClient.GetResourceMetric over the simulated metrics-server."""
    if not inputs.usages:
        raise CalcError("unable to get metrics for resource " + resource +
                        ": no metrics returned from resource metrics API")
    found = {}
    for usage in inputs.usages:
        if container:
            row = next((c for c in usage.containers if c[0] == container), None)
            if row is None:
                raise CalcError(f"unable to get metrics for resource {resource}: failed to get container "
                                f"metrics: container {container} not present in metrics for pod "
                                f"{usage.namespace}/{usage.name}")
            value = row[1] if resource == "cpu" else row[2] * 1000
        else:
            value = usage.total(resource)
        if resource in ("cpu", "memory"):  # metrics-server measures nothing else
            found[usage.name] = PodMetric(value, usage.timestamp, usage.window)
    return found


def _resource(inputs: Inputs, spec: Obj, source: str) -> Proposal:
    """computeStatusForResourceMetricGeneric and its Resource / ContainerResource callers."""
    section = spec.get(source) or {}
    resource, container = str(section.get("name", "")), str(section.get("container", "") or "")
    target = section.get("target") or {}
    reason = "FailedGetResourceMetric" if source == "resource" else "FailedGetContainerResourceMetric"
    wrap = (f"failed to get {resource} resource metric value: " if source == "resource"
            else f"failed to get {container} container metric value: ")
    try:
        metrics = _metrics(inputs, resource, container)
        if target.get("averageValue") is not None:
            what = "usage"
            replicas, raw = plain_replicas(inputs.spec_replicas, _milli(target["averageValue"]), resource,
                                           inputs.pods, metrics, inputs.tuning, inputs.now)
            current: Obj = {"averageValue": _quantity(raw)}
            name = f"{resource} resource"
        elif target.get("averageUtilization") is not None:
            what = "utilization"
            replicas, utilization, raw = resource_replicas(
                inputs.spec_replicas, int(target["averageUtilization"]), resource, inputs.pods, metrics,
                container, inputs.tuning, inputs.now)
            current = {"averageUtilization": utilization, "averageValue": _quantity(raw)}
            kind = "resource" if source == "resource" else "container resource"
            name = f"{resource} {kind} utilization (percentage of request)"
        else:
            text = ("invalid resource metric source: neither an average utilization target nor an average "
                    "value (usage) target was set")
            raise MetricError(wrap + text, reason, text)
    except CalcError as exc:
        what = "usage" if target.get("averageValue") is not None else "utilization"
        text = f"failed to get {resource} {what}: {exc}"
        raise MetricError(wrap + text, reason, text) from None
    if changes_with_time(inputs.pods, metrics, resource, inputs.tuning, inputs.now):
        inputs.time_dependent.append(True)
    status: Obj = {"name": resource, "current": current}
    if source == "containerResource":
        status = {"name": resource, "container": container, "current": current}
    key = "Resource" if source == "resource" else "ContainerResource"
    return Proposal(replicas, name, {"type": key, source: status})


def _go_selector(selector: Any) -> str:
    """`%+v` of a *metav1.LabelSelector (its generated String())."""
    if not isinstance(selector, dict):
        return "nil"
    labels = "".join(f"{k}: {v}," for k, v in sorted((selector.get("matchLabels") or {}).items()))
    exprs = "".join(f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
                    f"Values:[{' '.join(e.get('values') or ())}],}},"
                    for e in selector.get("matchExpressions") or ())
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{labels}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}")


def _custom(inputs: Inputs, spec: Obj) -> Proposal:
    """Pods, Object and External metrics: no custom or external metrics API answers."""
    kind = spec.get("type")
    if kind == "Pods":
        name = str(((spec.get("pods") or {}).get("metric") or {}).get("name", ""))
        text = f"unable to get metric {name}: {NO_CUSTOM_API}"
        raise MetricError(f"failed to get pods metric value: {text}", "FailedGetPodsMetric", text)
    if kind == "Object":
        section = spec.get("object") or {}
        name = str((section.get("metric") or {}).get("name", ""))
        described = section.get("describedObject") or {}
        target = section.get("target") or {}
        # the Go format string puts the error last and the kind first, as written upstream
        text = (f"unable to get metric {name}: {described.get('kind', '')} on {inputs.namespace} "
                f"{described.get('name', '')}/{NO_CUSTOM_API}")
        if target.get("type") == "Value" and target.get("value") is not None:
            raise MetricError(f"failed to get object metric value: {text}", "FailedGetObjectMetric", text)
        if target.get("type") == "AverageValue" and target.get("averageValue") is not None:
            wrapped = f"failed to get {name} object metric: {text}"
            raise MetricError(f"failed to get object metric value: {wrapped}", "FailedGetObjectMetric", text)
        text = "invalid object metric source: neither a value target nor an average value target was set"
        raise MetricError(f"failed to get object metric value: {text}", "FailedGetObjectMetric", text)
    if kind == "External":
        section = spec.get("external") or {}
        metric = section.get("metric") or {}
        name = str(metric.get("name", ""))
        target = section.get("target") or {}
        selector = _go_selector(metric.get("selector"))
        text = (f"unable to get external metric {inputs.namespace}/{name}/{selector}: "
                f"unable to fetch metrics from external metrics API: the server could not find the requested "
                f"resource (get {name}.external.metrics.k8s.io)")
        if target.get("averageValue") is not None:
            wrapped = f"failed to get {name} external metric: {text}"
        elif target.get("value") is not None:
            wrapped = f"failed to get external metric {name}: {text}"
        else:
            text = wrapped = ("invalid external metric source: neither a value target nor an average value "
                              "target was set")
        raise MetricError(f"failed to get {name} external metric value: {wrapped}", "FailedGetExternalMetric",
                          text)
    text = f'unknown metric source type "{kind}"'
    raise MetricError(text, "InvalidMetricSourceType", text)


def propose(inputs: Inputs, spec: Obj) -> Proposal:
    """computeReplicasForMetric: the metric's proposal, or MetricError."""
    if spec.get("type") == "Resource":
        return _resource(inputs, spec, "resource")
    if spec.get("type") == "ContainerResource":
        return _resource(inputs, spec, "containerResource")
    return _custom(inputs, spec)


@dataclass
class Outcome:
    """computeReplicasForMetrics: -1 replicas when the autoscaler cannot act on the metrics."""

    replicas: int
    metric: str
    statuses: list[Obj]
    error: str | None
    failure: MetricError | None  # the first invalid metric (its condition is set when it decides)


def propose_all(inputs: Inputs, specs: Sequence[Obj], record: Any) -> Outcome:
    """Every metric's proposal; the largest wins. `record(reason, message)` emits the events."""
    replicas, metric = 0, ""
    statuses: list[Obj] = [{"type": ""} for _ in specs]
    invalid, first = 0, None
    for i, spec in enumerate(specs):
        try:
            proposal = propose(inputs, spec)
        except MetricError as exc:
            record(exc.reason, exc.event)
            if first is None:
                first = exc
            invalid += 1
            continue
        statuses[i] = proposal.status
        if replicas == 0 or proposal.replicas > replicas:
            replicas, metric = proposal.replicas, proposal.name
    error = None
    if first is not None:
        error = f"invalid metrics ({invalid} invalid out of {len(specs)}), first error is: {first}"
    if invalid >= len(specs) or (invalid > 0 and replicas < inputs.spec_replicas):
        return Outcome(-1, "", statuses, error, first)
    return Outcome(replicas, metric, statuses, error, None)
