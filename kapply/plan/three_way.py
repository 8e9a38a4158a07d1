"""The three-way merge of `kubectl apply`: last-applied, the file, and the live object.

kapply records what it last applied on every object (annotation `kapply.io/last-applied`). The
object to write is the live object with:

- every field the file sets, set (maps recursively; lists of named things by their merge key, as
  strategic merge patch does, see `merge_keys.py`; every other list replaced whole);
- every field last-applied had and the file no longer has, removed (also inside keyed lists: a
  container dropped from the file is dropped from the cluster);
- an explicit `null` in the file, removed;
- in a union-type map (`retainKeys`: Deployment strategy, a volume's source) the file changed, the
  members it no longer names, removed;
- everything else kept: what the server defaulted or allocated (clusterIP, nodePort), what
  controllers wrote (status, annotations), what `kapply scale` set when the file has no replicas.

Two refinements keep a re-apply silent where Kubernetes would re-default anyway: an atomic list
the file did not change since last time is kept as live when live still holds everything the file
says (a NetworkPolicy port with a server-defaulted `protocol`), and a quantity equal in value to the
live one (`0.5` vs `500m`) keeps the live spelling. Service fields tied to the type (nodePorts,
clusterIP, healthCheckNodePort) are dropped when the type no longer uses them, as the API server's
`dropTypeDependentFields` does.

Pure: no input is mutated; the result may share untouched subtrees with `live`.
"""

from __future__ import annotations

from typing import Any

from kapply.model.jsoncopy import without_nulls as strip_nulls
from kapply.model.quantity import QuantityError, parse_quantity
from kapply.plan.merge_keys import SET, child, item, merge_key, retains_keys

LAST_APPLIED = "kapply.io/last-applied"

# Marks "there is no last-applied at all" (first apply, adoption): nothing is removed and an atomic
# list that live already satisfies is kept.
_UNKNOWN: Any = type("_Unknown", (), {"__repr__": lambda self: "<unknown>"})()
# Marks "last-applied exists and did not have this field".
_ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "<absent>"})()

_QUANTITY_MAPS = (".requests", ".limits", "spec.hard", ".capacity", ".allocatable", ".default",
                  ".defaultRequest", ".max", ".min", "overhead")


def merge(last_applied: dict | None, desired: dict, live: dict) -> dict:
    """The object `kubectl apply` would leave: `live` patched by the change from last-applied to desired."""
    kind = str(desired.get("kind") or live.get("kind") or "")
    last = _UNKNOWN if last_applied is None else last_applied
    merged = _merge_map(last, desired, live, kind, "")
    if kind == "Service":
        merged = _drop_type_dependent(merged, desired, live)
    return merged


def merge_keeps_live(last_applied: dict | None, desired: dict, live: dict, *, parsed: bool = False) -> bool:
    """True only if `merge(last_applied, desired, live) == live`: a cheap test for the common re-apply.

    When the file did not change since it was last applied (`last_applied` equals `desired`, as JSON),
    the merge removes nothing, and it leaves `live` as it is exactly when `live` already holds what
    the file says in the shape the merge would keep (`_kept`). False means "merge and see".
    `parsed=True` promises `last_applied` was parsed from `json.dumps(desired)`: JSON keeps booleans
    apart from numbers, so plain equality is then JSON equality.
    """
    if last_applied is None or last_applied != desired:
        return False
    if not parsed and not _no_bool_int_mix(last_applied, desired):
        return False
    kind = str(desired.get("kind") or live.get("kind") or "")
    if not _kept(desired, live, kind, "", False):
        return False
    return kind != "Service" or _drop_type_dependent(live, desired, live) == live


def _kept(d: Any, lv: Any, kind: str, pat: str, quantities: bool) -> bool:
    """Whether merging `d` (equal to its last-applied self) into `lv` gives back `lv` unchanged."""
    if isinstance(d, dict):
        if not isinstance(lv, dict):
            return False
        q = pat.endswith(_QUANTITY_MAPS)
        for k, v in d.items():
            if v is None:
                if lv.get(k) is not None:
                    return False
                continue
            sub = lv.get(k)
            if sub is None or not _kept(v, sub, kind, child(pat, k), q):
                return False
        return True
    if isinstance(d, list):
        if not isinstance(lv, list) or len(lv) != len(d):
            return False
        key = merge_key(kind, pat)
        if key == SET:
            return _json_equal(d, lv) and not any(isinstance(x, dict | list) for x in d)
        if key is not None and _keyed(d, key):
            ipat = item(pat)
            return all(_kept(x, y, kind, ipat, False) for x, y in zip(d, lv, strict=True))
        return satisfies(d, lv, kind, pat)
    return scalar_equal(d, lv, quantities)


