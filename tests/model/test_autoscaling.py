"""HPA facts: the API defaults (pkg/apis/autoscaling/v2/defaults.go), the v1 view, and kubectl's
TARGETS column (pkg/printers/internalversion/printers.go formatHPAMetrics)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.model.autoscaling import (
    SCALE_DOWN_RULES,
    SCALE_UP_RULES,
    cpu_metric,
    format_targets,
    set_defaults,
)

Obj = dict[str, Any]


def v2(metrics: list[Obj], current: list[Obj] | None = None) -> Obj:
    hpa: Obj = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "spec": {"metrics": metrics}}
    if current is not None:
        hpa["status"] = {"currentMetrics": current}
    return hpa


MEMORY_AVG = {"type": "Resource", "resource": {"name": "memory", "target": {
    "type": "AverageValue", "averageValue": "256Mi"}}}
PODS = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue",
                                                                        "averageValue": "10"}}}
EXTERNAL_AVG = {"type": "External", "external": {"metric": {"name": "queue"}, "target": {
    "type": "AverageValue", "averageValue": "30"}}}
OBJECT = {"type": "Object", "object": {"metric": {"name": "hits"}, "describedObject": {"kind": "Service"},
                                       "target": {"type": "Value", "value": "100"}}}
CONTAINER = {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app", "target": {
    "type": "Utilization", "averageUtilization": 60}}}


@pytest.mark.parametrize(("hpa", "text"), [
    (v2([cpu_metric(50)]), "cpu: <unknown>/50%"),
    (v2([cpu_metric(50)], [{"type": "Resource", "resource": {"name": "cpu", "current": {
        "averageUtilization": 250, "averageValue": "500m"}}}]), "cpu: 250%/50%"),
    (v2([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]),
     "cpu: <unknown>/<auto>"),
    (v2([MEMORY_AVG], [{"type": "Resource", "resource": {"name": "memory", "current": {
        "averageValue": "128Mi"}}}]), "memory: 128Mi/256Mi"),
    (v2([PODS]), "<unknown>/10"),
    (v2([EXTERNAL_AVG]), "<unknown>/30 (avg)"),
    (v2([OBJECT], [{"type": ""}]), "<unknown>/100"),
    (v2([CONTAINER]), "cpu: <unknown>/60%"),
    (v2([cpu_metric(50), MEMORY_AVG, PODS]), "cpu: <unknown>/50%, memory: <unknown>/256Mi + 1 more..."),
    (v2([]), "<none>"),
    ({"apiVersion": "autoscaling/v1", "spec": {"targetCPUUtilizationPercentage": 70},
      "status": {"currentCPUUtilizationPercentage": 35}}, "cpu: 35%/70%"),
    ({"apiVersion": "autoscaling/v1", "spec": {}}, "cpu: <unknown>/80%"),  # v1's implied default
])
def test_format_targets(hpa: Obj, text: str) -> None:
    assert format_targets(hpa) == text


def test_v2_defaults_fill_min_the_cpu_target_and_a_given_behavior() -> None:
    bare: Obj = {"apiVersion": "autoscaling/v2", "spec": {"maxReplicas": 3}}
    set_defaults(bare)
    assert bare["spec"] == {"maxReplicas": 3, "minReplicas": 1, "metrics": [cpu_metric(80)]}
    tuned: Obj = {"apiVersion": "autoscaling/v2", "spec": {"maxReplicas": 3, "behavior": {
        "scaleDown": {"stabilizationWindowSeconds": 60, "policies": [{"type": "Pods", "value": 1,
                                                                      "periodSeconds": 60}]}}}}
    set_defaults(tuned)
    assert tuned["spec"]["behavior"] == {
        "scaleUp": SCALE_UP_RULES,
        "scaleDown": {"selectPolicy": "Max", "stabilizationWindowSeconds": 60,
                      "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}
    assert "stabilizationWindowSeconds" not in SCALE_DOWN_RULES  # the controller's flag decides


def test_v1_gets_only_min_replicas() -> None:
    old: Obj = {"apiVersion": "autoscaling/v1", "spec": {"maxReplicas": 3}}
    set_defaults(old)
    assert old["spec"] == {"maxReplicas": 3, "minReplicas": 1}
