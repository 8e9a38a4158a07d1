"""Schema violations as the Kubernetes API server words them.

`jsonschema` says `'three' is not of type 'integer', 'null'`; Kubernetes says
`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`
(kube-openapi's wording, which the API server uses for schema errors), `Required value`,
`Unsupported value: "Foo": supported values: "ClusterIP", ...` (field.NotSupported) and, for
fields the type does not have, strict decoding's `unknown field "spec.replicaz"`.
This module maps one to the other; `kapply.validate.schema` calls it on the slow path only.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kapply.model.paths import format_path as format_path  # re-exported for schema.py
from kapply.validate.schema_ranges import decode_message, is_range_error

PathT = tuple[str | int, ...]
_MAX_VALUE_CHARS = 100


@dataclass(frozen=True)
class SchemaIssue:
    """One schema violation: where (field path from the object root), what, and which rule.

    `rule` is "schema" for a violation of the kind's schema, "decode" for a number the API server
    cannot decode into its Go field (out of int32/int64 range), and "unknown-kind" when there is no
    schema for the object's apiVersion and kind. `keyword` is the JSON Schema keyword that failed
    ("type", "required", "enum", ...): the semantic rules see the value unless it is of the wrong
    type or range (see `kapply.validate.accepted`).
    """

    path: PathT
    message: str
    rule: str
    keyword: str = field(default="", compare=False)


def json_type(value: Any) -> str:
    """The JSON type name of a decoded YAML/JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, datetime.date):
        return "timestamp"
    return type(value).__name__


def format_value(value: Any) -> str:
    """A value as Kubernetes prints it in `Invalid value: ...` (strings quoted, JSON otherwise)."""
    text = json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def type_issue(path: PathT, expected: Iterable[str], value: Any) -> SchemaIssue:
    """`Invalid value: "string": spec.replicas in body must be of type integer: "string"`."""
    names = [t for t in dict.fromkeys(expected) if t != "null"] or ["null"]
    actual = json_type(value)
    message = f'Invalid value: "{actual}": {_in_body(path)} must be of type {" or ".join(names)}: "{actual}"'
    return SchemaIssue(path, message, "schema", "type")


def _in_body(path: PathT) -> str:
    """kube-openapi's subject of a message: `spec.replicas in body`, or `body` for the root."""
    return f"{format_path(path)} in body" if path else "body"


def unknown_field_issue(path: PathT) -> SchemaIssue:
    """Strict decoding's wording for a field the type does not have."""
    return SchemaIssue(path, f'unknown field "{format_path(path)}"', "schema", "additionalProperties")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _branch_types(branches: Sequence[Any]) -> list[str] | None:
    """The types of a oneOf/anyOf made only of `{"type": ...}` branches (int-or-string, quantity)."""
    types: list[str] = []
    for branch in branches:
        if not isinstance(branch, dict) or set(branch) != {"type"}:
            return None
        types.extend(_as_list(branch["type"]))
    return types


def _unknown_fields(error: Any, path: PathT) -> list[SchemaIssue]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    extras = [
        key for key in error.instance
        if key not in known and not any(p.search(str(key)) for p in patterns)
    ]
    return [unknown_field_issue((*path, str(key))) for key in extras]


def _bound_message(error: Any, subject: str) -> str | None:
    bound = error.validator_value
    phrases = {
        "minimum": f"should be greater than or equal to {bound}",
        "maximum": f"should be less than or equal to {bound}",
        "exclusiveMinimum": f"should be greater than {bound}",
        "exclusiveMaximum": f"should be less than {bound}",
        "minLength": f"should be at least {bound} chars long",
        "maxLength": f"should be at most {bound} chars long",
        "minItems": f"should have at least {bound} items",
        "maxItems": f"should have at most {bound} items",
        "minProperties": f"should have at least {bound} properties",
        "maxProperties": f"should have at most {bound} properties",
        "pattern": f"should match '{bound}'",
        "multipleOf": f"should be a multiple of {bound}",
        "uniqueItems": "shouldn't contain duplicates",
    }
    phrase = phrases.get(error.validator)
    return f"{subject} {phrase}" if phrase else None


def _issues_for(error: Any, root: dict[str, Any] | None, kind: str) -> list[SchemaIssue]:
    path: PathT = tuple(error.absolute_path)
    keyword = error.validator
    subject = _in_body(path)
    if keyword == "type":
        return [type_issue(path, _as_list(error.validator_value), error.instance)]
    if keyword == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        return [SchemaIssue((*path, name), "Required value", "schema", "required")
                for name in error.validator_value if name not in instance]
    go_type = is_range_error(keyword, error.schema, error.validator_value)
    if go_type is not None and root is not None and "$defs" in root:
        message = decode_message(root, kind, path, error.instance, go_type)
        return [SchemaIssue(path, message, "decode", "format")]
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        return _unknown_fields(error, path)
    if keyword in ("enum", "const"):
        allowed = _as_list(error.validator_value) if keyword == "enum" else [error.validator_value]
        supported = ", ".join(format_value(v) for v in allowed)
        message = f"Unsupported value: {format_value(error.instance)}: supported values: {supported}"
        return [SchemaIssue(path, message, "schema", keyword)]
    if keyword in ("oneOf", "anyOf"):
        types = _branch_types(error.validator_value)
        if types is not None:
            return [type_issue(path, types, error.instance)]
        rule = "one and only one" if keyword == "oneOf" else "at least one"
        detail = f"{subject} must validate {rule} schema ({keyword})"
    else:
        detail = _bound_message(error, subject) or error.message
    return [SchemaIssue(path, f"Invalid value: {format_value(error.instance)}: {detail}", "schema", keyword)]


def issues_from_errors(errors: Iterable[Any], root: dict[str, Any] | None = None,
                       kind: str = "") -> list[SchemaIssue]:
    """Convert `jsonschema` errors into de-duplicated SchemaIssues.

    A wrong type at a path makes any other complaint about that same value (an enum, say) noise,
    so only the type error is kept there, as the API server reports one error per field. `root`
    (the whole schema) and `kind` name the Go struct in decode errors of built-in kinds.
    """
    issues: list[SchemaIssue] = []
    for error in errors:
        issues.extend(_issues_for(error, root, kind))
    typed = {i.path for i in issues if " must be of type " in i.message}
    seen: set[tuple[PathT, str]] = set()
    result: list[SchemaIssue] = []
    for issue in issues:
        key = (issue.path, issue.message)
        if key in seen or (issue.path in typed and " must be of type " not in issue.message):
            continue
        seen.add(key)
        result.append(issue)
    return result
