"""Objects walked with their schema: field sets, comparisons, merges and removals
(sigs.k8s.io/structured-merge-diff typed: tofieldset.go, compare.go, merge.go, remove.go).

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

from dataclasses import dataclass
from typing import Any

from kapply.cluster.fieldmanager.fieldpath import EMPTY, FieldSet, PathElement, _Builder
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


def _map_child(node: Node, name: str) -> tuple[Node, bool]:
    """(type of `name`, whether it is a declared struct field) inside a map of type `node`."""
    if isinstance(node, MapNode):
        return node.field(name)[0], node.declares(name)
    if isinstance(node, DeducedNode):
        return (UNTYPED_ATOMIC if node.atomic else DEDUCED), False
    return DEDUCED, False


def _granular_map(node: Node, v: Any) -> bool:
    """Whether `v` is walked as a granular map of type `node`."""
    if not isinstance(v, dict):
        return False
    if isinstance(node, MapNode):
        return not node.atomic
    return isinstance(node, DeducedNode) and not node.atomic


def _associative(node: Node, v: Any) -> bool:
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


def _elements(node: ListNode, items: list) -> list[PathElement] | None:
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
    builder = _Builder()
    _collect(obj, node, builder)
    return builder.freeze()


def _collect(v: Any, node: Node, out: _Builder) -> bool:
    """Fill `out` with the paths under `v`; True when `v` itself is a leaf (a member)."""
    if _granular_map(node, v):
        for name, sub in v.items():
            sub_node, declared = _map_child(node, name)
            pe = field_pe(name)
            child = _Builder()
            leaf = _collect(sub, sub_node, child)
            if child.members or child.children:
                out.children[pe] = child
            if leaf or sub is None or sub == {} or not declared:
                out.members.add(pe)
        return False
    if _associative(node, v):
        assert isinstance(node, ListNode)
        pes = _elements(node, v)
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
            child = _Builder()
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


# ---- comparison ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """What changed from one object to another, as field sets (typed.Comparison)."""

    added: FieldSet
    modified: FieldSet
    removed: FieldSet

    def same(self) -> bool:
        return self.added.empty() and self.modified.empty() and self.removed.empty()


def compare(lhs: Any, rhs: Any, node: Node) -> Comparison:
    """The fields added, modified and removed going from `lhs` to `rhs`."""
    added, modified, removed = _Builder(), _Builder(), _Builder()
    _compare(lhs, rhs, node, (), added, modified, removed)
    return Comparison(added.freeze(), modified.freeze(), removed.freeze())


def _fill(v: Any, node: Node, out: _Builder) -> None:
    """Every path under `v` into `out`, each a member (what an added or removed subtree reports)."""
    if _granular_map(node, v):
        for name, sub in v.items():
            pe = field_pe(name)
            out.members.add(pe)
            sub_node, _ = _map_child(node, name)
            if isinstance(sub, dict | list) and sub:
                _fill(sub, sub_node, out.children.setdefault(pe, _Builder()))
    elif _associative(node, v):
        assert isinstance(node, ListNode)
        pes = _elements(node, v)
        if pes is None:
            return
        repeated = {pe for pe in pes if pes.count(pe) > 1} if len(set(pes)) < len(pes) else set()
        for pe, item in zip(pes, v, strict=True):
            out.members.add(pe)
            if pe not in repeated and isinstance(item, dict | list) and item:
                _fill(item, node.element, out.children.setdefault(pe, _Builder()))


def _one_sided(v: Any, node: Node, path: tuple, into: _Builder) -> None:
    """`v` is only on one side of a comparison: its path and everything under it."""
    into.insert(path)
    if isinstance(v, dict | list) and v:
        target = into
        for pe in path:
            target = target.children.setdefault(pe, _Builder())
        _fill(v, node, target)


def _compare(lhs: Any, rhs: Any, node: Node, path: tuple, added: _Builder, modified: _Builder,
             removed: _Builder) -> None:
    if lhs is MISSING or rhs is MISSING:
        if path or lhs is not rhs:
            if lhs is MISSING:
                _one_sided(rhs, node, path, added) if path else _fill(rhs, node, added)
            else:
                _one_sided(lhs, node, path, removed) if path else _fill(lhs, node, removed)
        return
    lmap, rmap = _granular_map(node, lhs), _granular_map(node, rhs)
    lassoc, rassoc = _associative(node, lhs), _associative(node, rhs)
    walked = False
    if (lmap or lhs is MISSING) and (rmap or rhs is MISSING) and (lhs or rhs):
        walked = True
        lm = lhs if lmap else {}
        rm = rhs if rmap else {}
        for name in {**lm, **rm}:
            sub_node, _ = _map_child(node, name)
            _compare(lm.get(name, MISSING), rm.get(name, MISSING), sub_node, (*path, field_pe(name)),
                     added, modified, removed)
    elif (lassoc or lhs is MISSING) and (rassoc or rhs is MISSING) and (lhs or rhs):
        assert isinstance(node, ListNode)
        litems = lhs if lassoc else []
        ritems = rhs if rassoc else []
        lpes, rpes = _elements(node, litems), _elements(node, ritems)
        if lpes is not None and rpes is not None:
            walked = True
            _compare_items(node, litems, ritems, lpes, rpes, path, added, modified, removed)
    if walked:
        if lhs is MISSING:
            added.insert(path)
        elif rhs is MISSING:
            removed.insert(path)
        return
    if lhs is MISSING:
        added.insert(path)
    elif rhs is MISSING:
        removed.insert(path)
    elif not json_equal(lhs, rhs):
        modified.insert(path)


def _compare_items(node: ListNode, litems: list, ritems: list, lpes: list, rpes: list, path: tuple,
                   added: _Builder, modified: _Builder, removed: _Builder) -> None:
    lvalues: dict[PathElement, list] = {}
    rvalues: dict[PathElement, list] = {}
    order: list[PathElement] = []
    for pe, item in zip(lpes, litems, strict=True):
        if pe not in lvalues:
            order.append(pe)
        lvalues.setdefault(pe, []).append(item)
    for pe, item in zip(rpes, ritems, strict=True):
        if pe not in rvalues and pe not in lvalues:
            order.append(pe)
        rvalues.setdefault(pe, []).append(item)
    for pe in order:
        ll, rl = lvalues.get(pe, []), rvalues.get(pe, [])
        sub = (*path, pe)
        if len(ll) <= 1 and len(rl) <= 1:
            _compare(ll[0] if ll else MISSING, rl[0] if rl else MISSING, node.element, sub,
                     added, modified, removed)
        elif len(ll) >= 2 and len(rl) >= 2:
            if not json_equal(ll, rl):
                modified.insert(sub)
        elif len(ll) >= 2:
            if rl:
                _compare(MISSING, rl[0], node.element, sub, added, modified, removed)
            removed.insert(sub)
        else:
            if ll:
                _compare(ll[0], MISSING, node.element, sub, added, modified, removed)
            added.insert(sub)


# ---- merge ---------------------------------------------------------------------------------------

def merge(lhs: Any, rhs: Any, node: Node) -> Any:
    """`rhs` merged into `lhs` (TypedValue.Merge): granular maps and associative lists by key, with
    the applied configuration's order for the items it names; leaves and atomic values from rhs."""
    if rhs is MISSING:
        return lhs
    if lhs is MISSING:
        return rhs
    if rhs is None and lhs and (_granular_map(node, lhs) or _associative(node, lhs)):
        return lhs  # a null in the configuration keeps a live map or list (SMD merges nothing in)
    if _granular_map(node, lhs) and _granular_map(node, rhs) and (lhs or rhs):
        out = {}
        for name in {**lhs, **rhs}:
            sub_node, _ = _map_child(node, name)
            out[name] = merge(lhs.get(name, MISSING), rhs.get(name, MISSING), sub_node)
        return out
    if _associative(node, lhs) and _associative(node, rhs) and (lhs or rhs):
        assert isinstance(node, ListNode)
        lpes, rpes = _elements(node, lhs), _elements(node, rhs)
        if lpes is not None and rpes is not None:
            return _merge_items(node, lhs, rhs, lpes, rpes)
    return rhs