def _merge_map(last: Any, desired: dict, live: dict, kind: str, pat: str) -> dict:
    out = dict(live)
    if last is not _UNKNOWN and isinstance(last, dict):
        for k in last:
            if k not in desired and out.get(k) is not None:
                del out[k]
    quantities = pat.endswith(_QUANTITY_MAPS)
    for k, d in desired.items():
        if d is None:
            # absent and null are the same to the API server (`creationTimestamp: null`): no change
            if out.get(k) is not None:
                del out[k]
            continue
        if last is _UNKNOWN:
            sub_last = _UNKNOWN
        elif isinstance(last, dict):
            sub_last = last.get(k, _ABSENT)
        else:
            sub_last = _ABSENT
        lv = live.get(k)
        if lv is None:
            out[k] = strip_nulls(d)
        else:
            out[k] = _merge_value(sub_last, d, lv, kind, child(pat, k), quantities)
    return out


def _merge_value(last: Any, d: Any, lv: Any, kind: str, pat: str, quantities: bool = False) -> Any:
    if isinstance(d, dict):
        if isinstance(lv, dict):
            if retains_keys(kind, pat) and not satisfies(d, lv, kind, pat):
                lv = {k: v for k, v in lv.items() if k in d}
            return _merge_map(last, d, lv, kind, pat)
        return strip_nulls(d)
    if isinstance(d, list):
        if isinstance(lv, list):
            key = merge_key(kind, pat)
            if key == SET:
                return _merge_set(last, d, lv)
            if key is not None and _keyed(d, key):
                return _merge_keyed(last, d, lv, kind, pat, key)
            return _merge_atomic(last, d, lv, kind, pat)
        return strip_nulls(d)
    return lv if scalar_equal(d, lv, quantities) else d


def scalar_equal(a: Any, b: Any, quantities: bool = False) -> bool:
    """Equal as Kubernetes compares them: `True` is not `1`, `1` is `1.0`, `0.5` cpu is `500m`."""
    if a == b and (type(a) is type(b) or not (isinstance(a, bool) or isinstance(b, bool))):
        return True
    if quantities and not isinstance(a, bool | dict | list) and not isinstance(b, bool | dict | list):
        try:
            return parse_quantity(a) == parse_quantity(b)
        except QuantityError:
            return False
    return False


def _keyed(items: list, key: str) -> bool:
    seen: set = set()
    for x in items:
        if not isinstance(x, dict) or x.get(key) is None:
            return False
        k = x[key]
        if isinstance(k, dict | list) or k in seen:
            return False  # duplicate keys (port 53 TCP and UDP): replace the list whole
        seen.add(k)
    return True


def _by_key(items: Any, key: str) -> dict:
    out: dict = {}
    if isinstance(items, list):
        for x in items:
            if isinstance(x, dict) and key in x and not isinstance(x[key], dict | list):
                out.setdefault(x[key], x)
    return out


def _merge_keyed(last: Any, d: list, lv: list, kind: str, pat: str, key: str) -> list:
    ipat = item(pat)
    live_by = _by_key(lv, key)
    known = last is not _UNKNOWN
    last_by = _by_key(last, key) if known else {}
    wanted = {x[key] for x in d}
    out = []
    for x in d:
        k = x[key]
        sub_last = (last_by.get(k, _ABSENT) if known else _UNKNOWN)
        lx = live_by.get(k)
        out.append(strip_nulls(x) if lx is None else _merge_value(sub_last, x, lx, kind, ipat))
    for x in lv:
        k = x.get(key) if isinstance(x, dict) else None
        if isinstance(k, dict | list):
            k = None
        if k is not None and (k in wanted or k in last_by):
            continue  # merged above, or removed from the file since last time
        out.append(x)
    return out


