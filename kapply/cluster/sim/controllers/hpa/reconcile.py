"""One autoscaler pass (horizontal.go reconcileAutoscaler), over a kind-agnostic scale path.

Read the target's scale subresource (`kapply.model.scale`: Deployments, ReplicaSets,
ReplicationControllers, StatefulSets), propose a size per metric (`metricspec.py`), normalize
it (`normalize.py`), write spec.replicas through the scale path when it changes, and write the
status: currentReplicas, desiredReplicas, currentMetrics, lastScaleTime and the conditions
AbleToScale, ScalingActive and ScalingLimited with the controller's reasons and messages.
Events are the controller's (`SuccessfulRescale`: `New size: 4; reason: cpu resource
utilization (percentage of request) above target`). `reconcile` answers whether the pass left
the autoscaler settled: nothing but another event could change what the next pass decides.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from kapply.cluster.sim.admission import resource_label
from kapply.cluster.sim.controllers.base import Context
from kapply.cluster.sim.controllers.hpa import normalize as norm
from kapply.cluster.sim.controllers.hpa.metricspec import Inputs, propose_all
from kapply.cluster.sim.controllers.hpa.replicas import Tuning
from kapply.cluster.sim.metrics import MetricsSource
from kapply.cluster.sim.nodes import rfc3339
from kapply.errors import ClusterError
from kapply.model import autoscaling
from kapply.model.jsoncopy import deep_copy
from kapply.model.kinds import REGISTRY
from kapply.model.scale import Scale, scale_of, scale_paths, with_replicas

Obj = dict[str, Any]
KIND = "HorizontalPodAutoscaler"
SETTLED_ABLE = ("ReadyForNewScale", "SucceededGetScale")
SETTLED_LIMITED = ("DesiredWithinRange", "TooManyReplicas", "TooFewReplicas")


class _Pass:
    """The HPA copy one pass works on: its conditions and the events it records."""

    def __init__(self, ctx: Context, hpa: Obj) -> None:
        self.ctx, self.hpa = ctx, deep_copy(hpa)
        self.original = copy.deepcopy(hpa.get("status") or {})
        self.conditions: list[Obj] = [dict(c) for c in self.original.get("conditions") or ()
                                      if isinstance(c, dict)]

    def condition(self, type_: str, status: str, reason: str, message: str) -> None:
        """setConditionInList: add or update; the transition time moves when the status does."""
        for cond in self.conditions:
            if cond.get("type") == type_:
                break
        else:
            cond = {"type": type_}
            self.conditions.append(cond)
        if cond.get("status") != status:
            cond["lastTransitionTime"] = rfc3339(self.ctx.now)
        cond.update(status=status, reason=reason, message=message)
        fields = ("type", "status", "lastTransitionTime", "reason", "message")
        ordered = {k: cond[k] for k in fields if k in cond}
        cond.clear()
        cond.update(ordered)

    def reason(self, type_: str) -> str:
        return next((str(c.get("reason", "")) for c in self.conditions if c.get("type") == type_), "")

    def event(self, type_: str, reason: str, message: str) -> None:
        self.ctx.record_event(self.hpa, type_, reason, message)

    def write_status(self, current: int, desired: int, metrics: list[Obj] | None, rescaled: bool) -> None:
        """setStatus + updateStatusIfNeeded (autoscaling/v1 objects get the v1 status)."""
        last = self.original.get("lastScaleTime")
        if rescaled:
            last = rfc3339(self.ctx.now)
        status: Obj = {}
        if last:
            status["lastScaleTime"] = last
        if autoscaling.is_v1(self.hpa):
            status.update(currentReplicas=current, desiredReplicas=desired)
            resource = (metrics or [{}])[0].get("resource") or {}
            utilization = (resource.get("current") or {}).get("averageUtilization")
            if utilization is not None:
                status["currentCPUUtilizationPercentage"] = utilization
        else:
            if current:
                status["currentReplicas"] = current
            status["desiredReplicas"] = desired
            if metrics:
                status["currentMetrics"] = metrics
            if self.conditions:
                status["conditions"] = self.conditions
        if status != self.original:
            updated = dict(self.hpa, status=status)
            self.ctx.update_status(updated)


@dataclass(frozen=True)
class Target:
    obj: Obj
    scale: Scale
    group: str


def _target(p: _Pass) -> Target | None:
    """The scale target's scale subresource, or None after FailedGetScale is reported."""
    ref = (p.hpa.get("spec") or {}).get("scaleTargetRef") or {}
    kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
    namespace = p.hpa["metadata"].get("namespace", "")
    api_version = str(ref.get("apiVersion", ""))
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    error = ""
    if api_version.count("/") > 1:
        error = f"unexpected GroupVersion string: {api_version}"
    elif REGISTRY.lookup_kind(group, kind) is None:
        error = f'no matches for kind "{kind}" in group "{group}"'
    paths = scale_paths(group, kind)
    obj = None
    if not error:
        obj = p.ctx.get(kind, namespace, name)
        if obj is None:
            error = f'{resource_label(kind)} "{name}" not found'
        elif paths is None:
            error = "the server could not find the requested resource"
    if error or obj is None or paths is None:
        p.event("Warning", "FailedGetScale", error)
        p.condition("AbleToScale", "False", "FailedGetScale",
                    f"the HPA controller was unable to get the target's current scale: {error}")
        return None
    p.condition("AbleToScale", "True", "SucceededGetScale",
                "the HPA controller was able to get the target's current scale")
    return Target(obj, scale_of(obj, paths), group)


