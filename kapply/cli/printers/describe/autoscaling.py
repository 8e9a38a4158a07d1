"""`describe hpa`, as kubectl's describeHorizontalPodAutoscalerV2 prints it.

kubectl reads autoscalers as autoscaling/v2, so an autoscaling/v1 object is shown through the
v2 metric it converts to. The wide first column comes from kubectl's single tabwriter: the
`resource cpu on pods  (as a percentage of request):` line sets it for the whole page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    describe_events,
    labels_multiline,
    meta,
    rfc1123z,
)
from kapply.model.autoscaling import metric_specs, metric_statuses


def _current(statuses: list[Obj], i: int, source: str) -> Obj | None:
    if len(statuses) <= i or not isinstance(statuses[i].get(source), dict):
        return None
    return statuses[i][source].get("current") or {}


def _value(current: Obj | None, field: str) -> str:
    if current is None or current.get(field) is None:
        return "<unknown>"
    return str(current[field])


def _metric(w: PrefixWriter, i: int, spec: Obj, statuses: list[Obj]) -> None:
    kind = spec.get("type")
    if kind == "External":
        section = spec.get("external") or {}
        name, target = (section.get("metric") or {}).get("name", ""), section.get("target") or {}
        current = _current(statuses, i, "external")
        if target.get("averageValue") is not None:
            w.write(1, f'"{name}" (target average value):\t{_value(current, "averageValue")} / '
                       f"{target['averageValue']}\n")
        else:
            w.write(1, f'"{name}" (target value):\t{_value(current, "value")} / {target.get("value")}\n')
    elif kind == "Pods":
        section = spec.get("pods") or {}
        name, target = (section.get("metric") or {}).get("name", ""), section.get("target") or {}
        w.write(1, f'"{name}" on pods:\t{_value(_current(statuses, i, "pods"), "averageValue")} / '
                   f"{target.get('averageValue')}\n")
    elif kind == "Object":
        section = spec.get("object") or {}
        described = section.get("describedObject") or {}
        name, target = (section.get("metric") or {}).get("name", ""), section.get("target") or {}
        w.write(1, f'"{name}" on {described.get("kind", "")}/{described.get("name", "")} ')
        current = _current(statuses, i, "object")
        if target.get("type") == "AverageValue":
            value = _value(current, "averageValue")
            w.write(0, f"(target average value):\t{value} / {target.get('averageValue')}\n")
        else:
            w.write(0, f"(target value):\t{_value(current, 'value')} / {target.get('value')}\n")
    elif kind in ("Resource", "ContainerResource"):
        source = "resource" if kind == "Resource" else "containerResource"
        section = spec.get(source) or {}
        target = section.get("target") or {}
        if kind == "Resource":
            w.write(1, f"resource {section.get('name', '')} on pods")
        else:
            container = section.get("container", "")
            w.write(1, f'resource {section.get("name", "")} of container "{container}" on pods')
        current = _current(statuses, i, source)
        if target.get("averageValue") is not None:
            w.write(0, f":\t{_value(current, 'averageValue')} / {target['averageValue']}\n")
        else:
            text = "<unknown>"
            if current is not None and current.get("averageUtilization") is not None:
                value = current.get("averageValue")  # a nil Quantity prints <nil> (a v1 status)
                text = f"{current['averageUtilization']}% ({'<nil>' if value is None else value})"
            goal = target.get("averageUtilization")
            goal_text = "<auto>" if goal is None else f"{goal}%"
            w.write(1, f"(as a percentage of request):\t{text} / {goal_text}\n")
    else:
        w.write(1, f'<unknown metric type "{kind}">\n')


def _direction(w: PrefixWriter, title: str, rules: Any) -> None:
    """printDirectionBehavior."""
    if not isinstance(rules, dict):
        return
    w.write(1, f"{title}:\n")
    if rules.get("stabilizationWindowSeconds") is not None:
        w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
    policies = rules.get("policies") or []
    if policies:
        w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
        w.write(2, "Policies:\n")
        for p in policies:
            period = p.get("periodSeconds")
            w.write(3, f"- Type: {p.get('type')}\tValue: {p.get('value')}\tPeriod: {period} seconds\n")


def describe_horizontal_pod_autoscaler(hpa: Obj, related: Mapping[str, Sequence[Obj]],
                                       events: Sequence[Obj] | None, now: float) -> str:
    """kubectl describe hpa."""
    w = PrefixWriter()
    md, spec, status = meta(hpa), hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    statuses = metric_statuses(hpa)
    for i, metric in enumerate(metric_specs(hpa)):
        _metric(w, i, metric, statuses)
    minimum = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{'<unset>' if minimum is None else minimum}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        w.write(0, "Behavior:\n")
        _direction(w, "Scale Up", behavior.get("scaleUp"))
        _direction(w, "Scale Down", behavior.get("scaleDown"))
    w.write(0, f"{ref.get('kind', '')} pods:\t")
    w.write(0, f"{status.get('currentReplicas', 0)} current / {status.get('desiredReplicas', 0)} desired\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type')}\t{c.get('status')}\t{c.get('reason')}\t{c.get('message')}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.render()