def _merge_items(node: ListNode, lhs: list, rhs: list, lpes: list, rpes: list) -> list:
    """merge.go visitListItems: live items keep their places, the configuration's order wins for
    the items both name, and new items go where the configuration puts them."""
    observed_l: dict[PathElement, Any] = {}
    for pe, item in zip(lpes, lhs, strict=True):
        observed_l[pe] = None if pe in observed_l else item
    observed_r: dict[PathElement, Any] = {}
    for pe, item in zip(rpes, rhs, strict=True):
        observed_r.setdefault(pe, item)  # duplicates in a configuration are refused before this
    shared = [pe for pe in rpes if pe in observed_l]
    shared.reverse()
    next_shared = shared.pop() if shared else None
    merged_r: set[PathElement] = set()
    out: list = []
    li = ri = 0
    while li < len(lpes) or ri < len(rpes):
        if li < len(lpes) and ri < len(rpes):
            pe = lpes[li]
            if pe == rpes[ri]:
                merged_r.add(pe)
                out.append(_merge_item(observed_l.get(pe), observed_r[pe], node))
                li += 1
                ri += 1
                next_shared = shared.pop() if shared else None
                continue
            if pe in observed_r and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lpes):
            pe = lpes[li]
            if pe not in observed_r:
                out.append(lhs[li])
                li += 1
                continue
            if pe in merged_r:
                li += 1
        if ri < len(rpes):
            pe = rpes[ri]
            merged_r.add(pe)
            left = observed_l.get(pe, MISSING)
            out.append(_merge_item(left, observed_r[pe], node))
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop() if shared else None
    return out


