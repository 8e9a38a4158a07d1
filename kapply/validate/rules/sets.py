"""StatefulSet and DaemonSet rules (apps/validation ValidateStatefulSetSpec, ValidateDaemonSetSpec).

Defaults applied first as the v1 defaulters do: a StatefulSet's podManagementPolicy OrderedReady and
updateStrategy RollingUpdate; a DaemonSet's updateStrategy RollingUpdate with maxUnavailable 1 and
maxSurge 0 for whichever is unset. The API server does not validate a StatefulSet's pod spec itself
(its pods are validated when the controller creates them); kapply checks it here so the mistake is
caught before it leaves pods uncreatable, counting volumeClaimTemplates as volumes as the controller
does.
"""

from __future__ import annotations

from typing import Any

from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import check_label_selector, selector_json
from kapply.validate.rules.pods import check_pod_template
from kapply.validate.rules.templates import (
    check_int_or_percent,
    check_not_over_100_percent,
    check_selector_matches,
    forbid_active_deadline,
    int_or_percent_value,
    nonnegative,
    require_restart_always,
)
from kapply.validate.rules.workloads import check_apps_selector

_RETENTION = ("Retain", "Delete")


def check_stateful_set(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateStatefulSetSpec, plus the pod spec its controller will submit."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    policy = spec.get("podManagementPolicy")
    if isinstance(policy, str) and policy and policy not in ("OrderedReady", "Parallel"):
        errs.invalid(
            (*path, "podManagementPolicy"),
            policy,
            "must be 'OrderedReady' or 'Parallel'",
            "pod-management-policy",
        )
    strategy = spec.get("updateStrategy")
    if isinstance(strategy, dict):
        _check_sts_strategy(strategy, (*path, "updateStrategy"), errs)
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if isinstance(retention, dict):
        for name in ("whenDeleted", "whenScaled"):
            value = retention.get(name)
            if isinstance(value, str) and value and value not in _RETENTION:
                errs.unsupported(
                    (*path, "persistentVolumeClaimRetentionPolicy", name),
                    value,
                    _RETENTION,
                    "pvc-retention-policy",
                )
    nonnegative(spec, "replicas", path, errs, "replicas-range")
    nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    ordinals = spec.get("ordinals")
    if isinstance(ordinals, dict):
        nonnegative(ordinals, "start", (*path, "ordinals"), errs, "ordinals-start")
    template = spec.get("template")
    valid = check_apps_selector(spec, path, errs, "statefulset")
    if valid:
        check_selector_matches(spec.get("selector"), template, path, errs)
        claims = spec.get("volumeClaimTemplates")
        claim_names = tuple(
            c["metadata"]["name"]
            for c in (claims if isinstance(claims, list) else ())
            if isinstance(c, dict)
            and isinstance(c.get("metadata"), dict)
            and isinstance(c["metadata"].get("name"), str)
        )
        check_pod_template(template, (*path, "template"), errs, claim_names)
    elif valid is False:
        errs.invalid((*path, "selector"), selector_json(spec["selector"]), "", "selector-invalid")
    require_restart_always(template, path, errs)
    forbid_active_deadline(template, path, errs, "StatefulSet")


def _go_sts_rolling(rolling: Any) -> Any:
    """The internal RollingUpdateStatefulSetStrategy as json.Marshal prints it."""
    if not isinstance(rolling, dict):
        return None
    return {"Partition": rolling.get("partition", 0), "MaxUnavailable": rolling.get("maxUnavailable")}


def _check_sts_strategy(strategy: dict[str, Any], path: Path, errs: Errors) -> None:
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete":
        if rolling is not None:
            errs.invalid(
                (*path, "rollingUpdate"),
                _go_sts_rolling(rolling),
                "only allowed for updateStrategy 'RollingUpdate'",
                "update-strategy",
            )
    elif kind == "RollingUpdate":
        if isinstance(rolling, dict):
            nonnegative(rolling, "partition", (*path, "rollingUpdate"), errs, "update-strategy")
    else:
        errs.invalid(
            path,
            {"Type": kind, "RollingUpdate": _go_sts_rolling(rolling)},
            "must be 'RollingUpdate' or 'OnDelete'",
            "update-strategy",
        )


def check_daemon_set(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateDaemonSetSpec after v1 defaults."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    selector = spec.get("selector")
    valid = True
    if isinstance(selector, dict):
        valid = check_label_selector(selector, (*path, "selector"), errs)
    template = spec.get("template")
    if valid and (selector is None or isinstance(selector, dict)):
        check_selector_matches(selector, template, path, errs)
    if (
        isinstance(selector, dict)
        and not selector.get("matchLabels")
        and not selector.get("matchExpressions")
    ):
        errs.invalid(
            (*path, "selector"),
            selector_json(selector),
            "empty selector is invalid for daemonset",
            "selector-empty",
        )
    check_pod_template(template, (*path, "template"), errs)
    require_restart_always(template, path, errs)
    forbid_active_deadline(template, path, errs, "DaemonSet")
    nonnegative(spec, "minReadySeconds", path, errs, "min-ready-seconds")
    nonnegative(spec, "templateGeneration", path, errs, "template-generation")
    strategy = spec.get("updateStrategy")
    if isinstance(strategy, dict):
        _check_ds_strategy(strategy, (*path, "updateStrategy"), errs)
    nonnegative(spec, "revisionHistoryLimit", path, errs, "revision-history-limit")


def _check_ds_strategy(strategy: dict[str, Any], path: Path, errs: Errors) -> None:
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete":
        return
    if kind != "RollingUpdate":
        go_rolling = None
        if isinstance(rolling, dict):
            go_rolling = {
                "MaxUnavailable": rolling.get("maxUnavailable", 0),
                "MaxSurge": rolling.get("maxSurge", 0),
            }
        errs.unsupported(
            path,
            {"Type": kind, "RollingUpdate": go_rolling},
            ("RollingUpdate", "OnDelete"),
            "update-strategy",
        )
        return
    if rolling is not None and not isinstance(rolling, dict):
        return
    rolling = rolling or {}
    p = (*path, "rollingUpdate")
    unavailable = rolling.get("maxUnavailable", 1)
    surge = rolling.get("maxSurge", 0)
    check_int_or_percent(unavailable, (*p, "maxUnavailable"), errs, "rolling-update-value")
    check_int_or_percent(surge, (*p, "maxSurge"), errs, "rolling-update-value")
    check_not_over_100_percent(unavailable, (*p, "maxUnavailable"), errs, "rolling-update-percent")
    check_not_over_100_percent(surge, (*p, "maxSurge"), errs, "rolling-update-percent")
    has_unavailable = int_or_percent_value(unavailable) != 0
    has_surge = int_or_percent_value(surge) != 0
    if has_unavailable and has_surge:
        errs.invalid(
            (*p, "maxSurge"), surge, "may not be set when maxUnavailable is non-zero", "rolling-update-zero"
        )
    elif not has_unavailable and not has_surge:
        errs.required((*p, "maxUnavailable"), "cannot be 0 when maxSurge is 0", "rolling-update-zero")
