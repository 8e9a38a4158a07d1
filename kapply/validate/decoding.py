"""Objects as the API server decodes them: what a null, or a float in an int field, becomes in Go.

The API server decodes JSON into Go structs before defaulting, admission or validation look at an
object, and decoding normalises a few things the JSON Schema accepts as they are:
- a null struct field is the field's zero value, the same as an absent field (so it is dropped);
- a null list item or map value is the zero value of its type: `{}` for an object (a Container
  with nothing set), `""` for a string, `0` for a number, an int-or-string or a quantity;
- a number in an integer field is an int: kubectl sends YAML's `1e3` as JSON `1000`.
`decoded` applies this along the kind's schema (callers skip objects `needs_decoding` finds nothing
to change in). The semantic rules and the embedded API server see objects in this form
(`kapply.validate.accepted`, `kapply.cluster.sim.admission`).
"""

from __future__ import annotations

from typing import Any

DEFS_PREFIX = "#/$defs/"
_INT64 = 2**63


def resolve(node: Any, definitions: dict[str, Any], name: str = "") -> tuple[dict[str, Any], str]:
    """Follow `$ref`s to the schema they name: (schema, the last definition's name, else `name`)."""
    for _ in range(64):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str):
            break
        name = ref.removeprefix(DEFS_PREFIX)
        node = definitions.get(name, {})
    return (node if isinstance(node, dict) else {}), name


def _resolve(node: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    return resolve(node, definitions)[0]


def _types(node: dict[str, Any]) -> set[str]:
    """The JSON types a schema allows (the union over oneOf/anyOf branches), null excluded."""
    declared = node.get("type")
    types = set(declared if isinstance(declared, list) else [declared] if isinstance(declared, str) else [])
    for keyword in ("oneOf", "anyOf"):
        for branch in node.get(keyword) or ():
            if isinstance(branch, dict):
                types |= _types(branch)
    types.discard("null")
    return types


def zero_value(node: dict[str, Any]) -> Any:
    """Go's zero value of the type a schema describes (None when it cannot tell)."""
    types = _types(node)
    if "object" in types:
        return {}
    if "array" in types:
        return []
    if types & {"integer", "number"}:
        return 0  # also IntOrString (IntVal 0) and Quantity ("0")
    if "string" in types:
        return ""
    if "boolean" in types:
        return False
    return None


def needs_decoding(value: Any) -> bool:
    """True when `value` holds a null or an integral float (the only things decoding changes)."""
    if isinstance(value, dict):
        return any(v is None or needs_decoding(v) for v in value.values())
    if isinstance(value, list):
        return any(v is None or needs_decoding(v) for v in value)
    return isinstance(value, float) and value.is_integer() and abs(value) < _INT64


def decoded(value: Any, schema: Any, definitions: dict[str, Any]) -> Any:
    """`value` as decoding into the type `schema` describes leaves it (see the module docstring)."""
    node = _resolve(schema, definitions)
    if isinstance(value, dict):
        declared = node.get("properties")
        properties: dict[str, Any] = declared if isinstance(declared, dict) else {}
        additional = node.get("additionalProperties")
        extra: dict[str, Any] = additional if isinstance(additional, dict) else {}
        map_zero = zero_value(_resolve(extra, definitions)) if extra else None
        out: dict[str, Any] = {}
        for key, child in value.items():
            child_schema = properties.get(key, extra)
            if child is None:
                if key not in properties and map_zero is not None:
                    out[key] = map_zero  # a map value
                continue  # a struct field (or one the schema does not know): absent
            out[key] = decoded(child, child_schema, definitions)
        return out
    if isinstance(value, list):
        items = node.get("items", {})
        zero = zero_value(_resolve(items, definitions)) if any(v is None for v in value) else None
        return [zero if v is None else decoded(v, items, definitions) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < _INT64 and \
            "integer" in _types(node) and "number" not in _types(node):
        return int(value)
    return value
