"""The API server's decoding step: a number too big for its Go field is refused before admission.

Kubernetes decodes a request body into Go structs first, so `replicas: 3000000000` never reaches
validation; the request fails with 400 BadRequest and encoding/json's words:
`Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number
3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32`.

Which fields are int32 or int64 comes from the shipped schemas (`format`), gathered once per kind
into a trie of property names, so a write costs a walk over the fields the object actually has.
List items are transparent, as in Go's field path (`PodSpec.spec.template.spec.containers...`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kapply.errors import BadRequestError

Obj = dict[str, Any]
RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_REF_PREFIX = "#/$defs/"

# A trie node: property name -> (child node, or None) and (struct, Go type) when the name is an int.
Node = dict[str, tuple["Node | None", tuple[str, str] | None]]
Overflow = tuple[tuple[str, ...], int, tuple[str, str]]  # field path, value, (struct, Go type)


def check_numbers(obj: Obj) -> None:
    """Raise BadRequestError as the API server's decoder would for an out-of-range integer."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    trie = _trie(api_version, kind)
    if trie:
        found = _overflow(obj, trie, ())
        if found is not None:
            path, value, (struct, go_type) = found
            version = api_version.rpartition("/")[2]
            raise BadRequestError(f'{kind} in version "{version}" cannot be handled as a {kind}: json: '
                                  f"cannot unmarshal number {value} into Go struct field "
                                  f"{struct}.{'.'.join(path)} of type {go_type}")


def _overflow(value: Any, node: Node, path: tuple[str, ...]) -> Overflow | None:
    if isinstance(value, list):
        for item in value:
            found = _overflow(item, node, path)
            if found is not None:
                return found
        return None
    if not isinstance(value, dict):
        return None
    for name, (child, leaf) in node.items():
        field = value.get(name)
        if field is None:
            continue
        if leaf is not None and isinstance(field, int) and not isinstance(field, bool):
            low, high = RANGES[leaf[1]]
            if not low <= field <= high:
                return (*path, name), field, leaf
        if child is not None:
            found = _overflow(field, child, (*path, name))
            if found is not None:
                return found
    return None


@lru_cache(maxsize=1)
def _builtin() -> Any:
    from kapply.validate.schema import default_validator

    return default_validator().builtin


@lru_cache(maxsize=256)
def _trie(api_version: str, kind: str) -> Node:
    builtin = _builtin()
    ref = builtin.lookup(api_version, kind)
    if ref is None:
        return {}
    return _node(ref.schema, kind, builtin.definitions, ()) or {}


def _node(schema: Obj, struct: str, definitions: Obj, stack: tuple[str, ...]) -> Node | None:
    """The int fields under `schema` (a struct named `struct`); None when there are none."""
    node: Node = {}
    for name, prop in (schema.get("properties") or {}).items():
        target, target_struct, seen = _resolve(prop, definitions, stack)
        leaf = None
        fmt = target.get("format")
        if fmt in RANGES and "integer" in _types(target):
            leaf = (struct, str(fmt))
        child = None
        if target_struct is not None and target_struct not in stack:
            child = _node(target, target_struct.rpartition(".")[2], definitions, seen)
        if leaf is not None or child:
            node[name] = (child or None, leaf)
    return node or None


def _resolve(prop: Obj, definitions: Obj, stack: tuple[str, ...]) -> tuple[Obj, str | None, tuple[str, ...]]:
    """Follow `items` and `$ref` to the schema a property's values have, and its definition name."""
    while "items" in prop and isinstance(prop["items"], dict):
        prop = prop["items"]
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        name = ref[len(_REF_PREFIX):]
        return definitions.get(name) or {}, name, (*stack, name)
    return prop, None, stack


def _types(schema: Obj) -> tuple[str, ...]:
    kind = schema.get("type")
    return tuple(kind) if isinstance(kind, list) else (str(kind),)
