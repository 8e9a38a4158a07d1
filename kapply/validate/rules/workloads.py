"""Deployment, ReplicaSet, ReplicationController, bare Pods and PodTemplates.

Mirrors apps/validation (ValidateDeploymentSpec, ValidateReplicaSetSpec,
ValidatePodTemplateSpecForReplicaSet) and core's ReplicationController rules, in Kubernetes' order.
Defaulting is applied first where Kubernetes applies it: an RC's empty selector (and empty labels)
become its template's labels; a Deployment's strategy defaults to RollingUpdate 25%/25%.
StatefulSets and DaemonSets live in `sets`, Jobs and CronJobs in `batch`.
"""

from __future__ import annotations

from typing import Any

from kapply.model.selectors import from_match_labels
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import check_label_selector, check_labels, selector_json, sorted_map
from kapply.validate.rules.podfields import check_pod_only
from kapply.validate.rules.pods import check_pod_spec, check_pod_template
from kapply.validate.rules.templates import (
    MISMATCH,
    as_int,
    check_int_or_percent,
    check_not_over_100_percent,
    check_selector_matches,
    forbid_active_deadline,
    int_or_percent_value,
    label_map,
    nonnegative,
    require_restart_always,
    template_labels,
)
from kapply.validate.rules.warnings import pod_warnings


def check_apps_selector(spec: dict[str, Any], path: Path, errs: Errors, owner: str) -> bool | None:
    """Selector required, valid and non-empty: whether LabelSelectorAsSelector succeeds (None: unreadable)."""
    selector = spec.get("selector")
    if selector is None:
        errs.required((*path, "selector"), "", "selector-required")
        return True
    if not isinstance(selector, dict):
        return None
    valid = check_label_selector(selector, (*path, "selector"), errs)
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.invalid(
            (*path, "selector"),
            selector_json(selector),
            f"empty selector is invalid for {owner}",
            "selector-empty",
        )
    return valid


def _replica_set_spec(spec: dict[str, Any], path: Path, errs: Errors) -> None:
    """Selector, then ValidatePodTemplateSpecForReplicaSet (shared by Deployments and ReplicaSets)."""
    valid = check_apps_selector(spec, path, errs, "deployment")  # sic: ReplicaSets say "deployment" too
    if valid is None:
        return
    if not valid:
        errs.invalid(
            (*path, "selector"), selector_json(spec["selector"]), "invalid label selector", "selector-invalid"
        )
        return
    template = spec.get("template")
    check_selector_matches(spec.get("selector"), template, path, errs)
    check_pod_template(template, (*path, "template"), errs)
    require_restart_always(template, path, errs)
    forbid_active_deadline(template, path, errs, "ReplicaSet")


def check_deployment(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateDeploymentSpec after v1 defaults."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    nonnegative(spec, "replicas", path, errs, "replicas-range")
    _replica_set_spec(spec, path, errs)
    strategy = spec.get("strategy")
    if isinstance(strategy, dict):
        _check_strategy(strategy, (*path, "strategy"), errs)
    nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    nonnegative(spec, "revisionHistoryLimit", path, errs, "revision-history-limit")
    deadline = as_int(spec.get("progressDeadlineSeconds"))
    if deadline is not None:
        nonnegative(spec, "progressDeadlineSeconds", path, errs, "progress-deadline")
        if deadline <= (as_int(spec.get("minReadySeconds")) or 0):
            errs.invalid(
                (*path, "progressDeadlineSeconds"),
                deadline,
                "must be greater than minReadySeconds",
                "progress-deadline",
            )


def check_replica_set(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateReplicaSetSpec."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    nonnegative(spec, "replicas", path, errs, "replicas-range")
    nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    _replica_set_spec(spec, path, errs)


def _check_strategy(strategy: dict[str, Any], path: Path, errs: Errors) -> None:
    """ValidateDeploymentStrategy after defaulting (empty type is RollingUpdate)."""
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            errs.forbidden(
                (*path, "rollingUpdate"),
                "may not be specified when strategy `type` is 'Recreate'",
                "recreate-rolling-update",
            )
    elif kind == "RollingUpdate":
        if rolling is None or isinstance(rolling, dict):
            _check_rolling_update(rolling or {}, (*path, "rollingUpdate"), errs)
    elif isinstance(kind, str):
        # the internal apps.DeploymentStrategy, as json.Marshal prints it (Go field names)
        go_rolling = None
        if isinstance(rolling, dict):
            go_rolling = {
                "MaxUnavailable": rolling.get("maxUnavailable", 0),
                "MaxSurge": rolling.get("maxSurge", 0),
            }
        errs.unsupported(
            path, {"Type": kind, "RollingUpdate": go_rolling}, ("Recreate", "RollingUpdate"), "strategy-type"
        )


def _check_rolling_update(rolling: dict[str, Any], path: Path, errs: Errors) -> None:
    """ValidateRollingUpdateDeployment; unset values default to 25%."""
    unavailable = rolling.get("maxUnavailable", "25%")
    surge = rolling.get("maxSurge", "25%")
    check_int_or_percent(unavailable, (*path, "maxUnavailable"), errs, "rolling-update-value")
    check_int_or_percent(surge, (*path, "maxSurge"), errs, "rolling-update-value")
    if int_or_percent_value(unavailable) == 0 and int_or_percent_value(surge) == 0:
        errs.invalid(
            (*path, "maxUnavailable"), unavailable, "may not be 0 when `maxSurge` is 0", "rolling-update-zero"
        )
    check_not_over_100_percent(unavailable, (*path, "maxUnavailable"), errs, "rolling-update-percent")


def check_replication_controller(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateReplicationControllerSpec after SetDefaults_ReplicationController."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    template = spec.get("template")
    labels = template_labels(template)
    selector = spec.get("selector")
    if isinstance(labels, dict) and labels:
        if not selector:
            selector = labels
        meta = obj.get("metadata")
        if isinstance(meta, dict) and not meta.get("labels"):
            check_labels(labels, ("metadata", "labels"), errs)  # the RC's labels default to these too
    nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    if not selector:
        errs.required((*path, "selector"), "", "selector-required")
    nonnegative(spec, "replicas", path, errs, "replicas-range")
    if template is None:
        errs.required((*path, "template"), "", "template-required")
        return
    if not isinstance(template, dict):
        return
    if isinstance(selector, dict) and selector and not from_match_labels(selector).matches(label_map(labels)):
        errs.invalid(
            (*path, "template", "metadata", "labels"), sorted_map(labels), MISMATCH, "selector-mismatch"
        )
    check_pod_template(template, (*path, "template"), errs)
    require_restart_always(template, path, errs)
    forbid_active_deadline(template, path, errs, "ReplicationController")


def check_pod(obj: dict[str, Any], errs: Errors) -> None:
    """ValidatePodCreate's spec checks, Pod-only checks and pod warnings."""
    spec = obj.get("spec")
    if isinstance(spec, dict):
        check_pod_spec(spec, ("spec",), errs)
        check_pod_only(spec, errs)
        pod_warnings(spec, obj.get("metadata"), (), errs)


def check_pod_template_object(obj: dict[str, Any], errs: Errors) -> None:
    """ValidatePodTemplate (the PodTemplate kind)."""
    check_pod_template(obj.get("template"), ("template",), errs)
