"""Fields an object (or a merge / strategic-merge patch) has that its kind's schema does not.

The API server's `fieldValidation` decides what happens to them: Strict refuses the request,
Warn drops them with a warning, Ignore drops them silently. This walks the built-in strict
schemas (`schemas/vX.Y`) alongside the object: properties, `$ref`s, array items and maps of
typed values; a partial object (a patch) is walked the same way. Strategic-merge directives
(`$patch`, `$setElementOrder/...`, `$retainKeys`, `$deleteFromPrimitiveList/...`) are not
fields. Kinds without a built-in schema have no unknown fields here.
"""

from __future__ import annotations

from typing import Any

from kapply.model.paths import FieldPath
from kapply.validate.schema import default_validator

_DIRECTIVE_PREFIXES = ("$setElementOrder/", "$deleteFromPrimitiveList/")
_DIRECTIVES = frozenset({"$patch", "$retainKeys"})


def unknown_fields(obj: Any) -> list[FieldPath]:
    """Paths of the fields `obj` holds that its (apiVersion, kind) schema does not declare."""
    if not isinstance(obj, dict):
        return []
    validator = default_validator()
    ref = validator.builtin.lookup(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    if ref is None:
        return []
    found: list[FieldPath] = []
    _walk(obj, ref.schema, validator.builtin.definitions, (), found)
    return found


def drop_fields(obj: dict[str, Any], paths: list[FieldPath]) -> None:
    """Remove the fields at `paths` from `obj` in place (paths from `unknown_fields`)."""
    for path in sorted(paths, key=len, reverse=True):
        parent: Any = obj
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            parent.pop(path[-1], None)


def _resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = definitions.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _walk(
    value: Any, schema: dict[str, Any], definitions: dict[str, Any], path: FieldPath, found: list[FieldPath]
) -> None:
    schema = _resolve(schema, definitions)
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            if key in _DIRECTIVES or key.startswith(_DIRECTIVE_PREFIXES):
                continue
            if props is not None and key in props:
                _walk(sub, props[key], definitions, (*path, key), found)
            elif isinstance(extra, dict):
                _walk(sub, extra, definitions, (*path, key), found)
            elif props is not None and extra is False:
                found.append((*path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _walk(item, schema["items"], definitions, (*path, i), found)
