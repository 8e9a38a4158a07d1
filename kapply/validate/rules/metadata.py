"""ObjectMeta and label rules: names per kind, namespace, labels, annotations, label selectors.

Mirrors apimachinery's ValidateObjectMeta / ValidateLabels / ValidateAnnotations and metav1's
ValidateLabelSelector. What is deliberately absent: "namespace required" (kubectl fills it in) and
"namespace forbidden on cluster-scoped kinds" (the API server silently clears it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kapply.model.kinds import REGISTRY
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path

NameFn = Callable[[str, bool], tuple[str, ...]]

# (API group, kind) -> name format. Everything else (custom resources too) is a DNS-1123 subdomain.
_RBAC = "rbac.authorization.k8s.io"
_NAME_FNS: dict[tuple[str, str], NameFn] = {
    ("", "Namespace"): fmt.name_is_dns_label,
    ("", "Service"): fmt.name_is_dns1035_label,
    ("apps", "StatefulSet"): fmt.name_is_dns_label,  # its pods' hostnames are `<name>-<ordinal>`
    (_RBAC, "Role"): fmt.name_is_path_segment,
    (_RBAC, "ClusterRole"): fmt.name_is_path_segment,
    (_RBAC, "RoleBinding"): fmt.name_is_path_segment,
    (_RBAC, "ClusterRoleBinding"): fmt.name_is_path_segment,
    ("certificates.k8s.io", "CertificateSigningRequest"): fmt.name_any,
    # names with their own grammar (`signer:name`, IP addresses): not checked here
    ("certificates.k8s.io", "ClusterTrustBundle"): fmt.name_is_path_segment,
    ("networking.k8s.io", "IPAddress"): fmt.name_any,
}

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
CRONJOB_NAME_MAX = 52  # DNS-1035 label max (63) minus the 11 characters of a job's time suffix


def name_fn(api_version: str, kind: str) -> NameFn:
    """The name format Kubernetes applies to this kind."""
    return _NAME_FNS.get((api_version.rpartition("/")[0], kind), fmt.name_is_dns_subdomain)


def _namespaced(obj: dict[str, Any]) -> bool:
    """Known namespaced kinds only: the API server clears the namespace of cluster-scoped objects."""
    info = REGISTRY.lookup_kind(str(obj.get("apiVersion", "")).rpartition("/")[0], str(obj.get("kind", "")))
    return info is not None and info.namespaced


def check_object_meta(obj: dict[str, Any], errs: Errors) -> None:
    """metadata.name / generateName / namespace / labels / annotations of any object."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        errs.required(("metadata", "name"), "name or generateName is required", "name-required")
        return
    check_fn = name_fn(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    generate_name = meta.get("generateName")
    if isinstance(generate_name, str) and generate_name:
        msgs = check_fn(generate_name, True)
        if msgs:
            errs.invalid_each(("metadata", "generateName"), generate_name, msgs, "name-format")
    name = meta.get("name")
    if name is None or name == "":
        if not (isinstance(generate_name, str) and generate_name):
            errs.required(("metadata", "name"), "name or generateName is required", "name-required")
    elif isinstance(name, str):
        msgs = check_fn(name, False)
        if msgs:
            errs.invalid_each(("metadata", "name"), name, msgs, "name-format")
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace and _namespaced(obj):
        msgs = fmt.is_dns1123_label(namespace)
        if msgs:
            errs.invalid_each(("metadata", "namespace"), namespace, msgs, "namespace-format")
    check_labels(meta.get("labels"), ("metadata", "labels"), errs)
    check_annotations(meta.get("annotations"), ("metadata", "annotations"), errs)


def check_labels(labels: Any, path: Path, errs: Errors) -> None:
    """ValidateLabels: every key a qualified name, every value a label value."""
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        if not isinstance(key, str):
            continue
        msgs = fmt.is_qualified_name(key)
        if msgs:
            errs.invalid_each(path, key, msgs, "label-key")
        if isinstance(value, str):
            msgs = fmt.is_valid_label_value(value)
            if msgs:
                errs.invalid_each(path, value, msgs, "label-value")


def check_annotations(annotations: Any, path: Path, errs: Errors) -> None:
    """ValidateAnnotations: case-insensitive qualified-name keys, 256 KiB in total."""
    if not isinstance(annotations, dict):
        return
    total = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        msgs = fmt.is_qualified_name(key.lower())
        if msgs:
            errs.invalid_each(path, key, msgs, "annotation-key")
        total += fmt.byte_len(key) + (fmt.byte_len(value) if isinstance(value, str) else 0)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT, "annotation-size")


_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def check_label_selector(selector: dict[str, Any], path: Path, errs: Errors) -> bool:
    """metav1 ValidateLabelSelector; returns whether LabelSelectorAsSelector would succeed."""
    before = len(errs.items)
    check_labels(selector.get("matchLabels"), (*path, "matchLabels"), errs)
    expressions = selector.get("matchExpressions")
    if isinstance(expressions, list):
        for i, expr in enumerate(expressions):
            if isinstance(expr, dict):
                _check_requirement(expr, (*path, "matchExpressions", i), errs)
    return len(errs.items) == before


def _check_requirement(expr: dict[str, Any], path: Path, errs: Errors) -> None:
    operator = expr.get("operator")
    values = expr.get("values") or []
    if not isinstance(values, list):
        values = []
    if operator in ("In", "NotIn"):
        if not values:
            errs.required(
                (*path, "values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
                "selector-requirement",
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.forbidden(
                (*path, "values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "selector-requirement",
            )
    else:
        errs.invalid(
            (*path, "operator"),
            operator if operator is not None else "",
            "not a valid selector operator",
            "selector-requirement",
        )
    key = expr.get("key")
    if isinstance(key, str):
        msgs = fmt.is_qualified_name(key)
        if msgs:
            errs.invalid_each((*path, "key"), key, msgs, "label-key")
    for i, value in enumerate(values):
        if isinstance(value, str):
            msgs = fmt.is_valid_label_value(value)
            if msgs:
                errs.invalid_each((*path, "values", i), value, msgs, "label-value")


def selector_json(selector: dict[str, Any]) -> dict[str, Any]:
    """A LabelSelector as Go's json.Marshal prints it (field order, omitempty, sorted maps)."""
    out: dict[str, Any] = {}
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, dict) and match_labels:
        out["matchLabels"] = sorted_map(match_labels)
    expressions = selector.get("matchExpressions")
    if isinstance(expressions, list) and expressions:
        rendered = []
        for expr in expressions:
            if not isinstance(expr, dict):
                continue
            item: dict[str, Any] = {"key": expr.get("key", ""), "operator": expr.get("operator", "")}
            if expr.get("values"):
                item["values"] = expr["values"]
            rendered.append(item)
        out["matchExpressions"] = rendered
    return out


def sorted_map(mapping: Any) -> Any:
    """A Go map[string]string as json.Marshal orders it; None (nil map) stays None -> `null`."""
    if not isinstance(mapping, dict):
        return None
    return {k: mapping[k] for k in sorted(mapping, key=str)}
