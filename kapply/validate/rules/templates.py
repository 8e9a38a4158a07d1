"""Helpers shared by every controller of pods: selectors against template labels, int-or-percent.

The pieces apps, core and batch validation have in common: reading a pod template defensively,
the `selector` / template-labels match (Kubernetes reports the template's labels as the bad value),
the restart policy a controller's template must use, and apps' IntOrString checks
(ValidatePositiveIntOrPercent, IsNotMoreThan100Percent, getIntOrPercentValue).
"""

from __future__ import annotations

from typing import Any

from kapply.model.selectors import from_label_selector
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import sorted_map

MISMATCH = "`selector` does not match template `labels`"


def as_int(value: Any) -> int | None:
    """The value if it is an int (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def nonnegative(spec: dict[str, Any], name: str, path: Path, errs: Errors, rule: str) -> None:
    """ValidateNonnegativeField on `spec[name]` when it is set."""
    value = as_int(spec.get(name))
    if value is not None and value < 0:
        errs.invalid((*path, name), value, fmt.NEGATIVE_ERROR, rule)


def template_labels(template: Any) -> Any:
    """A pod template's metadata.labels, whatever its type (None if absent)."""
    if isinstance(template, dict) and isinstance(template.get("metadata"), dict):
        return template["metadata"].get("labels")
    return None


def restart_policy(template: Any) -> str:
    """The template's restartPolicy after SetDefaults_PodSpec (empty becomes Always)."""
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        policy = template["spec"].get("restartPolicy")
        if isinstance(policy, str) and policy:
            return policy
    return "Always"


def active_deadline(template: Any) -> Any:
    """A pod template's spec.activeDeadlineSeconds (None if absent)."""
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        return template["spec"].get("activeDeadlineSeconds")
    return None


def label_map(labels: Any) -> dict[str, str]:
    """Labels as a str -> str map for selector matching."""
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def check_selector_matches(selector: Any, template: Any, path: Path, errs: Errors) -> None:
    """`selector` (a LabelSelector, None meaning labels.Nothing()) must match the template's labels."""
    labels = template_labels(template)
    if selector is None:
        matches = False
    else:
        parsed = from_label_selector(selector)
        matches = parsed.empty or parsed.matches(label_map(labels))
    if not matches:
        errs.invalid(
            (*path, "template", "metadata", "labels"), sorted_map(labels), MISMATCH, "selector-mismatch"
        )


def require_restart_always(template: Any, path: Path, errs: Errors) -> None:
    """Controllers other than Jobs need restartPolicy Always (the default)."""
    policy = restart_policy(template)
    if policy != "Always":
        errs.unsupported(
            (*path, "template", "spec", "restartPolicy"), policy, ("Always",), "template-restart-policy"
        )


def forbid_active_deadline(template: Any, path: Path, errs: Errors, owner: str) -> None:
    """Controllers other than Jobs may not set activeDeadlineSeconds."""
    if active_deadline(template) is not None:
        errs.forbidden(
            (*path, "template", "spec", "activeDeadlineSeconds"),
            f"activeDeadlineSeconds in {owner} is not Supported",
            "active-deadline",
        )


def int_or_percent_value(value: Any) -> int:
    """getIntOrPercentValue: the percentage, the int, or strconv.Atoi of any other string."""
    if isinstance(value, str):
        if not fmt.is_valid_percent(value) and len(value) < 20:
            return int(value[:-1])
        return fmt.go_atoi(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def check_int_or_percent(value: Any, path: Path, errs: Errors, rule: str) -> None:
    """ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        msgs = fmt.is_valid_percent(value)
        if msgs:
            errs.invalid_each(path, value, msgs, rule)
    elif isinstance(value, int) and not isinstance(value, bool) and value < 0:
        errs.invalid(path, value, fmt.NEGATIVE_ERROR, rule)


def check_not_over_100_percent(value: Any, path: Path, errs: Errors, rule: str) -> None:
    """IsNotMoreThan100Percent."""
    if isinstance(value, str) and not fmt.is_valid_percent(value) and int_or_percent_value(value) > 100:
        errs.invalid(path, value, "must not be greater than 100%", rule)