def _ambiguous(p: _Pass, target: Target, pods: list[Obj]) -> list[str]:
    """The HPAs whose targets select these pods too (hpasControllingPodsUnderSelector)."""
    namespace = p.hpa["metadata"].get("namespace", "")
    found = []
    for other in p.ctx.list(KIND, namespace):
        ref = (other.get("spec") or {}).get("scaleTargetRef") or {}
        kind = str(ref.get("kind", ""))
        group = str(ref.get("apiVersion", "")).rpartition("/")[0]
        paths = scale_paths(group, kind)
        obj = p.ctx.get(kind, namespace, str(ref.get("name", ""))) if paths is not None else None
        selector = scale_of(obj, paths).selector if obj is not None and paths is not None else None
        if selector is not None and selector.requirements and \
                any(selector.matches(pod["metadata"].get("labels")) for pod in pods):
            found.append(f"{namespace}/{other['metadata']['name']}")
    return sorted(found) if len(found) > 1 else []


def _behavior(hpa: Obj, downscale_window: float) -> Obj | None:
    """spec.behavior with its defaults and the controller's scale-down window filled in."""
    behavior = (hpa.get("spec") or {}).get("behavior")
    if autoscaling.is_v1(hpa) or not isinstance(behavior, dict):
        return None
    filled = copy.deepcopy(behavior)
    autoscaling.set_defaults({"spec": {"behavior": filled, "metrics": [{}]}})
    if filled["scaleDown"].get("stabilizationWindowSeconds") is None:
        filled["scaleDown"]["stabilizationWindowSeconds"] = int(downscale_window)
    return filled


def tuning_of(settings: Any) -> Tuning:
    return Tuning(float(settings.hpa_tolerance), float(settings.hpa_cpu_initialization_period),
                  float(settings.hpa_initial_readiness_delay))


