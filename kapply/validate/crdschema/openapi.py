"""Validating a value against a structural schema, with the API server's messages.

The apiextensions server validates custom resources with kube-openapi's validator and turns its
results into field errors (`kubeOpenAPIResultToFieldErrors` in apiextensions-apiserver's
pkg/apiserver/validation/validation.go): a missing required field is `spec.cronSpec: Required
value`, a wrong type `spec.replicas: Invalid value: "string": spec.replicas in body must be of type
integer: "string"`, an enum `Unsupported value: "x": supported values: "a", "b"`, the rest
kube-openapi's own texts (pkg/validation/errors/schema.go) behind `Invalid value: <value>`.
Paths are kube-openapi's: `spec.items[0].name`, map values `spec.labels.key`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import json
import math
import re
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from kapply.model.jsonpath import go_float
from kapply.validate.rules.findings import render_value
from kapply.validate.schema_messages import json_type as schema_json_type

Schema = dict[str, Any]
Cause = tuple[str, str]  # (field path, message after the path)


def json_type(value: Any) -> str:
    """The schema type a decoded JSON value has (an integral float counts as an integer, as
    kube-openapi's validator counts it)."""
    found = schema_json_type(value)
    return "integer" if found == "number" and float(value).is_integer() else found


def go_value(value: Any) -> str:
    """A bad value as apimachinery's field errors print it (`field.Error.ErrorBody`)."""
    return render_value(value)


def _number(value: float | int) -> str:
    """A bound as Go's %v prints it (an integral bound of an integer value as an integer)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return go_float(float(value)) if isinstance(value, float) else str(value)


def _matches_type(value: Any, type_: str, int_or_string: bool) -> bool:
    actual = json_type(value)
    if int_or_string:
        return actual in ("integer", "string")
    if type_ == "number":
        return actual in ("integer", "number")
    return not type_ or actual == type_


@cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _date_time(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in text.upper() or " " in text


def _date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _byte(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return bool(_UUID.fullmatch(text))


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _ip(version: int) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            return ipaddress.ip_address(text).version == version
        except ValueError:
            return False
    return check


def _cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return "/" in text


_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DURATION = re.compile(r"^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d|w))+$")
_MAC = re.compile(r"^(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")

# The formats the apiextensions server checks (others are accepted as plain strings).
FORMATS: dict[str, Callable[[str], bool]] = {
    "date-time": _date_time,
    "datetime": _date_time,
    "date": _date,
    "byte": _byte,
    "uuid": _uuid,
    "ipv4": _ip(4),
    "ipv6": _ip(6),
    "cidr": _cidr,
    "hostname": lambda t: bool(_HOSTNAME.match(t)),
    "email": lambda t: bool(_EMAIL.match(t)),
    "duration": lambda t: bool(_DURATION.match(t)),
    "mac": lambda t: bool(_MAC.match(t)),
}


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def validate(value: Any, schema: Schema, path: str = "") -> list[Cause]:
    """Every violation of `schema` by `value`, in the validator's order."""
    causes: list[Cause] = []
    _validate(value, schema, path, causes)
    return causes


def _validate(value: Any, schema: Schema, path: str, out: list[Cause]) -> None:
    if not isinstance(schema, dict):
        return
    type_ = str(schema.get("type") or "")
    int_or_string = bool(schema.get("x-kubernetes-int-or-string"))
    shown = path or "."
    if value is None:
        if (type_ or int_or_string) and not schema.get("nullable"):
            want = "integer,string" if int_or_string else type_
            out.append((path, f'Invalid value: "null": {shown} in body must be of type {want}: "null"'))
        return
    if not _matches_type(value, type_, int_or_string):
        actual = json_type(value)
        want = "integer,string" if int_or_string else type_
        out.append((path, f'Invalid value: {json.dumps(actual)}: {shown} in body must be of type {want}: '
                          f'{json.dumps(actual)}'))
        return
    _composition(value, schema, path, out)
    if isinstance(value, str):
        _string(value, schema, path, shown, out)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _numeric(value, schema, path, shown, out)
    elif isinstance(value, list):
        _array(value, schema, path, shown, out)
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        supported = ", ".join(json.dumps(v) if isinstance(v, str) else go_value(v) for v in enum)
        out.append((path, f"Unsupported value: {go_value(value)}: supported values: {supported}"))
    if isinstance(value, dict):
        _object(value, schema, path, shown, out)


def _string(value: str, schema: Schema, path: str, shown: str, out: list[Cause]) -> None:
    max_length, min_length = schema.get("maxLength"), schema.get("minLength")
    length = len(value)
    if isinstance(max_length, int) and length > max_length:
        unit = "byte" if max_length == 1 else "bytes"
        out.append((path, f"Too long: may not be more than {max_length} {unit}"))
    if isinstance(min_length, int) and length < min_length:
        out.append((path, f"Invalid value: {go_value(value)}: {shown} in body should be at least "
                          f"{min_length} chars long"))
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        compiled = _pattern(pattern)
        if compiled is not None and compiled.search(value) is None:
            out.append((path, f"Invalid value: {go_value(value)}: {shown} in body should match '{pattern}'"))
    fmt = schema.get("format")
    check = FORMATS.get(str(fmt)) if fmt else None
    if check is not None and not check(value):
        out.append((path, f"Invalid value: {go_value(value)}: {shown} in body must be of type {fmt}: "
                          f"{json.dumps(value)}"))


def _numeric(value: float, schema: Schema, path: str, shown: str, out: list[Cause]) -> None:
    bad = go_value(value)
    maximum, minimum = schema.get("maximum"), schema.get("minimum")
    if isinstance(maximum, int | float) and not isinstance(maximum, bool):
        exclusive = bool(schema.get("exclusiveMaximum"))
        if value > maximum or (exclusive and value == maximum):
            word = "less than" if exclusive else "less than or equal to"
            out.append((path, f"Invalid value: {bad}: {shown} in body should be {word} {_number(maximum)}"))
    if isinstance(minimum, int | float) and not isinstance(minimum, bool):
        exclusive = bool(schema.get("exclusiveMinimum"))
        if value < minimum or (exclusive and value == minimum):
            word = "greater than" if exclusive else "greater than or equal to"
            out.append((path, f"Invalid value: {bad}: {shown} in body should be {word} {_number(minimum)}"))
    factor = schema.get("multipleOf")
    if isinstance(factor, int | float) and not isinstance(factor, bool) and factor > 0:
        quotient = value / factor
        if not math.isclose(quotient, round(quotient), rel_tol=0, abs_tol=1e-9):
            out.append((path, f"Invalid value: {bad}: {shown} in body should be a multiple of "
                              f"{_number(factor)}"))


def _array(value: list[Any], schema: Schema, path: str, shown: str, out: list[Cause]) -> None:
    items = schema.get("items")
    if isinstance(items, dict):
        for i, item in enumerate(value):
            _validate(item, items, f"{path}[{i}]", out)
    min_items, max_items = schema.get("minItems"), schema.get("maxItems")
    if isinstance(min_items, int) and len(value) < min_items:
        out.append((path, f"Invalid value: {len(value)}: {shown} in body should have at least {min_items} "
                          "items"))
    if isinstance(max_items, int) and len(value) > max_items:
        unit = "item" if max_items == 1 else "items"
        out.append((path, f"Too many: {len(value)}: must have at most {max_items} {unit}"))
    if schema.get("uniqueItems") and _has_duplicates(value):
        out.append((path, f'Invalid value: "": {shown} in body shouldn\'t contain duplicates'))
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        _duplicates(value, path, lambda item: item, out)
    elif list_type == "map":
        keys = [str(k) for k in schema.get("x-kubernetes-list-map-keys") or ()]
        _duplicates(value, path, lambda item: tuple((item or {}).get(k) for k in keys)
                    if isinstance(item, dict) else item, out, keys)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _has_duplicates(value: list[Any]) -> bool:
    seen = [_canonical(v) for v in value]
    return len(seen) != len(set(seen))


def _duplicates(value: list[Any], path: str, key: Callable[[Any], Any], out: list[Cause],
                map_keys: list[str] | None = None) -> None:
    """x-kubernetes-list-type set / map: a repeated item (or map key) is a Duplicate value."""
    seen: set[str] = set()
    for i, item in enumerate(value):
        k = _canonical(key(item))
        if k in seen:
            if map_keys is not None and isinstance(item, dict):
                shown = "map[string]interface {}{" + ", ".join(
                    f"{json.dumps(name)}:{go_value(item.get(name))}" for name in map_keys) + "}"
            else:
                shown = go_value(item)
            out.append((f"{path}[{i}]", f"Duplicate value: {shown}"))
        seen.add(k)


def _object(value: dict[str, Any], schema: Schema, path: str, shown: str, out: list[Cause]) -> None:
    count = len(value)
    max_props, min_props = schema.get("maxProperties"), schema.get("minProperties")
    if isinstance(max_props, int) and count > max_props:
        unit = "item" if max_props == 1 else "items"
        out.append((path, f"Too many: {count}: must have at most {max_props} {unit}"))
    if isinstance(min_props, int) and count < min_props:
        out.append((path, f"Invalid value: {count}: {shown} in body should have at least {min_props} "
                          "properties"))
    for name in schema.get("required") or ():
        if name not in value:
            out.append((_child(path, str(name)), "Required value"))
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for name in sorted(value):
        sub = properties.get(name) if isinstance(properties, dict) else None
        if isinstance(sub, dict):
            _validate(value[name], sub, _child(path, name), out)
        elif isinstance(extra, dict):
            _validate(value[name], extra, _child(path, name), out)
        elif extra is False and not schema.get("x-kubernetes-preserve-unknown-fields"):
            out.append((path, f'Invalid value: "": {shown}.{name} in body is a forbidden property'))


def _composition(value: Any, schema: Schema, path: str, out: list[Cause]) -> None:
    """allOf / anyOf / oneOf / not: value validations over the same value."""
    shown = path or "."
    for sub in schema.get("allOf") or ():
        _validate(value, sub, path, out)
    any_of = schema.get("anyOf")
    if any_of and not any(not validate(value, sub, path) for sub in any_of):
        out.append((path, f'Invalid value: {go_value(value)}: "{shown}" must validate at least one schema '
                          "(anyOf)"))
    one_of = schema.get("oneOf")
    if one_of:
        passing = sum(1 for sub in one_of if not validate(value, sub, path))
        if passing != 1:
            out.append((path, f'Invalid value: {go_value(value)}: "{shown}" must validate one and only one '
                              "schema (oneOf)"))
    not_ = schema.get("not")
    if isinstance(not_, dict) and not validate(value, not_, path):
        out.append((path, f'Invalid value: {go_value(value)}: "{shown}" must not validate the schema (not)'))
