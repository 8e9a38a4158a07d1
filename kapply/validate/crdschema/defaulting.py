"""Structural defaulting: a schema's `default` fills an absent field, as the apiextensions server
does when it decodes a request and when it reads from storage
(pkg/apiserver/schema/defaulting/algorithm.go).

A default is copied in when the field is missing, or null where the schema does not allow null;
defaults inside a copied default apply too (the walk descends after filling). A null where null is
not allowed and no default exists is dropped (`PruneNonNullableNullsWithoutDefaults`), so it never
reaches validation as a type error.
"""

from __future__ import annotations

import copy
from typing import Any

from kapply.model.shapes import mapping

Schema = dict[str, Any]


def apply_defaults(value: Any, schema: Schema | None) -> None:
    """Fill defaults into `value` in place."""
    if not isinstance(schema, dict):
        return
    if isinstance(value, list):
        items = schema.get("items")
        for item in value:
            apply_defaults(item, items)
        return
    if not isinstance(value, dict):
        return
    properties = mapping(schema, "properties")
    for name, sub in properties.items():
        if not isinstance(sub, dict):
            continue
        non_nullable_null = name in value and value[name] is None and not sub.get("nullable")
        if "default" in sub and (name not in value or non_nullable_null):
            value[name] = copy.deepcopy(sub["default"])
        elif non_nullable_null:
            del value[name]
    extra = schema.get("additionalProperties")
    for name, child in value.items():
        sub = properties.get(name)
        if isinstance(sub, dict):
            apply_defaults(child, sub)
        elif isinstance(extra, dict):
            apply_defaults(child, extra)
