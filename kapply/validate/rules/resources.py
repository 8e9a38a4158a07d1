"""Container resource requirements: quantities, resource names, requests <= limits.

Kubernetes compares and prints quantities in their canonical form (`resource.Quantity.String()`):
`1000m` prints as `1`, `0.5` as `500m`, `1024Mi` as `1Gi`, `1.5Gi` as `1536Mi`. `parse` keeps the
suffix family (decimal SI, binary SI, exponent) because the canonical form depends on it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import Any

from kapply.validate.rules.findings import Errors, Finding, Key, Path

QUANTITY_REGEX_ERROR = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix"

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BINARY_SUFFIX = {v: k for k, v in _BINARY.items()}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_NANO = Fraction(1, 10**9)


class QuantityError(ValueError):
    """A quantity Kubernetes cannot decode; the message is the API server's."""


@lru_cache(maxsize=4096)
def parse(text: str) -> tuple[Fraction, str]:
    """resource.ParseQuantity: (exact value, format) with format `DecimalSI|BinarySI|DecimalExponent`."""
    if not text:
        raise QuantityError(QUANTITY_REGEX_ERROR)
    pos, end = 0, len(text)
    negative = False
    if text[0] in "+-":
        negative = text[0] == "-"
        pos = 1
    start = pos
    while pos < end and text[pos].isascii() and text[pos].isdigit():
        pos += 1
    num = text[start:pos] or "0"
    denom = ""
    if pos < end and text[pos] == ".":
        pos += 1
        dstart = pos
        while pos < end and text[pos].isascii() and text[pos].isdigit():
            pos += 1
        denom = text[dstart:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos].isascii() and text[pos].isdigit():
        pos += 1
    if pos < end:
        raise QuantityError(QUANTITY_REGEX_ERROR)
    suffix = text[suffix_start:]
    amount = Fraction(int(num + denom), 10 ** len(denom))
    if suffix in _BINARY:
        amount *= 2 ** _BINARY[suffix]
        fmt = "BinarySI"
    elif suffix in _DECIMAL:
        amount *= Fraction(10) ** _DECIMAL[suffix]
        fmt = "DecimalSI"
    elif len(suffix) > 1 and suffix[0] in "eE" and _is_int(suffix[1:]):
        amount *= Fraction(10) ** int(suffix[1:])
        fmt = "DecimalExponent"
    else:
        raise QuantityError(QUANTITY_SUFFIX_ERROR)
    if amount.denominator != 1 and (amount / _NANO).denominator != 1:
        amount = Fraction(math.ceil(amount / _NANO)) * _NANO  # Kubernetes rounds up to nano units
    return (-amount if negative else amount), fmt


def _is_int(text: str) -> bool:
    body = text[1:] if text[:1] in "+-" else text
    return body.isascii() and body.isdigit()


def parse_value(value: Any) -> tuple[Fraction, str]:
    """A manifest value (YAML int, float or string) as a Quantity."""
    if isinstance(value, bool):
        raise QuantityError(QUANTITY_REGEX_ERROR)
    if isinstance(value, int):
        return Fraction(value), "DecimalSI"
    if isinstance(value, float):
        return parse(repr(value) if "e" not in repr(value) else f"{value:f}")
    if isinstance(value, str):
        return parse(value.strip() if value.strip() != value else value)
    raise QuantityError(QUANTITY_REGEX_ERROR)


def canonical(amount: Fraction, fmt: str) -> str:
    """resource.Quantity.String()."""
    if amount == 0:
        return "0"
    if fmt == "BinarySI" and not (-1024 < amount < 1024) and amount.denominator == 1:
        value, exponent = int(amount), 0
        while value % 1024 == 0 and exponent < 60:
            value //= 1024
            exponent += 10
        return f"{value}{_BINARY_SUFFIX.get(exponent, '')}"
    # decimal: mantissa * 10**exp, all factors of ten moved into exp, exp a multiple of 3
    exp = 0
    while amount.denominator != 1:
        amount *= 10
        exp -= 1
    mantissa = int(amount)
    while mantissa % 10 == 0:
        mantissa //= 10
        exp += 1
    while exp % 3:
        mantissa *= 10
        exp -= 1
    if fmt == "DecimalExponent":
        return f"{mantissa}" if exp == 0 else f"{mantissa}e{exp}"
    if exp in _DECIMAL_SUFFIX:
        return f"{mantissa}{_DECIMAL_SUFFIX[exp]}"
    return f"{mantissa}e{exp}"


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
    parsed_limits: dict[str, tuple[Fraction, str]] = {}
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
            if q[0] != limit[0] and not _overcommit_allowed(name):
                errs.invalid(
                    req_path,
                    canonical(*q),
                    f"must be equal to {name} limit of {canonical(*limit)}",
                    "requests-exceed-limits",
                )
            elif q[0] > limit[0]:
                errs.invalid(
                    req_path,
                    canonical(*q),
                    f"must be less than or equal to {name} limit of {canonical(*limit)}",
                    "requests-exceed-limits",
                )
        elif not _overcommit_allowed(name) and not (isinstance(limits, dict) and name in limits):
            errs.required(
                (*path, "limits"),
                "Limit must be set for non overcommitable resources",
                "resource-limit-required",
            )


def _check_one(name: str, value: Any, path: Path, errs: Errors) -> tuple[Fraction, str] | None:
    if "/" not in name and name not in _STANDARD_CONTAINER and not _is_hugepages(name):
        errs.invalid(path, name, "must be a standard resource for containers", "resource-name")
    try:
        q = parse_value(value)
    except QuantityError as exc:
        errs.invalid(path, value, str(exc), "resource-quantity")
        return None
    if q[0] < 0:
        errs.invalid(path, canonical(*q), "must be greater than or equal to 0", "resource-quantity")
    elif not _is_native(name) and q[0].denominator != 1:
        errs.invalid(path, canonical(*q), "must be an integer", "resource-quantity")
    return q
