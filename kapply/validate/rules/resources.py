"""Container resource requirements: quantities, resource names, requests <= limits.

Quantities are parsed by `kapply.model.quantity` (apimachinery's ParseQuantity) and compared and
printed in their canonical form (`resource.Quantity.String()`): `1000m` prints as `1`, `0.5` as
`500m`, `1024Mi` as `1Gi`, `1.5Gi` as `1536Mi`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kapply.model.quantity import Quantity, QuantityError, from_value
from kapply.validate.rules.findings import Errors, Finding, Key, Path

_STANDARD_CONTAINER = frozenset({"cpu", "memory", "ephemeral-storage"})


def _is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _overcommit_allowed(name: str) -> bool:
    return _is_native(name) and not _is_hugepages(name)


def check_requirements(resources: Any, path: Path, errs: Errors) -> None:
    """validateResourceRequirements for a container's `resources` (memoised: values repeat)."""
    if not isinstance(resources, dict):
        return
    limits, requests = resources.get("limits"), resources.get("requests")
    try:
        key = (
            tuple(limits.items()) if isinstance(limits, dict) else None,
            tuple(requests.items()) if isinstance(requests, dict) else None,
        )
        found = _requirements_findings(key)
    except TypeError:  # unhashable values: schema errors, checked without the cache
        local = Errors()
        _check_requirements(resources, (), local)
        found = tuple(local.items)
    for f in found:
        errs.items.append(Finding((*path, *f.path), f.type, f.value, f.detail, f.rule))


@lru_cache(maxsize=2048)
def _requirements_findings(key: tuple[Any, Any]) -> tuple[Finding, ...]:
    limits, requests = key
    resources: dict[str, Any] = {}
    if limits is not None:
        resources["limits"] = dict(limits)
    if requests is not None:
        resources["requests"] = dict(requests)
    local = Errors()
    _check_requirements(resources, (), local)
    return tuple(local.items)


def _check_requirements(resources: dict[str, Any], path: Path, errs: Errors) -> None:
    limits = resources.get("limits")
    requests = resources.get("requests")
    parsed_limits: dict[str, Quantity] = {}
    if isinstance(limits, dict):
        for name, value in limits.items():
            q = _check_one(str(name), value, (*path, "limits", Key(str(name))), errs)
            if q is not None:
                parsed_limits[str(name)] = q
    if not isinstance(requests, dict):
        return
    req_path = (*path, "requests")
    for name, value in requests.items():
        name = str(name)
        q = _check_one(name, value, (*req_path, Key(name)), errs)
        if q is None:
            continue
        limit = parsed_limits.get(name)
        if limit is not None:
            if q.amount != limit.amount and not _overcommit_allowed(name):
                errs.invalid(
                    req_path, str(q), f"must be equal to {name} limit of {limit}", "requests-exceed-limits"
                )
            elif q.amount > limit.amount:
                errs.invalid(
                    req_path,
                    str(q),
                    f"must be less than or equal to {name} limit of {limit}",
                    "requests-exceed-limits",
                )
        elif not _overcommit_allowed(name) and not (isinstance(limits, dict) and name in limits):
            errs.required(
                (*path, "limits"),
                "Limit must be set for non overcommitable resources",
                "resource-limit-required",
            )


def _check_one(name: str, value: Any, path: Path, errs: Errors) -> Quantity | None:
    if "/" not in name and name not in _STANDARD_CONTAINER and not _is_hugepages(name):
        errs.invalid(path, name, "must be a standard resource for containers", "resource-name")
    try:
        q = from_value(value)
    except QuantityError as exc:
        errs.invalid(path, value, str(exc), "resource-quantity")
        return None
    if q.sign < 0:
        errs.invalid(path, str(q), "must be greater than or equal to 0", "resource-quantity")
    elif not _is_native(name) and not q.is_integer():
        errs.invalid(path, str(q), "must be an integer", "resource-quantity")
    return q
