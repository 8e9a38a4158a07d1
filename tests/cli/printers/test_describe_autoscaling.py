"""`describe hpa`, against kubectl's describeHorizontalPodAutoscalerV2 (staging/src/k8s.io/kubectl/
pkg/describe/describe.go): the metric lines, behavior, `<Kind> pods:` and the conditions table."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, T0, T2

from kapply.cli.printers.describe import describe

GOLDEN = Path(__file__).parent / "golden"

HPA: dict[str, Any] = {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "default", "uid": "u1", "creationTimestamp": T0},
    "spec": {"minReplicas": 1, "maxReplicas": 10,
             "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
             "metrics": [
                 {"type": "Resource", "resource": {"name": "cpu", "target": {
                     "type": "Utilization", "averageUtilization": 50}}},
                 {"type": "Resource", "resource": {"name": "memory", "target": {
                     "type": "AverageValue", "averageValue": "256Mi"}}},
                 {"type": "Pods", "pods": {"metric": {"name": "requests"}, "target": {
                     "type": "AverageValue", "averageValue": "10"}}}],
             "behavior": {
                 "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                     {"type": "Pods", "value": 4, "periodSeconds": 15},
                     {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                 "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [
                     {"type": "Percent", "value": 100, "periodSeconds": 15}]}}},
    "status": {
        "currentReplicas": 1, "desiredReplicas": 4, "lastScaleTime": T2,
        "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": 250, "averageValue": "250m"}}},
            {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "8388608"}}},
            {"type": ""}],
        "conditions": [
            {"type": "AbleToScale", "status": "True", "lastTransitionTime": T2,
             "reason": "SucceededRescale",
             "message": "the HPA controller was able to update the target scale to 4"},
            {"type": "ScalingActive", "status": "True", "lastTransitionTime": T2,
             "reason": "ValidMetricFound",
             "message": "the HPA was able to successfully calculate a replica count from cpu resource "
                        "utilization (percentage of request)"},
            {"type": "ScalingLimited", "status": "True", "lastTransitionTime": T2,
             "reason": "ScaleUpLimit",
             "message": "the desired replica count is increasing faster than the maximum scale rate"}]},
}
EVENT = {"kind": "Event", "metadata": {"name": "web.1", "namespace": "default"}, "type": "Normal",
         "reason": "SuccessfulRescale", "message": "New size: 4; reason: cpu resource utilization "
         "(percentage of request) above target", "source": {"component": "horizontal-pod-autoscaler"},
         "firstTimestamp": T2, "lastTimestamp": T2, "count": 1,
         "involvedObject": {"kind": "HorizontalPodAutoscaler", "name": "web", "namespace": "default"}}


def test_page_with_metrics_behavior_conditions_and_events() -> None:
    assert describe(HPA, {}, [EVENT], NOW) == (GOLDEN / "describe_hpa.txt").read_text()


def test_before_the_first_pass_the_metrics_are_unknown() -> None:
    fresh = copy.deepcopy(HPA)
    fresh["status"] = {"desiredReplicas": 0}
    del fresh["spec"]["behavior"]
    page = describe(fresh, {}, [], NOW)
    assert "  resource cpu on pods  (as a percentage of request):  <unknown> / 50%\n" in page
    assert "  resource memory on pods:                             <unknown> / 256Mi\n" in page
    assert '  "requests" on pods:                                  <unknown> / 10\n' in page
    assert "Deployment pods:                                       0 current / 0 desired\n" in page
    assert "Behavior:" not in page and "Conditions:" not in page


def test_an_autoscaling_v1_object_reads_as_its_v2_cpu_metric() -> None:
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
          "metadata": {"name": "old", "namespace": "default", "creationTimestamp": T0},
          "spec": {"scaleTargetRef": {"kind": "ReplicaSet", "name": "old"}, "maxReplicas": 3,
                   "targetCPUUtilizationPercentage": 60},
          "status": {"currentReplicas": 2, "desiredReplicas": 2, "currentCPUUtilizationPercentage": 61}}
    page = describe(v1, {}, None, NOW)
    assert "  resource cpu on pods  (as a percentage of request):  61% (<nil>) / 60%\n" in page
    assert "Min replicas:" in page and "<unset>" in page
    assert "ReplicaSet pods:" in page
