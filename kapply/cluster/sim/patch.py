"""JSON merge patch (RFC 7386) and strategic merge patch, driven by the shipped schemas.

`merge_patch` is RFC 7386: maps merge, `null` deletes, lists are replaced. `strategic_merge` is
Kubernetes' strategic merge patch (k8s.io/apimachinery strategicpatch) with the merge facts of the
object's schema (`kapply.validate.structure`, the table the planner reads too): lists with
`patchStrategy: merge` merge by their `patchMergeKey` (containers by `name`, container ports by
`containerPort`, Node addresses by `type`) or as a set of primitives (finalizers); every other
list is replaced (readinessGates, tolerations); a map with `patchStrategy: replace` is replaced.
Directives: `$patch: replace | delete` (maps and list items), `$retainKeys`,
`$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`, as `kubectl apply` sends them.
A list item without its merge key is a 400, as the API server answers. Both functions return new
objects and never mutate their inputs.
"""

from __future__ import annotations

import copy
from typing import Any

from kapply.errors import BadRequestError
from kapply.validate.structure import DEDUCED, SET, ListNode, MapNode, Node

_DELETE_FROM = "$deleteFromPrimitiveList/"
_ORDER = "$setElementOrder/"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge(target: Any, patch: Any, node: Node = DEDUCED) -> Any:
    """Strategic merge patch of `target` (of type `node`, e.g. `root_type(apiVersion, kind)`)."""
    if not isinstance(patch, dict):
        raise BadRequestError("strategic merge patch must be a JSON object")
    merged = _merge_map(target, patch, node, "")
    return {} if merged is None else merged


def _strip(value: Any) -> Any:
    """A patch subtree as stored: directives dropped."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip(v) for v in value if not (isinstance(v, dict) and v.get("$patch") == "delete")]
    return value


def _field(node: Node, key: str) -> tuple[Node, str]:
    return node.field(key) if isinstance(node, MapNode) else (DEDUCED, "")


def _merge_map(original: Any, patch: dict, node: Node, strategy: str) -> dict | None:
    """The merged map; None when the patch deletes it (`$patch: delete`)."""
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace" or "replace" in strategy.split(","):
        return _strip(patch)
    if directive not in (None, "merge"):
        raise BadRequestError(f"Unknown patch type: {directive} in map: {patch}")
    result = dict(original) if isinstance(original, dict) else {}
    retain = patch.get("$retainKeys")
    if retain is not None:
        if not isinstance(retain, list):
            raise BadRequestError("invalid patch format for retainKeys")
        result = {k: v for k, v in result.items() if k in retain}
    for key, values in patch.items():
        if key.startswith(_DELETE_FROM):
            field = key[len(_DELETE_FROM):]
            if not isinstance(values, list):
                raise BadRequestError("invalid patch format for primitive list")
            if isinstance(result.get(field), list):
                result[field] = [x for x in result[field] if x not in values]
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        sub_node, sub_strategy = _field(node, key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = _merge_map(result.get(key), value, sub_node, sub_strategy)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            result[key] = _merge_list(result.get(key), value, sub_node, patch.get(_ORDER + key))
        else:
            result[key] = value
    for key, order in patch.items():
        if key.startswith(_ORDER) and key[len(_ORDER):] not in patch:
            field = key[len(_ORDER):]
            if isinstance(result.get(field), list):
                sub_node, _ = _field(node, field)
                result[field] = _reorder(result[field], order, sub_node)
    return result


def _merge_list(original: Any, patch: list, node: Node, order: Any) -> list:
    key = node.patch_key if isinstance(node, ListNode) else None
    current = original if isinstance(original, list) else []
    if key is None:
        return _strip(patch)
    if key == SET:
        out = list(current)
        out.extend(x for x in _unique(patch) if x not in out)
        return _reorder(out, order, node) if order is not None else out
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [_strip(x) for x in patch if not (isinstance(x, dict) and x.get("$patch") == "replace")]
    assert isinstance(node, ListNode)
    item_node, item_strategy = node.element, node.item_strategy
    out = list(current)
    for item in patch:
        if not isinstance(item, dict):
            raise BadRequestError(f"map: {item} does not contain declared merge key: {key}")
        if key not in item:
            raise BadRequestError(f"map: {item} does not contain declared merge key: {key}")
        pos = next((n for n, cur in enumerate(out) if isinstance(cur, dict) and cur.get(key) == item[key]),
                   None)
        if item.get("$patch") == "delete":
            if pos is not None:
                del out[pos]
            continue
        merged = _merge_map(out[pos] if pos is not None else {}, item, item_node, item_strategy)
        if pos is None:
            out.append(merged)
        else:
            out[pos] = merged
    return _reorder(out, order, node) if order is not None else out


def _unique(items: list) -> list:
    out: list = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def _reorder(merged: list, order: Any, node: Node) -> list:
    """`$setElementOrder`: the patch's items in its order, the server's other items interleaved
    where they were (strategicpatch normalizeElementOrder + mergeSortedSlice)."""
    if not isinstance(order, list):
        raise BadRequestError("invalid patch format for setElementOrder list")
    key = node.patch_key if isinstance(node, ListNode) else SET

    def ident(x: Any) -> Any:
        return x.get(key) if key != SET and isinstance(x, dict) else x

    wanted = [ident(o) for o in order]
    in_order = [x for w in wanted for x in merged if ident(x) == w]
    rest = [x for x in merged if ident(x) not in wanted]
    server_order = [ident(x) for x in merged]
    out: list = []
    i = j = 0
    while i < len(rest) or j < len(in_order):
        if i >= len(rest):
            out.append(in_order[j])
            j += 1
        elif j >= len(in_order):
            out.append(rest[i])
            i += 1
        else:
            li, ri = server_order.index(ident(rest[i])), (server_order.index(ident(in_order[j]))
                                                            if ident(in_order[j]) in server_order else -1)
            if ri >= 0 and li < ri:
                out.append(rest[i])
                i += 1
            else:
                out.append(in_order[j])
                j += 1
    return out