def _merge_item(left: Any, right: Any, node: ListNode) -> Any:
    return merge(MISSING if left is None else left, right, node.element)


def duplicates(obj: Any, node: Node) -> list[PathElement]:
    """Items named twice in one associative list of `obj` (an applied configuration must have none)."""
    found: list[PathElement] = []
    _duplicates(obj, node, found)
    return found


def _duplicates(v: Any, node: Node, found: list) -> None:
    if _granular_map(node, v):
        for name, sub in v.items():
            _duplicates(sub, _map_child(node, name)[0], found)
    elif _associative(node, v):
        assert isinstance(node, ListNode)
        pes = _elements(node, v)
        if pes is None:
            return
        seen: set = set()
        for pe, item in zip(pes, v, strict=True):
            if pe in seen:
                found.append(pe)
            seen.add(pe)
            _duplicates(item, node.element, found)


# ---- removal -------------------------------------------------------------------------------------

def remove_items(obj: Any, fs: FieldSet, node: Node) -> Any:
    """`obj` without the paths of `fs` (TypedValue.RemoveItems): a member removes the whole value
    at its path; a map or list emptied by the removal goes too."""
    if fs is EMPTY or fs.empty():
        return obj
    if _granular_map(node, obj):
        out = {}
        for name, sub in obj.items():
            pe = field_pe(name)
            if pe in fs.members:
                continue
            under = fs.children.get(pe)
            if under is not None:
                sub = remove_items(sub, under, _map_child(node, name)[0])
                if sub is MISSING:
                    continue
            out[name] = sub
        return out if out else MISSING
    if _associative(node, obj):
        assert isinstance(node, ListNode)
        pes = _elements(node, obj)
        if pes is None:
            return obj
        items = []
        for pe, item in zip(pes, obj, strict=True):
            if pe in fs.members:
                continue
            under = fs.children.get(pe)
            if under is not None:
                item = remove_items(item, under, node.element)
                if item is MISSING:
                    continue
            items.append(item)
        return items if items else MISSING
    return obj
