"""Controllers of pods: Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, CronJob.

Mirrors apps/validation and the controller parts of core and batch validation: selectors (required,
non-empty, valid, matching the template's labels), replica counts, rolling-update parameters and the
template's restart policy. The pod template itself goes through `pods.check_pod_template`.
Defaulting is applied first where Kubernetes applies it (an RC's empty selector becomes its
template's labels; a Deployment's rollingUpdate values default to 25%).
"""

from __future__ import annotations

from typing import Any

from kapply.model.selectors import from_label_selector, from_match_labels
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import (
    CRONJOB_NAME_MAX,
    check_label_selector,
    check_labels,
    selector_json,
    sorted_map,
)
from kapply.validate.rules.pods import check_pod_spec, check_pod_template

MISMATCH = "`selector` does not match template `labels`"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _nonnegative(spec: dict[str, Any], name: str, path: Path, errs: Errors, rule: str) -> None:
    value = _int(spec.get(name))
    if value is not None and value < 0:
        errs.invalid((*path, name), value, fmt.NEGATIVE_ERROR, rule)


def _template_labels(template: Any) -> Any:
    if isinstance(template, dict) and isinstance(template.get("metadata"), dict):
        return template["metadata"].get("labels")
    return None


def _restart_policy(template: Any) -> str:
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        policy = template["spec"].get("restartPolicy")
        if isinstance(policy, str) and policy:
            return policy
    return "Always"  # SetDefaults_PodSpec


def _active_deadline(template: Any) -> Any:
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        return template["spec"].get("activeDeadlineSeconds")
    return None


def _selector_and_template(
    spec: dict[str, Any], path: Path, errs: Errors, owner: str, required: bool = True
) -> None:
    """Selector present / non-empty / valid, and matching the template's labels (apps kinds)."""
    selector = spec.get("selector")
    valid = True
    if selector is None:
        if required:
            errs.required((*path, "selector"), "", "selector-required")
    elif isinstance(selector, dict):
        valid = check_label_selector(selector, (*path, "selector"), errs)
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errs.invalid(
                (*path, "selector"),
                selector_json(selector),
                f"empty selector is invalid for {owner}",
                "selector-empty",
            )
    else:
        return
    template = spec.get("template")
    if not valid:
        errs.invalid(
            (*path, "selector"), selector_json(selector), "invalid label selector", "selector-invalid"
        )
        return
    labels = _template_labels(template)
    label_map = labels if isinstance(labels, dict) else {}
    if selector is None:
        matches = False  # labels.Nothing()
    else:
        parsed = from_label_selector(selector)
        matches = parsed.empty or parsed.matches({str(k): str(v) for k, v in label_map.items()})
    if not matches:
        errs.invalid(
            (*path, "template", "metadata", "labels"), sorted_map(labels), MISMATCH, "selector-mismatch"
        )


def _restart_always(template: Any, path: Path, errs: Errors) -> None:
    policy = _restart_policy(template)
    if policy != "Always":
        errs.unsupported(
            (*path, "template", "spec", "restartPolicy"), policy, ("Always",), "template-restart-policy"
        )


def check_deployment(obj: dict[str, Any], errs: Errors) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    _nonnegative(spec, "replicas", path, errs, "replicas-range")
    _replica_set_like(spec, path, errs, "deployment")
    strategy = spec.get("strategy")
    if isinstance(strategy, dict):
        _check_strategy(strategy, (*path, "strategy"), errs)
    _nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    _nonnegative(spec, "revisionHistoryLimit", path, errs, "revision-history-limit")
    deadline = _int(spec.get("progressDeadlineSeconds"))
    if deadline is not None:
        _nonnegative(spec, "progressDeadlineSeconds", path, errs, "progress-deadline")
        if deadline <= (_int(spec.get("minReadySeconds")) or 0):
            errs.invalid(
                (*path, "progressDeadlineSeconds"),
                deadline,
                "must be greater than minReadySeconds",
                "progress-deadline",
            )


