"""The merge facts of the shipped schemas: one table for the planner and the embedded API server.

Kubernetes declares how each field merges in its OpenAPI: `x-kubernetes-list-type` (atomic, set,
map) and `x-kubernetes-list-map-keys` for server-side apply, `x-kubernetes-map-type` (atomic or
granular), and `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` for strategic merge
patch (`kubectl apply`'s client-side three-way merge). `scripts/gen_schemas.py` keeps them in
`schemas/vX.Y/`; this module turns them into a tree of `Node`s, built lazily per definition and
shared, the way kube-openapi's `schemaconv` builds structured-merge-diff's schema:

- an object with properties is a struct (`MapNode.fields`); one with `additionalProperties` is a
  map of that element type; one with neither is "deduced" (granular maps, atomic lists);
- `RawExtension` is untyped and atomic, `Quantity` and `IntOrString` are scalars;
- a list without `x-kubernetes-list-type` follows its patch strategy: `merge` with a merge key is
  an associative list keyed by it, `merge` without one is a set, anything else is atomic.

Readers: `kapply.plan.merge_keys` (strategic-merge facts by path pattern), the embedded API
server's patch module and `kapply.cluster.fieldmanager` (walking values and nodes together). A
kind without a schema, and a field the schema does not declare, are `DEDUCED`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from kapply.validate.schema_store import BuiltinSchemas, find_version_dir

_REF_PREFIX = "#/$defs/"
_RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

# Associative-list key fields with a schema default (`+default="TCP"` on ContainerPort and
# ServicePort protocol): an item that omits the key is identified by the default, as SMD does.
KEY_DEFAULTS: Mapping[str, Any] = {"protocol": "TCP"}


class Node:
    """A type: scalar, map (struct fields and/or an element type), list, or deduced."""

    __slots__ = ()
    shape = "scalar"


class ScalarNode(Node):
    __slots__ = ()


class DeducedNode(Node):
    """No schema: maps are granular with deduced values, lists atomic (SMD's `__untyped_deduced_`)."""

    __slots__ = ("atomic",)
    shape = "deduced"

    def __init__(self, atomic: bool) -> None:
        self.atomic = atomic  # True: `__untyped_atomic_` (maps atomic too)


SCALAR = ScalarNode()
DEDUCED = DeducedNode(atomic=False)
UNTYPED_ATOMIC = DeducedNode(atomic=True)


class MapNode(Node):
    """A struct (declared fields) and/or a map (element type); granular unless `atomic`."""

    __slots__ = ("_element", "_element_schema", "_fields", "_props", "_types", "atomic")
    shape = "map"

    def __init__(self, types: SchemaTypes, props: Mapping[str, Any], element_schema: Any,
                 atomic: bool) -> None:
        self._types = types
        self._props = props
        self._fields: dict[str, tuple[Node, str]] = {}
        self._element_schema = element_schema
        self._element: Node | None = None
        self.atomic = atomic

    def field_names(self) -> list[str]:
        """The declared struct fields."""
        return list(self._props)

    def declares(self, name: str) -> bool:
        """Whether `name` is a struct field (as opposed to a map entry or an unknown field)."""
        return name in self._props

    def field(self, name: str) -> tuple[Node, str]:
        """(type, patch strategy of the field) of `name`; an undeclared key has the element type."""
        found = self._fields.get(name)
        if found is None:
            prop = self._props.get(name)
            if isinstance(prop, dict):
                found = (self._types.build(prop), str(prop.get("x-kubernetes-patch-strategy") or ""))
            else:
                found = (self.element, "")
            self._fields[name] = found
        return found

    @property
    def element(self) -> Node:
        if self._element is None:
            schema = self._element_schema
            self._element = self._types.build(schema) if isinstance(schema, dict) else DEDUCED
        return self._element

    def with_atomic(self, atomic: bool) -> MapNode:
        """The same type with a field-level `x-kubernetes-map-type` override."""
        return MapNode(self._types, self._props, self._element_schema, atomic)


class ListNode(Node):
    """A list: `list_type` atomic | set | map (keyed by `keys`), plus its strategic-merge facts."""

    __slots__ = ("_element", "_items", "_types", "keys", "list_type", "merge_key", "strategy")
    shape = "list"

    def __init__(self, types: SchemaTypes, schema: Mapping[str, Any]) -> None:
        self._types = types
        self._items = schema.get("items")
        self._element: Node | None = None
        self.strategy = str(schema.get("x-kubernetes-patch-strategy") or "")
        key = schema.get("x-kubernetes-patch-merge-key")
        self.merge_key: str | None = key if isinstance(key, str) else None
        list_type = schema.get("x-kubernetes-list-type")
        keys: tuple[str, ...] = ()
        if list_type in ("atomic", "set"):
            pass
        elif list_type == "map":
            raw = schema.get("x-kubernetes-list-map-keys")
            keys = tuple(k for k in raw if isinstance(k, str)) if isinstance(raw, list) else ()
            list_type = "map" if keys else "atomic"
        elif self.strategy in ("merge", "merge,retainKeys"):
            list_type, keys = ("map", (self.merge_key,)) if self.merge_key else ("set", ())
        else:
            list_type = "atomic"
        self.list_type: str = list_type
        self.keys = keys

    @property
    def element(self) -> Node:
        if self._element is None:
            items = self._items
            self._element = self._types.build(items) if isinstance(items, dict) else UNTYPED_ATOMIC
        return self._element

    @property
    def item_strategy(self) -> str:
        """The strategy an item map inherits: `retainKeys` for `merge,retainKeys` lists (volumes)."""
        return "retainKeys" if "retainKeys" in self.strategy else ""

    @property
    def patch_key(self) -> str | None:
        """Strategic merge patch: the merge key, `SET` for a merged primitive list, None: replaced."""
        if "merge" not in self.strategy.split(","):
            return None
        return self.merge_key or SET


SET = "<set>"  # a strategic-merge list of primitives merged as a set (finalizers)


class SchemaTypes:
    """The nodes of one schema folder, built on first use and shared."""

    def __init__(self, schemas: BuiltinSchemas) -> None:
        self.schemas = schemas
        self._named: dict[str, Node] = {}
        self._roots: dict[tuple[str, str], Node] = {}

    def root(self, api_version: str, kind: str) -> Node:
        """The type of a whole object; DEDUCED when no schema ships for it."""
        key = (api_version, kind)
        node = self._roots.get(key)
        if node is None:
            ref = self.schemas.lookup(api_version, kind) if isinstance(api_version, str) else None
            node = self.build(ref.schema) if ref is not None else DEDUCED
            self._roots[key] = node
        return node

    def named(self, name: str) -> Node:
        node = self._named.get(name)
        if node is None:
            if name == _RAW_EXTENSION:
                node = UNTYPED_ATOMIC
            elif name == _QUANTITY:
                node = SCALAR
            else:
                schema = self.schemas.definitions.get(name)
                node = self.build(schema) if isinstance(schema, dict) else DEDUCED
            self._named[name] = node
        return node

    def build(self, schema: Mapping[str, Any]) -> Node:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            node = self.named(ref[len(_REF_PREFIX):])
            map_type = schema.get("x-kubernetes-map-type")
            if isinstance(node, MapNode) and map_type in ("atomic", "granular"):
                node = node.with_atomic(map_type == "atomic")
            return node
        alternatives = schema.get("oneOf") or schema.get("anyOf")
        if isinstance(alternatives, list):
            shapes = {self.build(a).shape for a in alternatives if isinstance(a, dict)}
            return SCALAR if shapes <= {"scalar"} else DEDUCED
        raw_type = schema.get("type")
        types = set(raw_type) if isinstance(raw_type, list) else {raw_type}
        types.discard("null")
        types.discard(None)
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if "object" in types or (not types and (props or isinstance(extra, dict))):
            props = props if isinstance(props, dict) else {}
            element = extra if isinstance(extra, dict) else None
            atomic = schema.get("x-kubernetes-map-type") == "atomic"
            return MapNode(self, props, element, atomic)
        if "array" in types or (not types and "items" in schema):
            return ListNode(self, schema)
        if not types:
            return DEDUCED
        return SCALAR


@cache
def default_types() -> SchemaTypes:
    """The nodes of the default Kubernetes version's shipped schemas (process-wide)."""
    from kapply.validate.schema import DEFAULT_KUBERNETES_VERSION

    return SchemaTypes(BuiltinSchemas(find_version_dir(DEFAULT_KUBERNETES_VERSION)))


def root_type(api_version: str, kind: str) -> Node:
    """The type of an object of (apiVersion, kind) in the default schemas."""
    return default_types().root(api_version, kind)


def pattern_tokens(pattern: str) -> list[str]:
    """`spec.containers[].ports` -> ["spec", "containers", "[]", "ports"]."""
    out: list[str] = []
    for part in pattern.split(".") if pattern else ():
        items = 0
        while part.endswith("[]"):
            part, items = part[:-2], items + 1
        if part:
            out.append(part)
        out.extend(["[]"] * items)
    return out


def node_at(root: Node, pattern: str) -> tuple[Node, str] | None:
    """(type, strategy of the edge into it) at a path pattern; None where the value cannot be."""
    node, strategy = root, ""
    for token in pattern_tokens(pattern):
        if token == "[]":
            if isinstance(node, ListNode):
                strategy = node.item_strategy
                node = node.element
            elif isinstance(node, DeducedNode):
                node, strategy = UNTYPED_ATOMIC, ""
            else:
                return None
        elif isinstance(node, MapNode):
            node, strategy = node.field(token)
        elif isinstance(node, DeducedNode):
            node, strategy = (UNTYPED_ATOMIC if node.atomic else DEDUCED), ""
        else:
            return None
    return node, strategy
