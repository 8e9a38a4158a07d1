"""HorizontalPodAutoscaler facts shared by the controller, the API defaults and the printers.

autoscaling/v2 is the stored shape; an autoscaling/v1 object (one CPU target, no conditions)
is read through `metric_specs` / `metric_statuses` as the v2 metric it converts to, as the API
server converts it. `format_targets` is kubectl's TARGETS column (printers.go formatHPAMetrics).
Defaults come from pkg/apis/autoscaling/v2/defaults.go: minReplicas 1, a CPU target of 80%
when no metric is given, and a given `behavior` filled with the rules that repeat the
controller's built-in ones.
"""

from __future__ import annotations

import copy
from typing import Any

Obj = dict[str, Any]

DEFAULT_CPU_UTILIZATION = 80
SCALE_UP_RULES: Obj = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                 {"type": "Percent", "value": 100, "periodSeconds": 15}],
}
SCALE_DOWN_RULES: Obj = {  # stabilizationWindowSeconds stays unset: the controller's flag (300 s)
    "selectPolicy": "Max",
    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}
MAX_TARGETS = 2  # formatHPAMetrics shows two metrics, then `+ N more...`


def cpu_metric(utilization: int) -> Obj:
    """A Resource metric on CPU utilization (percentage of request)."""
    return {"type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": utilization}}}


def _rules(given: Any, defaults: Obj) -> Obj:
    """copyHPAScalingRules: the given fields over the default rules."""
    rules = copy.deepcopy(defaults)
    if isinstance(given, dict):
        for key in ("selectPolicy", "stabilizationWindowSeconds", "policies", "tolerance"):
            if given.get(key) is not None:
                rules[key] = copy.deepcopy(given[key])
    return rules


def set_defaults(hpa: Obj) -> None:
    """SetDefaults_HorizontalPodAutoscaler (v2; v1 only gets minReplicas), in place."""
    spec = hpa.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("minReplicas", 1)
    if str(hpa.get("apiVersion", "")).endswith("/v1"):
        return
    if not spec.get("metrics"):
        spec["metrics"] = [cpu_metric(DEFAULT_CPU_UTILIZATION)]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _rules(behavior.get("scaleUp"), SCALE_UP_RULES)
        behavior["scaleDown"] = _rules(behavior.get("scaleDown"), SCALE_DOWN_RULES)


def is_v1(hpa: Obj) -> bool:
    return str(hpa.get("apiVersion", "")) == "autoscaling/v1"


def metric_specs(hpa: Obj) -> list[Obj]:
    """The v2 metric specs (an autoscaling/v1 CPU target as the Resource metric it stands for)."""
    spec = hpa.get("spec") or {}
    if is_v1(hpa):
        target = spec.get("targetCPUUtilizationPercentage")
        return [cpu_metric(int(target) if isinstance(target, int) else DEFAULT_CPU_UTILIZATION)]
    metrics = spec.get("metrics")
    return [m for m in metrics if isinstance(m, dict)] if isinstance(metrics, list) else []


def metric_statuses(hpa: Obj) -> list[Obj]:
    """status.currentMetrics (v1: the current CPU utilization as a Resource metric status)."""
    status = hpa.get("status") or {}
    if is_v1(hpa):
        current = status.get("currentCPUUtilizationPercentage")
        if current is None:
            return []
        return [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}]
    found = status.get("currentMetrics")
    return [m if isinstance(m, dict) else {} for m in found] if isinstance(found, list) else []


def _section(obj: Obj, key: str) -> Obj:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _current(statuses: list[Obj], i: int, source: str, field: str) -> Any:
    """statuses[i].<source>.current.<field>, or None."""
    if len(statuses) <= i or not isinstance(statuses[i].get(source), dict):
        return None
    return _section(statuses[i][source], "current").get(field)


def _text(value: Any) -> str:
    return "<unknown>" if value is None else str(value)


def _target_text(spec: Obj, i: int, statuses: list[Obj]) -> str:
    """One metric of formatHPAMetrics."""
    kind = spec.get("type")
    if kind in ("External", "Object"):
        source = kind.lower()
        section = _section(spec, source)
        target = _section(section, "target")
        if target.get("averageValue") is not None:
            return f"{_text(_current(statuses, i, source, 'averageValue'))}/{target['averageValue']} (avg)"
        return f"{_text(_current(statuses, i, source, 'value'))}/{target.get('value')}"
    if kind == "Pods":
        target = _section(_section(spec, "pods"), "target")
        return f"{_text(_current(statuses, i, 'pods', 'averageValue'))}/{target.get('averageValue')}"
    if kind in ("Resource", "ContainerResource"):
        source = "resource" if kind == "Resource" else "containerResource"
        section = _section(spec, source)
        target = _section(section, "target")
        name = section.get("name", "")
        if target.get("averageValue") is not None:
            return f"{name}: {_text(_current(statuses, i, source, 'averageValue'))}/{target['averageValue']}"
        current = _current(statuses, i, source, "averageUtilization")
        goal = target.get("averageUtilization")
        return (f"{name}: {'<unknown>' if current is None else f'{current}%'}/"
                f"{'<auto>' if goal is None else f'{goal}%'}")
    return "<unknown type>"


def format_targets(hpa: Obj) -> str:
    """kubectl's TARGETS: `cpu: 250%/50%`, `<unknown>` before the first sync, `<none>`."""
    specs, statuses = metric_specs(hpa), metric_statuses(hpa)
    if not specs:
        return "<none>"
    parts = [_target_text(spec, i, statuses) for i, spec in enumerate(specs)]
    text = ", ".join(parts[:MAX_TARGETS])
    if len(parts) > MAX_TARGETS:
        return f"{text} + {len(parts) - MAX_TARGETS} more..."
    return text