def check_replica_set(obj: dict[str, Any], errs: Errors) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    _nonnegative(spec, "replicas", path, errs, "replicas-range")
    _nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    _replica_set_like(spec, path, errs, "deployment")  # sic: apps validation says "deployment" here too


def _replica_set_like(spec: dict[str, Any], path: Path, errs: Errors, owner: str) -> None:
    before = len(errs.items)
    _selector_and_template(spec, path, errs, owner)
    if any(f.rule == "selector-invalid" for f in errs.items[before:]):
        return
    template = spec.get("template")
    check_pod_template(template, (*path, "template"), errs)
    _restart_always(template, path, errs)
    if _active_deadline(template) is not None:
        errs.invalid(
            (*path, "template", "spec", "activeDeadlineSeconds"),
            _active_deadline(template),
            "activeDeadlineSeconds in ReplicaSet is not Supported",
            "active-deadline",
        )


def _check_strategy(strategy: dict[str, Any], path: Path, errs: Errors) -> None:
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
        errs.unsupported(
            path,
            {"Type": kind, "RollingUpdate": _go_rolling(rolling)},
            ("Recreate", "RollingUpdate"),
            "strategy-type",
        )


def _go_rolling(rolling: Any) -> Any:
    if not isinstance(rolling, dict):
        return None
    return {"MaxUnavailable": rolling.get("maxUnavailable", 0), "MaxSurge": rolling.get("maxSurge", 0)}


def _int_or_percent_value(value: Any) -> int:
    """getIntOrPercentValue: the percentage number, or the int, or Atoi of a bad string."""
    if isinstance(value, str):
        if not fmt.is_valid_percent(value):
            return int(value[:-1]) if len(value) < 20 else 1
        return fmt.go_atoi(value)
    return value if isinstance(value, int) else 0


def _check_rolling_update(rolling: dict[str, Any], path: Path, errs: Errors) -> None:
    unavailable = rolling.get("maxUnavailable", "25%")
    surge = rolling.get("maxSurge", "25%")
    for name, value in (("maxUnavailable", unavailable), ("maxSurge", surge)):
        if isinstance(value, str):
            errs.invalid_each((*path, name), value, fmt.is_valid_percent(value), "rolling-update-value")
        elif isinstance(value, int) and not isinstance(value, bool) and value < 0:
            errs.invalid((*path, name), value, fmt.NEGATIVE_ERROR, "rolling-update-value")
    if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
        errs.invalid(
            (*path, "maxUnavailable"), unavailable, "may not be 0 when `maxSurge` is 0", "rolling-update-zero"
        )
    if (
        isinstance(unavailable, str)
        and not fmt.is_valid_percent(unavailable)
        and len(unavailable) < 20
        and int(unavailable[:-1]) > 100
    ):
        errs.invalid(
            (*path, "maxUnavailable"), unavailable, "must not be greater than 100%", "rolling-update-percent"
        )


def check_replication_controller(obj: dict[str, Any], errs: Errors) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    template = spec.get("template")
    labels = _template_labels(template)
    selector = spec.get("selector")
    if not selector and isinstance(labels, dict) and labels:
        selector = labels  # SetDefaults_ReplicationController
    meta = obj.get("metadata")
    if isinstance(meta, dict) and not meta.get("labels") and isinstance(labels, dict) and labels:
        check_labels(labels, ("metadata", "labels"), errs)  # defaulted from the template, then validated
    _nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    if not selector:
        errs.required((*path, "selector"), "", "selector-required")
    _nonnegative(spec, "replicas", path, errs, "replicas-range")
    if template is None:
        errs.required((*path, "template"), "", "template-required")
        return
    if not isinstance(template, dict):
        return
    if isinstance(selector, dict) and selector:
        label_map = labels if isinstance(labels, dict) else {}
        parsed = from_match_labels(selector)
        if not parsed.matches({str(k): str(v) for k, v in label_map.items()}):
            errs.invalid(
                (*path, "template", "metadata", "labels"), sorted_map(labels), MISMATCH, "selector-mismatch"
            )
    check_pod_template(template, (*path, "template"), errs)
    _restart_always(template, path, errs)
    if _active_deadline(template) is not None:
        errs.forbidden(
            (*path, "template", "spec", "activeDeadlineSeconds"),
            "activeDeadlineSeconds in ReplicationController is not Supported",
            "active-deadline",
        )