def reconcile(ctx: Context, hpa: Obj, state: dict[str, Any]) -> bool:
    """reconcileAutoscaler; `state` is the controller's memory of this HPA (recommendations and
    scale events). Returns whether the autoscaler is settled."""
    p = _Pass(ctx, hpa)
    target = _target(p)
    if target is None:
        p.write_status(int((p.original or {}).get("currentReplicas") or 0),
                       int((p.original or {}).get("desiredReplicas") or 0),
                       p.original.get("currentMetrics"), False)
        return True
    spec, now = p.hpa.get("spec") or {}, ctx.now
    current = target.scale.spec_replicas
    if not state.setdefault("recs", []):
        state["recs"].append([current, now])  # recordInitialRecommendation
    minimum = int(spec["minReplicas"]) if isinstance(spec.get("minReplicas"), int) else 1
    maximum = int(spec.get("maxReplicas") or 0)
    desired, reason, rescale, statuses = 0, "", True, None
    settled = True
    if current == 0 and minimum != 0:
        rescale = False
        p.condition("ScalingActive", "False", "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero")
    elif current > maximum:
        reason, desired = "Current number of replicas above Spec.MaxReplicas", maximum
    elif current < minimum:
        reason, desired = "Current number of replicas below Spec.MinReplicas", minimum
    else:
        outcome = _metrics(p, target, current)
        if outcome is None:
            return True
        metric_desired, metric_name, statuses, time_dependent = outcome
        if metric_desired > desired:
            desired = metric_desired
        if desired > current:
            reason = f"{metric_name} above target"
        if desired < current:
            reason = "All metrics below target"
        desired = _normalize(p, state, current, desired, minimum, maximum)
        rescale = desired != current
        settled = not time_dependent and p.reason("AbleToScale") in SETTLED_ABLE and \
            p.reason("ScalingLimited") in SETTLED_LIMITED
    if rescale:
        paths = scale_paths(target.group, str(target.obj.get("kind", "")))
        assert paths is not None
        try:
            ctx.update(with_replicas(target.obj, paths, desired))
        except ClusterError as exc:
            p.event("Warning", "FailedRescale", f"New size: {desired}; reason: {reason}; error: {exc}")
            p.condition("AbleToScale", "False", "FailedUpdateScale",
                        f"the HPA controller was unable to update the target scale: {exc}")
            p.write_status(current, int(p.original.get("desiredReplicas") or 0), statuses, False)
            return False
        p.condition("AbleToScale", "True", "SucceededRescale",
                    f"the HPA controller was able to update the target scale to {desired}")
        p.event("Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
        behavior = _behavior(p.hpa, ctx.settings.hpa_downscale_stabilization)
        norm.store_scale_event(behavior, state.setdefault("up", []), state.setdefault("down", []), current,
                               desired, now)
        settled = False
    else:
        desired = current
    p.write_status(current, desired, statuses, rescale)
    return settled


def _metrics(p: _Pass, target: Target, current: int) -> tuple[int, str, list[Obj], bool] | None:
    """computeReplicasForMetrics with the selector checks first; None once a failure is reported."""
    namespace = p.hpa["metadata"].get("namespace", "")
    selector = target.scale.selector
    error = ""
    pods: list[Obj] = []
    if selector is None or not selector.requirements:
        error = "selector is required"
        p.event("Warning", "SelectorRequired", error)
        p.condition("ScalingActive", "False", "InvalidSelector",
                    "the HPA target's scale is missing a selector")
    else:
        pods = p.ctx.list("Pod", namespace, selector)
        controlling = _ambiguous(p, target, pods)
        if controlling:
            error = (f"pods by selector {target.scale.selector_text} are controlled by multiple HPAs: "
                     f"[{' '.join(controlling)}]")
            p.event("Warning", "AmbiguousSelector", error)
            p.condition("ScalingActive", "False", "AmbiguousSelector", error)
    statuses: list[Obj] | None = None
    if not error:
        source = MetricsSource(p.ctx, p.ctx.settings, p.ctx.now)
        inputs = Inputs(target.scale.spec_replicas, target.scale.status_replicas, namespace, pods,
                        source.pod_usages(namespace, selector), tuning_of(p.ctx.settings), p.ctx.now)
        outcome = propose_all(inputs, autoscaling.metric_specs(p.hpa),
                              lambda reason, message: p.event("Warning", reason, message))
        statuses = outcome.statuses
        if outcome.replicas != -1:
            p.condition("ScalingActive", "True", "ValidMetricFound",
                        f"the HPA was able to successfully calculate a replica count from {outcome.metric}")
            return outcome.replicas, outcome.metric, statuses, bool(inputs.time_dependent)
        if outcome.failure is not None:
            p.condition("ScalingActive", "False", outcome.failure.reason, outcome.failure.message)
        error = outcome.error or "invalid metrics (0 invalid out of 0)"
    p.write_status(current, int(p.original.get("desiredReplicas") or 0), statuses, False)
    p.event("Warning", "FailedComputeMetricsReplicas", error)
    return None


def _normalize(p: _Pass, state: dict[str, Any], current: int, desired: int, minimum: int,
               maximum: int) -> int:
    """normalizeDesiredReplicas[WithBehaviors], setting AbleToScale and ScalingLimited."""
    now = p.ctx.now
    limits = norm.Limits(current, minimum, maximum)
    behavior = _behavior(p.hpa, p.ctx.settings.hpa_downscale_stabilization)
    if behavior is None:
        stabilized = norm.stabilize(state["recs"], desired, now, p.ctx.settings.hpa_downscale_stabilization)
        able = norm.DOWN_STABILIZED
    else:
        stabilized, able = norm.stabilize_with_behaviors(state["recs"], desired, limits, behavior, now)
    if stabilized != desired:
        p.condition("AbleToScale", "True", *able)
    else:
        p.condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
    if behavior is None:
        final, limited = norm.convert_with_rules(limits, stabilized)
    else:
        final, limited = norm.convert_with_behavior_rate(limits, stabilized, state.setdefault("up", []),
                                                         state.setdefault("down", []), behavior, now)
    p.condition("ScalingLimited", "False" if final == stabilized else "True", *limited)
    return final
