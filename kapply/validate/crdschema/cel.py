"""CEL validation rules (`x-kubernetes-validations`), evaluated with cel-python (`celpy`).

Kubernetes evaluates each rule with `self` bound to the value at the rule's level (and `oldSelf`
to the previous value on an update: a transition rule is skipped on create), and reports a false
result as `spec: Invalid value: "object": <message>` (the value is the schema type; the message
is the rule's `message`, else `failed rule: <rule>`; `fieldPath` moves it, `reason` changes the
error type). The root's path prints as `<nil>`, as apimachinery prints an empty path.

cel-python evaluates the standard CEL language and its macros; kapply adds Kubernetes' string and
list extension functions (`lowerAscii`, `split`, `join`, `isSorted`, `sum`, ...). A rule that
calls anything else (`quantity()`, `url()`, `ip()`, `format()`) cannot be evaluated faithfully
here: it is reported as *not evaluated* (a warning when the CRD is applied) and passes, rather
than failing objects the API server would accept. A rule that does not parse is refused with the
CRD, as the API server refuses it.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from kapply.model.shapes import mapping

Schema = dict[str, Any]
Cause = tuple[str, str]

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter", "has"})
_REASONS = {"FieldValueRequired": "Required value", "FieldValueForbidden": "Forbidden",
            "FieldValueDuplicate": "Duplicate value"}


@dataclass(frozen=True)
class Compiled:
    rule: str
    program: Any  # celpy Runner; None when the rule cannot be evaluated here
    uses_old_self: bool
    unsupported: tuple[str, ...] = ()  # functions cel-python and kapply do not provide
    error: str = ""  # the parse error, when the rule does not parse


def _lib() -> tuple[Any, Any]:
    import celpy
    import celpy.celtypes as celtypes

    return celpy, celtypes


def _extensions() -> dict[str, Callable[..., Any]]:
    """Kubernetes' CEL string and list libraries (k8s.io/apiserver/pkg/cel/library), over celpy types."""
    _, ct = _lib()

    def string(value: Any) -> Any:
        return ct.StringType(value)

    def index_of(target: Any, item: Any, start: Any = None) -> Any:
        if isinstance(target, str):
            return ct.IntType(str(target).find(str(item), int(start or 0)))
        items = list(target)
        return ct.IntType(items.index(item) if item in items else -1)

    def last_index_of(target: Any, item: Any) -> Any:
        if isinstance(target, str):
            return ct.IntType(str(target).rfind(str(item)))
        items = list(target)
        return ct.IntType(len(items) - 1 - items[::-1].index(item) if item in items else -1)

    def split(text: Any, sep: Any, limit: Any = None) -> Any:
        parts = str(text).split(str(sep)) if limit is None or int(limit) < 0 else \
            str(text).split(str(sep), max(int(limit) - 1, 0)) if int(limit) else []
        return ct.ListType([ct.StringType(p) for p in parts])

    def replace(text: Any, old: Any, new: Any, limit: Any = None) -> Any:
        count = -1 if limit is None else int(limit)
        return string(str(text).replace(str(old), str(new), count))

    def substring(text: Any, start: Any, end: Any = None) -> Any:
        return string(str(text)[int(start):None if end is None else int(end)])

    def join(items: Any, sep: Any = "") -> Any:
        return string(str(sep).join(str(i) for i in items))

    def is_sorted(items: Any) -> Any:
        values = list(items)
        return ct.BoolType(all(a <= b for a, b in itertools.pairwise(values)))

    def total(items: Any) -> Any:
        values = list(items)
        result = values[0] if values else ct.IntType(0)
        for v in values[1:]:
            result = result + v
        return result

    def find(text: Any, pattern: Any) -> Any:
        found = re.search(str(pattern), str(text))
        return string(found.group(0) if found else "")

    def find_all(text: Any, pattern: Any, limit: Any = None) -> Any:
        found = [m.group(0) for m in re.finditer(str(pattern), str(text))]
        if limit is not None and int(limit) >= 0:
            found = found[:int(limit)]
        return ct.ListType([string(f) for f in found])

    return {
        "lowerAscii": lambda s: string(str(s).lower()), "upperAscii": lambda s: string(str(s).upper()),
        "trim": lambda s: string(str(s).strip()), "charAt": lambda s, i: string(str(s)[int(i):int(i) + 1]),
        "indexOf": index_of, "lastIndexOf": last_index_of, "split": split, "replace": replace,
        "substring": substring, "join": join, "isSorted": is_sorted, "sum": total,
        "min": lambda items: min(list(items)), "max": lambda items: max(list(items)),
        "find": find, "findAll": find_all, "reverse": lambda s: string(str(s)[::-1]),
    }


