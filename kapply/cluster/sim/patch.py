"""JSON merge patch (RFC 7386) and strategic merge patch for the common named lists.

`merge_patch` is RFC 7386: maps merge, `null` deletes, lists are replaced. `strategic_merge`
adds Kubernetes' strategic semantics where users notice them: lists of named things merge by key
(containers, env, volumes by `name`; container ports by `containerPort`; Service ports by
`port`; conditions by `type`; ownerReferences by `uid`), `finalizers` merge as a set, and the
`$patch: delete` / `$patch: replace` directives. Both return new objects, never mutate inputs.
"""

from __future__ import annotations

import copy
from typing import Any

_KEYED_BY_NAME = frozenset({"containers", "initContainers", "ephemeralContainers", "env", "volumes",
                            "imagePullSecrets", "readinessGates"})
_MERGE_KEYS: dict[str, str] = {
    "volumeMounts": "mountPath", "volumeDevices": "devicePath", "ownerReferences": "uid",
    "conditions": "type", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "addresses": "ip",
}
_SET_LISTS = frozenset({"finalizers"})


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


def merge_key(field: str, items: list[Any]) -> str | None:
    """The strategic-merge key of list `field`, or None when the list is replaced."""
    if field in _KEYED_BY_NAME:
        return "name"
    if field == "ports":
        sample = next((i for i in items if isinstance(i, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return _MERGE_KEYS.get(field)


def strategic_merge(target: Any, patch: Any) -> Any:
    """Strategic merge patch with the keys above; other lists are replaced."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        else:
            result[key] = strategic_merge(result.get(key), value)
    return result


def _merge_list(field: str, current: Any, patch: list[Any]) -> list[Any]:
    current = current if isinstance(current, list) else []
    if field in _SET_LISTS:
        out = list(current)
        for item in patch:
            if item not in out:
                out.append(item)
        return out
    mkey = merge_key(field, patch + current)
    if mkey is None or not all(isinstance(i, dict) for i in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and i.get("$patch"))]
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [copy.deepcopy(i) for i in patch if i.get("$patch") != "replace"]
    out = list(current)
    for item in patch:
        pos = next((n for n, cur in enumerate(out) if isinstance(cur, dict) and mkey in item
                    and cur.get(mkey) == item.get(mkey)), None)
        if item.get("$patch") == "delete":
            if pos is not None:
                del out[pos]
        elif pos is None:
            out.append(strategic_merge({}, item))
        else:
            out[pos] = strategic_merge(out[pos], item)
    return out
