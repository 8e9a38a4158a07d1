"""Pod affinity rules (core validateAffinity): node selector terms, pod affinity terms, weights.

Reproduces the checks in Kubernetes' order: required node selector terms, preferred terms (weight
1-100, invalid label values tolerated), then pod affinity and anti-affinity terms (selectors,
namespaces, a non-empty label-name topologyKey).
"""

from __future__ import annotations

from typing import Any

from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import check_label_selector

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def check_affinity(affinity: Any, path: Path, errs: Errors) -> None:
    """validateAffinity: node affinity, then pod affinity and anti-affinity."""
    if not isinstance(affinity, dict):
        return
    node = affinity.get("nodeAffinity")
    if isinstance(node, dict):
        _node_affinity(node, (*path, "nodeAffinity"), errs)
    for kind in ("podAffinity", "podAntiAffinity"):
        section = affinity.get(kind)
        if isinstance(section, dict):
            _pod_affinity(section, (*path, kind), errs)


def _node_affinity(node: dict[str, Any], path: Path, errs: Errors) -> None:
    required = node.get(_REQUIRED)
    if isinstance(required, dict):
        terms = required.get("nodeSelectorTerms")
        terms_path = (*path, _REQUIRED, "nodeSelectorTerms")
        if not terms:
            errs.required(terms_path, "must have at least one node selector term", "affinity")
        elif isinstance(terms, list):
            for i, term in enumerate(terms):
                _node_selector_term(term, (*terms_path, i), errs, check_values=True)
    preferred = node.get(_PREFERRED)
    for i, item in enumerate(preferred if isinstance(preferred, list) else ()):
        if not isinstance(item, dict):
            continue
        _weight(item, (*path, _PREFERRED, i), errs)
        _node_selector_term(
            item.get("preference"), (*path, _PREFERRED, i, "preference"), errs, check_values=False
        )


def _weight(item: dict[str, Any], path: Path, errs: Errors) -> None:
    weight = item.get("weight")
    if isinstance(weight, int) and not isinstance(weight, bool) and not 0 < weight <= 100:
        errs.invalid((*path, "weight"), weight, "must be in the range 1-100", "affinity")


def _node_selector_term(term: Any, path: Path, errs: Errors, check_values: bool) -> None:
    if not isinstance(term, dict):
        return
    expressions = term.get("matchExpressions")
    for j, req in enumerate(expressions if isinstance(expressions, list) else ()):
        if isinstance(req, dict):
            _node_requirement(req, (*path, "matchExpressions", j), errs, check_values)
    fields = term.get("matchFields")
    for j, req in enumerate(fields if isinstance(fields, list) else ()):
        if isinstance(req, dict):
            _node_field_requirement(req, (*path, "matchFields", j), errs)


def _values(req: dict[str, Any]) -> list[Any]:
    values = req.get("values")
    return values if isinstance(values, list) else []


def _node_requirement(req: dict[str, Any], path: Path, errs: Errors, check_values: bool) -> None:
    """ValidateNodeSelectorRequirement."""
    operator = req.get("operator")
    values = _values(req)
    if operator in ("In", "NotIn"):
        if not values:
            errs.required(
                (*path, "values"), "must be specified when `operator` is 'In' or 'NotIn'", "affinity"
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.forbidden(
                (*path, "values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "affinity",
            )
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            errs.required(
                (*path, "values"),
                "must be specified single value when `operator` is 'Lt' or 'Gt'",
                "affinity",
            )
    else:
        errs.invalid(
            (*path, "operator"),
            operator if operator is not None else "",
            "not a valid selector operator",
            "affinity",
        )
    key = req.get("key", "")
    if isinstance(key, str):
        msgs = fmt.is_qualified_name(key)
        if msgs:
            errs.invalid_each((*path, "key"), key, msgs, "affinity")
    if check_values:
        for k, value in enumerate(values):
            if isinstance(value, str):
                msgs = fmt.is_valid_label_value(value)
                if msgs:
                    errs.invalid_each((*path, "values", k), value, msgs, "affinity")


def _node_field_requirement(req: dict[str, Any], path: Path, errs: Errors) -> None:
    """ValidateNodeFieldSelectorRequirement: only `metadata.name In/NotIn [one node]`."""
    operator = req.get("operator")
    values = _values(req)
    if operator in ("In", "NotIn"):
        if len(values) != 1:
            errs.required(
                (*path, "values"),
                "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                "affinity",
            )
    else:
        errs.invalid(
            (*path, "operator"),
            operator if operator is not None else "",
            "not a valid selector operator",
            "affinity",
        )
    key = req.get("key", "")
    if key != "metadata.name":
        errs.invalid((*path, "key"), key, "not a valid field selector key", "affinity")
    else:
        for k, value in enumerate(values):
            if isinstance(value, str):
                msgs = fmt.is_dns1123_subdomain(value)
                if msgs:
                    errs.invalid_each((*path, "values", k), value, msgs, "affinity")


def _pod_affinity(section: dict[str, Any], path: Path, errs: Errors) -> None:
    required = section.get(_REQUIRED)
    for i, term in enumerate(required if isinstance(required, list) else ()):
        if isinstance(term, dict):
            _pod_affinity_term(term, (*path, _REQUIRED, i), errs)
    preferred = section.get(_PREFERRED)
    for i, item in enumerate(preferred if isinstance(preferred, list) else ()):
        if not isinstance(item, dict):
            continue
        _weight(item, (*path, _PREFERRED, i), errs)
        term = item.get("podAffinityTerm")
        if isinstance(term, dict):
            _pod_affinity_term(term, (*path, _PREFERRED, i, "podAffinityTerm"), errs)


def _pod_affinity_term(term: dict[str, Any], path: Path, errs: Errors) -> None:
    """validatePodAffinityTerm."""
    for name in ("labelSelector", "namespaceSelector"):
        selector = term.get(name)
        if isinstance(selector, dict):
            check_label_selector(selector, (*path, name), errs)
    namespaces = term.get("namespaces")
    for namespace in namespaces if isinstance(namespaces, list) else ():
        if isinstance(namespace, str):
            msgs = fmt.is_dns1123_label(namespace)
            if msgs:
                errs.invalid_each((*path, "namespace"), namespace, msgs, "affinity")  # sic: singular
    key = term.get("topologyKey")
    key = key if isinstance(key, str) else ""
    if not key:
        errs.required((*path, "topologyKey"), "can not be empty", "affinity")
    msgs = fmt.is_qualified_name(key)
    if msgs:
        errs.invalid_each((*path, "topologyKey"), key, msgs, "affinity")
