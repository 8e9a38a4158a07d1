"""Objects walked with their schema: field sets, and the rules `compare.py` and `merge.py` share
(sigs.k8s.io/structured-merge-diff typed: helpers.go, tofieldset.go).

The rules, as SMD applies them with Kubernetes' schemas (`kapply.validate.structure`):

- a granular map (a struct, `labels`) is walked field by field; an atomic one (`nodeSelector`,
  `x-kubernetes-map-type: atomic`) is one leaf;
- an associative list is walked item by item, an item named by its key fields (`k:{...}`,
  containers by name, container ports by containerPort and protocol) or, for a set, by its
  value (`v:...`); an atomic list (args, tolerations) is one leaf;
- in a field set, a leaf is a member, a struct field holding a non-empty struct is not (only what
  is inside it), a map entry and a list item always are, an empty map or a null is a member.

A list whose items cannot be named (an item without its key, a key that is not a scalar) is
handled as atomic, so a malformed object merges whole rather than failing; admission then reports
what is wrong with it. Duplicate items in the live object are kept and owned as one.
"""

from __future__ import annotations

from typing import Any

from kapply.cluster.fieldmanager.fieldpath import FieldSet, PathElement, SetBuilder
from kapply.cluster.fieldmanager.fieldpath import field as field_pe
from kapply.cluster.fieldmanager.fieldpath import key as key_pe
from kapply.cluster.fieldmanager.fieldpath import value as value_pe
from kapply.validate.structure import (
    DEDUCED,
    KEY_DEFAULTS,
    UNTYPED_ATOMIC,
    DeducedNode,
    ListNode,
    MapNode,
    Node,
)

MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


def json_equal(a: Any, b: Any) -> bool:
    """Equal as JSON values: `true` is not `1`, `1` is `1.0`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return (isinstance(b, list) and len(a) == len(b)
                and all(json_equal(x, y) for x, y in zip(a, b, strict=True)))
    return type(a) in (int, float, str, type(None)) and type(b) in (int, float, str, type(None)) \
        and bool(a == b)


def map_child(node: Node, name: str) -> tuple[Node, bool]:
    """(type of `name`, whether it is a declared struct field) inside a map of type `node`."""
    if isinstance(node, MapNode):
        return node.field(name)[0], node.declares(name)
    if isinstance(node, DeducedNode):
        return (UNTYPED_ATOMIC if node.atomic else DEDUCED), False
    return DEDUCED, False


def granular_map(node: Node, v: Any) -> bool:
    """Whether `v` is walked as a granular map of type `node`."""
    if not isinstance(v, dict):
        return False
    if isinstance(node, MapNode):
        return not node.atomic
    return isinstance(node, DeducedNode) and not node.atomic


def associative(node: Node, v: Any) -> bool:
    return isinstance(v, list) and isinstance(node, ListNode) and node.list_type != "atomic"


def item_element(node: ListNode, item: Any) -> PathElement | None:
    """The path element naming `item` in an associative list; None when it cannot be named."""
    if node.list_type == "set":
        if isinstance(item, dict | list) or item is None:
            return None
        return value_pe(item)
    if not isinstance(item, dict):
        return None
    pairs = []
    for name in node.keys:
        if name in item:
            v = item[name]
            if isinstance(v, dict | list):
                return None
            pairs.append((name, v))
        elif name in KEY_DEFAULTS:
            pairs.append((name, KEY_DEFAULTS[name]))
    if not pairs:
        return None
    return key_pe(pairs)


def elements(node: ListNode, items: list) -> list[PathElement] | None:
    """The path elements of a list's items, in order; None when one cannot be named."""
    out = []
    for item in items:
        pe = item_element(node, item)
        if pe is None:
            return None
        out.append(pe)
    return out


# ---- field sets ----------------------------------------------------------------------------------

def to_set(obj: Any, node: Node) -> FieldSet:
    """The set of fields `obj` sets (TypedValue.ToFieldSet)."""
    builder = SetBuilder()
    _collect(obj, node, builder)
    return builder.freeze()


def _collect(v: Any, node: Node, out: SetBuilder) -> bool:
    """Fill `out` with the paths under `v`; True when `v` itself is a leaf (a member)."""
    if granular_map(node, v):
        for name, sub in v.items():
            sub_node, declared = map_child(node, name)
            pe = field_pe(name)
            child = SetBuilder()
            leaf = _collect(sub, sub_node, child)
            if child.members or child.children:
                out.children[pe] = child
            if leaf or sub is None or sub == {} or not declared:
                out.members.add(pe)
        return False
    if associative(node, v):
        assert isinstance(node, ListNode)
        pes = elements(node, v)
        if pes is None:
            return True
        seen: set[PathElement] = set()
        repeated: set[PathElement] = set()
        for pe in pes:
            (repeated if pe in seen else seen).add(pe)
        for pe, item in zip(pes, v, strict=True):
            out.members.add(pe)
            if pe in repeated:
                continue
            child = SetBuilder()
            _collect(item, node.element, child)
            if child.members or child.children:
                out.children[pe] = child
        return False
    return True


def ensure_named_fields_are_members(fs: FieldSet, node: Node) -> FieldSet:
    """`fs` with every struct field that has paths under it also a member (SMD's
    EnsureNamedFieldsAreMembers, which makes prune remove a dropped struct as a whole)."""
    members = set(fs.members)
    children: dict[PathElement, FieldSet] = {}
    for pe, sub in fs.children.items():
        child_node: Node = DEDUCED
        if pe[0] == "f" and isinstance(node, MapNode):
            child_node = node.field(pe[1])[0]
            if node.declares(pe[1]):
                members.add(pe)
        elif pe[0] == "k" and isinstance(node, ListNode):
            child_node = node.element
        children[pe] = ensure_named_fields_are_members(sub, child_node)
    return FieldSet(frozenset(members), children)


def duplicates(obj: Any, node: Node) -> list[PathElement]:
    """Items named twice in one associative list of `obj` (an applied configuration must have none)."""
    found: list[PathElement] = []
    _duplicates(obj, node, found)
    return found


def _duplicates(v: Any, node: Node, found: list) -> None:
    if granular_map(node, v):
        for name, sub in v.items():
            _duplicates(sub, map_child(node, name)[0], found)
    elif associative(node, v):
        assert isinstance(node, ListNode)
        pes = elements(node, v)
        if pes is None:
            return
        seen: set = set()
        for pe, item in zip(pes, v, strict=True):
            if pe in seen:
                found.append(pe)
            seen.add(pe)
            _duplicates(item, node.element, found)
