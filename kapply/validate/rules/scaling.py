"""HorizontalPodAutoscaler and PodDisruptionBudget rules (autoscaling and policy validation).

HPA: minReplicas >= 1 (defaulted to 1), maxReplicas > 0 and >= minReplicas, a scale target with a
kind and a name. PDB: minAvailable or maxUnavailable (not both), each an int >= 0 or a percentage
of at most 100%, and a valid selector.
"""

from __future__ import annotations

from typing import Any

from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import check_label_selector, selector_json
from kapply.validate.rules.templates import as_int, check_int_or_percent, check_not_over_100_percent


def check_hpa(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateHorizontalPodAutoscalerSpec: replica bounds and the scale target."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    minimum, maximum = as_int(spec.get("minReplicas")), as_int(spec.get("maxReplicas"))
    if minimum is not None and minimum < 1:
        errs.invalid((*path, "minReplicas"), minimum, "must be greater than or equal to 1", "hpa-replicas")
    if maximum is not None:
        if maximum < 1:
            errs.invalid((*path, "maxReplicas"), maximum, "must be greater than 0", "hpa-replicas")
        if minimum is not None and maximum < minimum:
            errs.invalid(
                (*path, "maxReplicas"),
                maximum,
                "must be greater than or equal to `minReplicas`",
                "hpa-replicas",
            )
    ref = spec.get("scaleTargetRef")
    if isinstance(ref, dict):
        for name in ("kind", "name"):
            value = ref.get(name)
            if not value:
                errs.required((*path, "scaleTargetRef", name), "", "hpa-target")
            elif isinstance(value, str):
                msgs = fmt.is_path_segment_name(value)
                if msgs:
                    errs.invalid_each((*path, "scaleTargetRef", name), value, msgs, "hpa-target")


def check_pdb(obj: dict[str, Any], errs: Errors) -> None:
    """ValidatePodDisruptionBudgetSpec: one budget, int or percentage, valid selector."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    min_available, max_unavailable = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_available is not None and max_unavailable is not None:
        selector = spec.get("selector")
        go_spec = {  # the internal policy.PodDisruptionBudgetSpec as json.Marshal prints it
            "MinAvailable": min_available,
            "Selector": selector_json(selector) if isinstance(selector, dict) else None,
            "MaxUnavailable": max_unavailable,
            "UnhealthyPodEvictionPolicy": spec.get("unhealthyPodEvictionPolicy"),
        }
        errs.invalid(path, go_spec, "minAvailable and maxUnavailable cannot be both set", "pdb")
    for name, value in (("minAvailable", min_available), ("maxUnavailable", max_unavailable)):
        if value is not None:
            check_int_or_percent(value, (*path, name), errs, "pdb")
            check_not_over_100_percent(value, (*path, name), errs, "pdb")
    selector = spec.get("selector")
    if isinstance(selector, dict):
        check_label_selector(selector, (*path, "selector"), errs)