def _called(tree: Any) -> Iterator[str]:
    """Names of the functions and methods a parsed rule calls."""
    for node in tree.iter_subtrees():
        if node.data == "member_dot_arg" and len(node.children) >= 2:
            yield str(node.children[1])
        elif node.data == "ident_arg" and node.children:
            yield str(node.children[0])


def _uses_old_self(tree: Any) -> bool:
    return any(node.data == "ident" and str(node.children[0]) == "oldSelf" for node in tree.iter_subtrees()
               if node.children)


@cache
def compile_rule(rule: str) -> Compiled:
    """Parse a rule once (cached by its text)."""
    celpy, _ = _lib()
    from celpy import evaluation

    env = celpy.Environment()
    try:
        tree = env.compile(rule)
    except Exception as exc:  # celpy.CELParseError: the API server refuses such a CRD
        return Compiled(rule, None, False, error=str(exc).strip())
    known = set(evaluation.base_functions) | MACROS | set(_extensions())
    unsupported = tuple(sorted({name for name in _called(tree) if name not in known}))
    if unsupported:
        return Compiled(rule, None, _uses_old_self(tree), unsupported)
    return Compiled(rule, env.program(tree, functions=_extensions()), _uses_old_self(tree))


def rules_at(schema: Schema, path: str = "") -> Iterator[tuple[str, Schema, list[Any]]]:
    """Every (schema path, node, rules) with x-kubernetes-validations, for the CRD's checks."""
    rules = schema.get("x-kubernetes-validations")
    if isinstance(rules, list) and rules:
        yield path, schema, rules
    for name, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict):
            yield from rules_at(sub, f"{path}.properties[{name}]" if path else f"properties[{name}]")
    for key in ("items", "additionalProperties"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            yield from rules_at(sub, f"{path}.{key}" if path else key)


def not_evaluated(schema: Schema) -> list[str]:
    """Warnings for the rules of a schema cel-python cannot evaluate (they pass unchecked)."""
    out = []
    for _, _, rules in rules_at(schema):
        for entry in rules:
            text = str(entry.get("rule", "")) if isinstance(entry, dict) else ""
            compiled = compile_rule(text)
            if compiled.unsupported:
                out.append(f"x-kubernetes-validations rule {json.dumps(text)} is not evaluated by the "
                           f"embedded cluster (it calls {', '.join(compiled.unsupported)})")
    return out


def parse_errors(schema: Schema) -> list[tuple[str, str, str]]:
    """(schema path, rule, parse error) for each rule that does not parse."""
    out = []
    for path, _, rules in rules_at(schema):
        for i, entry in enumerate(rules):
            text = str(entry.get("rule", "")) if isinstance(entry, dict) else ""
            compiled = compile_rule(text)
            if compiled.error:
                out.append((f"{path}.x-kubernetes-validations[{i}].rule" if path else
                            f"x-kubernetes-validations[{i}].rule", text, compiled.error))
    return out


def _schema_type(schema: Schema) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "integer-or-string"
    return str(schema.get("type") or "object")


def _to_cel(value: Any, schema: Schema | None) -> Any:
    """Decoded JSON as CEL values; a `number` field's integral values are doubles, as Kubernetes types
    them from the schema."""
    _, ct = _lib()
    schema = schema if isinstance(schema, dict) else {}
    if isinstance(value, dict):
        props = mapping(schema, "properties")
        extra = schema.get("additionalProperties")
        extra = extra if isinstance(extra, dict) else {}
        return ct.MapType({ct.StringType(k): _to_cel(v, props.get(k, extra)) for k, v in value.items()})
    if isinstance(value, list):
        return ct.ListType([_to_cel(v, schema.get("items")) for v in value])
    if isinstance(value, bool):
        return ct.BoolType(value)
    if isinstance(value, int) and schema.get("type") == "number":
        return ct.DoubleType(float(value))
    if isinstance(value, int):
        return ct.IntType(value)
    if isinstance(value, float):
        return ct.IntType(int(value)) if schema.get("type") == "integer" and value.is_integer() else \
            ct.DoubleType(value)
    if isinstance(value, str):
        return ct.StringType(value)
    return None


_MISSING = object()


def validate_rules(value: Any, old: Any, schema: Schema, path: str = "") -> list[Cause]:
    """The failed rules of `value` (and `old`, for transition rules), in schema order."""
    out: list[Cause] = []
    _walk(value, _MISSING if old is None else old, schema, path, out)
    return out


def _walk(value: Any, old: Any, schema: Schema, path: str, out: list[Cause]) -> None:
    if not isinstance(schema, dict) or value is None:
        return
    rules = schema.get("x-kubernetes-validations")
    if isinstance(rules, list):
        for entry in rules:
            if isinstance(entry, dict):
                _check(entry, value, old, schema, path, out)
    if isinstance(value, dict):
        props = mapping(schema, "properties")
        extra = schema.get("additionalProperties")
        for name in sorted(value):
            sub = props.get(name) if isinstance(props.get(name), dict) else \
                extra if isinstance(extra, dict) else None
            if sub is not None:
                before = old.get(name, _MISSING) if isinstance(old, dict) else _MISSING
                _walk(value[name], before, sub, f"{path}.{name}" if path else name, out)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = schema["items"]
        keyed = schema.get("x-kubernetes-list-type") == "map"
        keys = [str(k) for k in schema.get("x-kubernetes-list-map-keys") or ()]
        previous = {}
        if keyed and isinstance(old, list):
            previous = {json.dumps([o.get(k) for k in keys]): o for o in old if isinstance(o, dict)}
        for i, item in enumerate(value):
            before = previous.get(json.dumps([item.get(k) for k in keys]), _MISSING) \
                if keyed and isinstance(item, dict) else _MISSING
            _walk(item, before, items, f"{path}[{i}]", out)


def _check(entry: dict[str, Any], value: Any, old: Any, schema: Schema, path: str, out: list[Cause]) -> None:
    rule = str(entry.get("rule", ""))
    compiled = compile_rule(rule)
    if compiled.program is None:
        return  # unparseable (refused with the CRD) or calling what cannot be evaluated here (warned)
    if compiled.uses_old_self and old is _MISSING and not entry.get("optionalOldSelf"):
        return  # a transition rule: only on updates that had a value
    _, ct = _lib()
    activation = {"self": _to_cel(value, schema)}
    if compiled.uses_old_self:
        activation["oldSelf"] = _to_cel(old, schema) if old is not _MISSING else None
    field = path
    if entry.get("fieldPath"):
        suffix = str(entry["fieldPath"])
        field = f"{path}{suffix}" if path else suffix.lstrip(".")
    shown = field or "<nil>"
    try:
        result = compiled.program.evaluate(activation)
    except Exception as exc:  # celpy.CELEvalError: a runtime error is an invalid value too
        result = exc
    if isinstance(result, Exception):
        out.append((shown, f'Invalid value: "{_schema_type(schema)}": failed rule: {rule}: '
                           f"{_error_text(result)}"))
        return
    if result is True or (isinstance(result, ct.BoolType) and bool(result)):
        return
    message = str(entry.get("message") or "") or f"failed rule: {rule}"
    reason = _REASONS.get(str(entry.get("reason") or ""))
    if reason is not None:
        out.append((shown, f"{reason}: {message}"))
    else:
        out.append((shown, f'Invalid value: "{_schema_type(schema)}": {message}'))


def _error_text(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    return str(args[0]) if args else str(exc)