def check_stateful_set(obj: dict[str, Any], errs: Errors) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    policy = spec.get("podManagementPolicy")
    if isinstance(policy, str) and policy not in ("OrderedReady", "Parallel"):
        errs.invalid(
            (*path, "podManagementPolicy"),
            policy,
            "must be 'OrderedReady' or 'Parallel'",
            "pod-management-policy",
        )
    _nonnegative(spec, "replicas", path, errs, "replicas-range")
    _nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    before = len(errs.items)
    _selector_and_template(spec, path, errs, "statefulset")
    template = spec.get("template")
    if not any(f.rule == "selector-invalid" for f in errs.items[before:]):
        claims = spec.get("volumeClaimTemplates")
        claim_names = (
            tuple(
                c["metadata"]["name"]
                for c in claims or ()
                if isinstance(c, dict)
                and isinstance(c.get("metadata"), dict)
                and isinstance(c["metadata"].get("name"), str)
            )
            if isinstance(claims, list)
            else ()
        )
        check_pod_template(template, (*path, "template"), errs, claim_names)
    _restart_always(template, path, errs)
    if _active_deadline(template) is not None:
        errs.forbidden(
            (*path, "template", "spec", "activeDeadlineSeconds"),
            "activeDeadlineSeconds in StatefulSet is not Supported",
            "active-deadline",
        )


def check_daemon_set(obj: dict[str, Any], errs: Errors) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    before = len(errs.items)
    _selector_and_template(spec, path, errs, "daemonset", required=False)
    template = spec.get("template")
    if not any(f.rule == "selector-invalid" for f in errs.items[before:]):
        check_pod_template(template, (*path, "template"), errs)
    _restart_always(template, path, errs)
    if _active_deadline(template) is not None:
        errs.invalid(
            (*path, "template", "spec", "activeDeadlineSeconds"),
            _active_deadline(template),
            "activeDeadlineSeconds in DaemonSet is not Supported",
            "active-deadline",
        )
    _nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    _nonnegative(spec, "revisionHistoryLimit", path, errs, "revision-history-limit")


def _check_job_spec(spec: dict[str, Any], path: Path, errs: Errors) -> None:
    for name in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit"):
        _nonnegative(spec, name, path, errs, "job-counts")
    template = spec.get("template")
    check_pod_template(template, (*path, "template"), errs)
    policy = _restart_policy(template)
    if policy not in ("OnFailure", "Never"):
        errs.unsupported(
            (*path, "template", "spec", "restartPolicy"), policy, ("OnFailure", "Never"), "job-restart-policy"
        )


def check_job(obj: dict[str, Any], errs: Errors) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        _check_job_spec(spec, ("spec",), errs)


def check_cron_job(obj: dict[str, Any], errs: Errors) -> None:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if isinstance(name, str) and fmt.byte_len(name) > CRONJOB_NAME_MAX:
        errs.invalid(
            ("metadata", "name"),
            name,
            f"must be no more than {CRONJOB_NAME_MAX} characters",
            "cronjob-name-length",
        )
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    policy = spec.get("concurrencyPolicy")
    if isinstance(policy, str) and policy and policy not in ("Allow", "Forbid", "Replace"):
        errs.unsupported(
            ("spec", "concurrencyPolicy"),
            policy,
            ("Allow", "Forbid", "Replace"),
            "cronjob-concurrency-policy",
        )
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict) and isinstance(job_template.get("spec"), dict):
        _check_job_spec(job_template["spec"], ("spec", "jobTemplate", "spec"), errs)


def check_pod(obj: dict[str, Any], errs: Errors) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        check_pod_spec(spec, ("spec",), errs)


def check_pod_template_object(obj: dict[str, Any], errs: Errors) -> None:
    check_pod_template(obj.get("template"), ("template",), errs)