def _merge_set(last: Any, d: list, lv: list) -> list:
    removed = set()
    if isinstance(last, list):
        removed = {x for x in last if not isinstance(x, dict | list)} - {
            x for x in d if not isinstance(x, dict | list)}
    out = [strip_nulls(x) for x in d]
    for x in lv:
        if x not in out and (isinstance(x, dict | list) or x not in removed):
            out.append(x)
    return out


def _merge_atomic(last: Any, d: list, lv: list, kind: str, pat: str) -> list:
    if (last is _UNKNOWN or _json_equal(last, d)) and satisfies(d, lv, kind, pat):
        return lv
    return strip_nulls(d)


def _json_equal(a: Any, b: Any) -> bool:
    return a == b and _no_bool_int_mix(a, b)


def _no_bool_int_mix(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return all(_no_bool_int_mix(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return all(_no_bool_int_mix(x, y) for x, y in zip(a, b, strict=True))
    return isinstance(a, bool) == isinstance(b, bool)


def satisfies(desired: Any, live: Any, kind: str = "", pat: str = "", quantities: bool = False) -> bool:
    """Whether `live` holds everything `desired` says (it may hold more: defaults, allocations)."""
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return False
        q = pat.endswith(_QUANTITY_MAPS)
        for k, v in desired.items():
            if v is None:
                if live.get(k) is not None:
                    return False
            elif k not in live or not satisfies(v, live[k], kind, child(pat, k), q):
                return False
        return True
    if isinstance(desired, list):
        if not isinstance(live, list) or len(live) != len(desired):
            return False
        ipat = item(pat)
        return all(satisfies(x, y, kind, ipat) for x, y in zip(desired, live, strict=True))
    return scalar_equal(desired, live, quantities)


def _drop_type_dependent(merged: dict, desired: dict, live: dict) -> dict:
    """The API server's Service update rules: allocated values kept, type-dependent ones dropped.

    `patchAllocatedValues`: an empty clusterIP or nodePort in the file keeps the allocated one.
    `dropTypeDependentFields`: fields the new type does not use go, unless the file sets them.
    """
    spec, dspec, lspec = merged.get("spec"), desired.get("spec") or {}, live.get("spec") or {}
    if not isinstance(spec, dict) or not isinstance(dspec, dict) or not isinstance(lspec, dict):
        return merged
    new_type = spec.get("type") or "ClusterIP"
    old_type = lspec.get("type") or "ClusterIP"
    spec = dict(spec)
    if new_type != "ExternalName" and old_type != "ExternalName":
        if not spec.get("clusterIP") and lspec.get("clusterIP"):
            spec["clusterIP"] = lspec["clusterIP"]
        if not spec.get("clusterIPs") and lspec.get("clusterIPs"):
            spec["clusterIPs"] = lspec["clusterIPs"]
    if isinstance(spec.get("ports"), list) and new_type in ("NodePort", "LoadBalancer"):
        allocated = {k: p["nodePort"] for k, p in _by_key(lspec.get("ports"), "port").items()
                     if p.get("nodePort")}
        spec["ports"] = [
            {**p, "nodePort": allocated[p.get("port")]}
            if isinstance(p, dict) and not p.get("nodePort") and p.get("port") in allocated else p
            for p in spec["ports"]
        ]
    if new_type == old_type:
        return {**merged, "spec": spec}
    if new_type in ("ClusterIP", "ExternalName") and isinstance(spec.get("ports"), list):
        dports = _by_key(dspec.get("ports"), "port")
        ports = []
        for p in spec["ports"]:
            if isinstance(p, dict) and "nodePort" in p and "nodePort" not in dports.get(p.get("port"), {}):
                p = {k: v for k, v in p.items() if k != "nodePort"}
            ports.append(p)
        spec["ports"] = ports
    if new_type != "LoadBalancer" and "healthCheckNodePort" not in dspec:
        spec.pop("healthCheckNodePort", None)
    if new_type != "LoadBalancer":
        for f in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if f not in dspec:
                spec.pop(f, None)
    if new_type in ("ClusterIP", "ExternalName") and "externalTrafficPolicy" not in dspec:
        spec.pop("externalTrafficPolicy", None)
    if new_type == "ExternalName":
        for f in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"):
            if f not in dspec:
                spec.pop(f, None)
    return {**merged, "spec": spec}
