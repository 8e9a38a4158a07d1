"""Merging an applied configuration into an object, and removing fields from one
(sigs.k8s.io/structured-merge-diff typed/merge.go, remove.go)."""

from __future__ import annotations

from typing import Any

from kapply.cluster.fieldmanager.fieldpath import EMPTY, FieldSet, PathElement
from kapply.cluster.fieldmanager.fieldpath import field as field_pe
from kapply.cluster.fieldmanager.typed import MISSING, associative, elements, granular_map, map_child
from kapply.validate.structure import ListNode, Node


def merge(lhs: Any, rhs: Any, node: Node) -> Any:
    """`rhs` merged into `lhs` (TypedValue.Merge): granular maps and associative lists by key, with
    the applied configuration's order for the items it names; leaves and atomic values from rhs."""
    if rhs is MISSING:
        return lhs
    if lhs is MISSING:
        return rhs
    if rhs is None and lhs and (granular_map(node, lhs) or associative(node, lhs)):
        return lhs  # a null in the configuration keeps a live map or list (SMD merges nothing in)
    if granular_map(node, lhs) and granular_map(node, rhs) and (lhs or rhs):
        out = {}
        for name in {**lhs, **rhs}:
            sub_node, _ = map_child(node, name)
            out[name] = merge(lhs.get(name, MISSING), rhs.get(name, MISSING), sub_node)
        return out
    if associative(node, lhs) and associative(node, rhs) and (lhs or rhs):
        assert isinstance(node, ListNode)
        lpes, rpes = elements(node, lhs), elements(node, rhs)
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


def remove_items(obj: Any, fs: FieldSet, node: Node) -> Any:
    """`obj` without the paths of `fs` (TypedValue.RemoveItems): a member removes the whole value
    at its path; a map or list emptied by the removal goes too."""
    if fs is EMPTY or fs.empty():
        return obj
    if granular_map(node, obj):
        out = {}
        for name, sub in obj.items():
            pe = field_pe(name)
            if pe in fs.members:
                continue
            under = fs.children.get(pe)
            if under is not None:
                sub = remove_items(sub, under, map_child(node, name)[0])
                if sub is MISSING:
                    continue
            out[name] = sub
        return out if out else MISSING
    if associative(node, obj):
        assert isinstance(node, ListNode)
        pes = elements(node, obj)
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
