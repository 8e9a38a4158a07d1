"""What changed between two objects, as field sets (sigs.k8s.io/structured-merge-diff
typed/compare.go): the fields added, modified and removed, walked with the schema so that an
atomic list or map is one field and an associative list is compared item by item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kapply.cluster.fieldmanager.fieldpath import FieldSet, PathElement, SetBuilder
from kapply.cluster.fieldmanager.fieldpath import field as field_pe
from kapply.cluster.fieldmanager.typed import (
    MISSING,
    associative,
    elements,
    granular_map,
    json_equal,
    map_child,
)
from kapply.validate.structure import ListNode, Node


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
    added, modified, removed = SetBuilder(), SetBuilder(), SetBuilder()
    _compare(lhs, rhs, node, (), added, modified, removed)
    return Comparison(added.freeze(), modified.freeze(), removed.freeze())


def _fill(v: Any, node: Node, out: SetBuilder) -> None:
    """Every path under `v` into `out`, each a member (what an added or removed subtree reports)."""
    if granular_map(node, v):
        for name, sub in v.items():
            pe = field_pe(name)
            out.members.add(pe)
            sub_node, _ = map_child(node, name)
            if isinstance(sub, dict | list) and sub:
                _fill(sub, sub_node, out.children.setdefault(pe, SetBuilder()))
    elif associative(node, v):
        assert isinstance(node, ListNode)
        pes = elements(node, v)
        if pes is None:
            return
        repeated = {pe for pe in pes if pes.count(pe) > 1} if len(set(pes)) < len(pes) else set()
        for pe, item in zip(pes, v, strict=True):
            out.members.add(pe)
            if pe not in repeated and isinstance(item, dict | list) and item:
                _fill(item, node.element, out.children.setdefault(pe, SetBuilder()))


def _one_sided(v: Any, node: Node, path: tuple, into: SetBuilder) -> None:
    """`v` is only on one side of a comparison: its path and everything under it."""
    into.insert(path)
    if isinstance(v, dict | list) and v:
        target = into
        for pe in path:
            target = target.children.setdefault(pe, SetBuilder())
        _fill(v, node, target)


def _compare(lhs: Any, rhs: Any, node: Node, path: tuple, added: SetBuilder, modified: SetBuilder,
             removed: SetBuilder) -> None:
    if lhs is MISSING or rhs is MISSING:
        if path or lhs is not rhs:
            if lhs is MISSING:
                _one_sided(rhs, node, path, added) if path else _fill(rhs, node, added)
            else:
                _one_sided(lhs, node, path, removed) if path else _fill(lhs, node, removed)
        return
    lmap, rmap = granular_map(node, lhs), granular_map(node, rhs)
    lassoc, rassoc = associative(node, lhs), associative(node, rhs)
    walked = False
    if (lmap or lhs is MISSING) and (rmap or rhs is MISSING) and (lhs or rhs):
        walked = True
        lm = lhs if lmap else {}
        rm = rhs if rmap else {}
        for name in {**lm, **rm}:
            sub_node, _ = map_child(node, name)
            _compare(lm.get(name, MISSING), rm.get(name, MISSING), sub_node, (*path, field_pe(name)),
                     added, modified, removed)
    elif (lassoc or lhs is MISSING) and (rassoc or rhs is MISSING) and (lhs or rhs):
        assert isinstance(node, ListNode)
        litems = lhs if lassoc else []
        ritems = rhs if rassoc else []
        lpes, rpes = elements(node, litems), elements(node, ritems)
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
                   added: SetBuilder, modified: SetBuilder, removed: SetBuilder) -> None:
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
