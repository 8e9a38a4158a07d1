"""Pruning: what a structural schema does not declare is dropped, as the apiextensions server drops
it before storing (pkg/apiserver/schema/pruning/algorithm.go).

A field survives when the schema names it in `properties`, when `additionalProperties` gives its
values a schema, or when `x-kubernetes-preserve-unknown-fields: true` keeps everything unknown at
that level (named fields below are still pruned by their own schema). `apiVersion`, `kind` and
`metadata` are kept at the root and at every `x-kubernetes-embedded-resource`. The paths dropped
are returned: `kapply serve` warns `unknown field "spec.foo"` for them, or refuses them under
`fieldValidation=Strict`.
"""

from __future__ import annotations

from typing import Any

from kapply.model.shapes import mapping

Schema = dict[str, Any]
_TYPE_META = ("apiVersion", "kind", "metadata")


def prune(obj: dict[str, Any], schema: Schema | None) -> list[str]:
    """Prune a custom resource in place (the root keeps its type and object meta); dropped paths."""
    dropped: list[str] = []
    if schema is None:
        return dropped
    _prune(obj, schema, "", dropped, keep=_TYPE_META)
    return dropped


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _prune(value: Any, schema: Schema | None, path: str, dropped: list[str],
           keep: tuple[str, ...] = ()) -> None:
    if not isinstance(schema, dict) or schema.get("x-kubernetes-int-or-string"):
        return
    if isinstance(value, list):
        items = schema.get("items")
        for i, item in enumerate(value):
            _prune(item, items if isinstance(items, dict) else None, f"{path}[{i}]", dropped)
        return
    if not isinstance(value, dict):
        return
    if schema.get("x-kubernetes-embedded-resource"):
        keep = _TYPE_META
    properties = mapping(schema, "properties")
    extra = schema.get("additionalProperties")
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields")) or extra is True
    for name in list(value):
        sub = properties.get(name)
        if isinstance(sub, dict):
            _prune(value[name], sub, _child(path, name), dropped)
        elif isinstance(extra, dict):
            _prune(value[name], extra, _child(path, name), dropped)
        elif name in keep or preserve:
            continue
        else:
            del value[name]
            dropped.append(_child(path, name))
