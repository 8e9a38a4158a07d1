"""The HorizontalPodAutoscaler controller through the runtime, checked against
pkg/controller/podautoscaler/horizontal.go: a pass every 15 s (the first one a period after the
HPA appears), reconcileAutoscaler's branches, the conditions and their reasons, the events, the
300 s scale-down stabilization, and the scale subresource of every scalable kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.loads import set_load
from kapply.cluster.sim.metrics import Load
from kapply.cluster.sim.store import Store
from kapply.cluster.sim.testing import new_test_cluster

Obj = dict[str, Any]


def template(cpu: str = "200m") -> Obj:
    return {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}}


def deployment(replicas: int = 1, kind: str = "Deployment", api: str = "apps/v1") -> Obj:
    spec: Obj = {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": template()}
    if kind == "ReplicationController":
        spec["selector"] = {"app": "web"}
    if kind == "StatefulSet":
        spec["serviceName"] = "web"
    return {"apiVersion": api, "kind": kind, "metadata": {"name": "web"}, "spec": spec}


def hpa(kind: str = "Deployment", api: str = "apps/v1", minimum: int | None = 1, maximum: int = 10,
        target: int = 50, **spec: Any) -> Obj:
    body: Obj = {"scaleTargetRef": {"apiVersion": api, "kind": kind, "name": "web"}, "maxReplicas": maximum,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                     "type": "Utilization", "averageUtilization": target}}}]}
    if minimum is not None:
        body["minReplicas"] = minimum
    body.update(spec)
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
            "spec": body}


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=3)


def load(cluster: SimCluster, cpu: int | None, total: bool = False, kind: str = "Deployment") -> None:
    set_load(cluster, kind, "default", "web", Load(cpu=cpu, total=total))


def status(cluster: SimCluster) -> Obj:
    return cluster.get("HorizontalPodAutoscaler", "default", "web").get("status") or {}


def conditions(cluster: SimCluster) -> dict[str, tuple[str, str, str]]:
    found = status(cluster).get("conditions") or ()
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in found}


def replicas(cluster: SimCluster, kind: str = "Deployment") -> int:
    return int(cluster.get(kind, "default", "web")["spec"]["replicas"])


def events(cluster: SimCluster, reason: str | None = None) -> list[str]:
    found = cluster.events(involved=cluster.get("HorizontalPodAutoscaler", "default", "web"))
    return [e["message"] for e in found if reason is None or e["reason"] == reason]


def test_the_first_pass_comes_a_sync_period_after_creation(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create(hpa())
    load(cluster, 500)
    cluster.advance(14)
    assert status(cluster) == {}  # enqueued with the 15 s rate limit, not processed yet
    cluster.advance(1)  # t=15: the pod started at 2 s has no metrics yet (one 15 s window)
    assert conditions(cluster)["ScalingActive"] == (
        "False", "FailedGetResourceMetric", "the HPA was unable to compute the replica count: failed to get "
        "cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource "
        "metrics API")
    assert events(cluster, "FailedComputeMetricsReplicas") == [
        "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: "
        "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from "
        "resource metrics API"]
    cluster.advance(15)  # t=30: 500m of 200m is 250%, five times the 50% target
    assert replicas(cluster) == 4  # but at most max(2 * 1, 4) per pass without behavior
    assert events(cluster, "SuccessfulRescale") == [
        "New size: 4; reason: cpu resource utilization (percentage of request) above target"]
    found = status(cluster)
    assert found["currentReplicas"] == 1 and found["desiredReplicas"] == 4
    assert found["currentMetrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": 250, "averageValue": "500m"}}}]
    assert found["lastScaleTime"] == "2026-01-01T00:00:30Z"
    assert conditions(cluster) == {
        "AbleToScale": ("True", "SucceededRescale",
                        "the HPA controller was able to update the target scale to 4"),
        "ScalingActive": ("True", "ValidMetricFound",
                          "the HPA was able to successfully calculate a replica count from cpu resource "
                          "utilization (percentage of request)"),
        "ScalingLimited": ("True", "ScaleUpLimit", "the desired replica count is increasing faster than the "
                                                   "maximum scale rate"),
    }


def test_it_never_goes_beyond_max_and_reports_the_limit(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create(hpa(maximum=6))
    load(cluster, 500)
    cluster.advance(120)
    assert replicas(cluster) == 6
    assert conditions(cluster)["ScalingLimited"] == (
        "True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")
    assert conditions(cluster)["AbleToScale"][1] == "ReadyForNewScale"


def test_scale_down_waits_for_the_five_minute_stabilization_window(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=4))
    cluster.create(hpa(minimum=2))
    load(cluster, 100)  # 50% of the request: on target
    cluster.advance(60)
    assert replicas(cluster) == 4 and conditions(cluster)["AbleToScale"][1] == "ReadyForNewScale"
    load(cluster, 10)  # 5%: one replica would do
    cluster.advance(15)
    assert replicas(cluster) == 4
    assert conditions(cluster)["AbleToScale"] == (
        "True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the "
        "highest recent recommendation")
    cluster.advance(270)  # the last recommendation of 4 is 300 s old only at the pass after this
    assert replicas(cluster) == 4
    cluster.advance(30)
    assert replicas(cluster) == 2  # min, not 1
    assert events(cluster, "SuccessfulRescale") == ["New size: 2; reason: All metrics below target"]
    assert conditions(cluster)["ScalingLimited"][1] == "TooFewReplicas"


def test_behavior_without_a_scale_down_window_scales_down_at_once(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=4))
    cluster.create(hpa(behavior={"scaleDown": {"stabilizationWindowSeconds": 0}}))
    stored = cluster.get("HorizontalPodAutoscaler", "default", "web")["spec"]["behavior"]
    assert stored["scaleUp"]["policies"] == [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                             {"type": "Percent", "value": 100, "periodSeconds": 15}]
    load(cluster, 10)
    cluster.advance(45)
    assert replicas(cluster) == 1


def test_a_ratio_within_the_tolerance_changes_nothing(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=3))
    cluster.create(hpa())
    load(cluster, 108)  # 54% against 50%: a ratio of 1.08
    cluster.advance(60)
    assert replicas(cluster) == 3 and events(cluster, "SuccessfulRescale") == []
    assert status(cluster)["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 54


def test_a_missing_target_is_failed_get_scale(cluster: SimCluster) -> None:
    cluster.create(hpa())
    cluster.advance(15)
    assert conditions(cluster) == {"AbleToScale": (
        "False", "FailedGetScale", 'the HPA controller was unable to get the target\'s current scale: '
        'deployments.apps "web" not found')}
    assert events(cluster, "FailedGetScale") == ['deployments.apps "web" not found']


def test_a_target_scaled_to_zero_disables_autoscaling(cluster: SimCluster) -> None:
    cluster.create(deployment(replicas=0))
    cluster.create(hpa())
    cluster.advance(15)
    assert conditions(cluster)["ScalingActive"] == (
        "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
    assert replicas(cluster) == 0


def test_a_size_outside_the_bounds_is_corrected_at_the_next_pass(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create(hpa(minimum=2, maximum=5))
    cluster.advance(15)
    assert replicas(cluster) == 2
    assert events(cluster, "SuccessfulRescale") == [
        "New size: 2; reason: Current number of replicas below Spec.MinReplicas"]
    cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 9}}, "merge")
    cluster.advance(15)
    assert replicas(cluster) == 5
    assert "New size: 5; reason: Current number of replicas above Spec.MaxReplicas" in events(cluster)


@pytest.mark.parametrize(("kind", "api"), [("ReplicaSet", "apps/v1"), ("ReplicationController", "v1"),
                                           ("StatefulSet", "apps/v1")])
def test_every_kind_with_a_scale_subresource_is_a_target(cluster: SimCluster, kind: str, api: str) -> None:
    cluster.create(deployment(kind=kind, api=api))
    cluster.create(hpa(kind=kind, api=api))
    load(cluster, 400, kind=kind)
    cluster.advance(60)
    assert replicas(cluster, kind) >= 4
    assert events(cluster, "SuccessfulRescale")[0] == (
        "New size: 4; reason: cpu resource utilization (percentage of request) above target")


def test_a_kind_without_a_scale_subresource_cannot_be_scaled(cluster: SimCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}})
    cluster.create(hpa(kind="ConfigMap", api="v1"))
    cluster.advance(15)
    assert events(cluster, "FailedGetScale") == ["the server could not find the requested resource"]
    cluster.create(hpa(kind="Gadget", api="example.com/v1") | {"metadata": {"name": "other"}})
    cluster.advance(15)
    other = cluster.events(involved=cluster.get("HorizontalPodAutoscaler", "default", "other"))
    assert [e["message"] for e in other] == ['no matches for kind "Gadget" in group "example.com"']


def test_a_total_load_settles_on_the_size_that_carries_it(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create(hpa(maximum=50))
    load(cluster, 1000, total=True)  # 1 CPU in all: 10 pods at 50% of 200m
    cluster.advance_until_idle()
    assert replicas(cluster) == 10
    assert status(cluster)["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 50


def test_until_idle_stops_at_a_settled_autoscaler_and_load_wakes_it(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create(hpa())
    load(cluster, 500)
    result = cluster.advance_until_idle()
    assert result.idle and replicas(cluster) == 10  # settled at max; its passes are housekeeping
    before = cluster.now()
    load(cluster, 5)
    result = cluster.advance_until_idle()
    assert result.idle and replicas(cluster) == 1
    assert result.end - before >= 300  # through the stabilization window


def test_the_controller_remembers_across_processes(tmp_path: Path) -> None:
    """The recommendations live in the cluster's state: another process opening the file keeps
    the scale-down stabilized, as a running kube-controller-manager would."""
    cluster = new_test_cluster(tmp_path, nodes=3)
    cluster.create(deployment(replicas=4))
    cluster.create(hpa())
    load(cluster, 100)
    cluster.advance(60)
    load(cluster, 10)
    cluster.close()
    again = SimCluster("test", Store.open(tmp_path / "test.db"), cluster.clock)
    again.advance(120)
    assert replicas(again) == 4  # still within 300 s of the recommendations of 4
    assert conditions(again)["AbleToScale"][1] == "ScaleDownStabilized"


def test_custom_metrics_fail_without_a_metrics_adapter(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create(hpa(metrics=[{"type": "Pods", "pods": {"metric": {"name": "requests"}, "target": {
        "type": "AverageValue", "averageValue": "10"}}}]))
    cluster.advance(30)
    assert conditions(cluster)["ScalingActive"] == (
        "False", "FailedGetPodsMetric", "the HPA was unable to compute the replica count: unable to get "
        "metric requests: unable to fetch metrics from custom metrics API: no custom metrics API "
        "(custom.metrics.k8s.io) registered")
    assert status(cluster)["currentMetrics"] == [{"type": ""}]


def test_autoscaling_v1_gets_the_v1_status(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                    "metadata": {"name": "web"},
                    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                             "maxReplicas": 3, "targetCPUUtilizationPercentage": 50}})
    load(cluster, 150)
    cluster.advance(30)
    found = cluster.get("HorizontalPodAutoscaler", "default", "web")
    assert found["spec"]["minReplicas"] == 1
    assert found["status"] == {"lastScaleTime": "2026-01-01T00:00:30Z", "currentReplicas": 1,
                               "desiredReplicas": 2, "currentCPUUtilizationPercentage": 75}


def test_two_autoscalers_over_the_same_pods_are_ambiguous(cluster: SimCluster) -> None:
    cluster.create(deployment())
    cluster.create(hpa())
    cluster.create(hpa() | {"metadata": {"name": "twin"}})
    cluster.advance(30)
    assert conditions(cluster)["ScalingActive"] == (
        "False", "AmbiguousSelector", "pods by selector app=web are controlled by multiple HPAs: "
        "[default/twin default/web]")
