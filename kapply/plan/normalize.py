"""Strip what never shows as a change, so a diff shows only what the file decides.

The API server and controllers add a great deal to every object: `status`, uid, resourceVersion,
generation, timestamps, managed fields, allocated clusterIPs and nodePorts, the revision annotation
of a Deployment, and defaults for every field the file left out. kapply's own bookkeeping (the
ownership labels, the last-applied annotation) is no user change either. `normalize` removes all of
that; given the `desired` object (or `mentioned(desired, last_applied)`), it also projects the object
onto the fields the file mentions, which drops every default at once. `change.py` diffs two
normalised objects; `render.py` prints them.

Pure; returns new containers and never mutates its input.
"""

from __future__ import annotations

from typing import Any

from kapply.plan.inventory import INVENTORY_LABEL, MANAGED_BY
from kapply.plan.merge_keys import SET, child, item, merge_key
from kapply.plan.three_way import LAST_APPLIED

SERVER_METADATA = frozenset({
    "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
    "deletionTimestamp", "deletionGracePeriodSeconds",
})
SERVER_ANNOTATIONS = frozenset({
    LAST_APPLIED,
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
})


def normalize(obj: dict, *, desired: dict | None = None) -> dict:
    """`obj` without server-set fields and kapply bookkeeping; projected onto `desired` when given."""
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = _metadata(meta)
    if obj.get("kind") == "Service" and isinstance(out.get("spec"), dict):
        dspec = (desired or {}).get("spec")
        out["spec"] = _service_spec(out["spec"], dspec if isinstance(dspec, dict) else {})
    if desired is not None:
        out = project(out, desired, str(obj.get("kind") or desired.get("kind") or ""))
    return out


def _metadata(meta: dict) -> dict:
    out = {k: v for k, v in meta.items() if k not in SERVER_METADATA}
    annotations = out.get("annotations")
    if isinstance(annotations, dict):
        kept = {k: v for k, v in annotations.items() if k not in SERVER_ANNOTATIONS}
        if kept:
            out["annotations"] = kept
        else:
            del out["annotations"]
    labels = out.get("labels")
    if isinstance(labels, dict):
        kept = {k: v for k, v in labels.items()
                if k != INVENTORY_LABEL and not (k == MANAGED_BY[0] and v == MANAGED_BY[1])}
        if kept:
            out["labels"] = kept
        else:
            del out["labels"]
    return out


def _service_spec(spec: dict, dspec: dict) -> dict:
    out = {k: v for k, v in spec.items()
           if k not in ("clusterIP", "clusterIPs", "healthCheckNodePort") or k in dspec}
    ports = out.get("ports")
    if isinstance(ports, list):
        dports = {p.get("port"): p for p in dspec.get("ports") or () if isinstance(p, dict)}
        out["ports"] = [
            {k: v for k, v in p.items() if k != "nodePort" or "nodePort" in dports.get(p.get("port"), {})}
            if isinstance(p, dict) else p
            for p in ports
        ]
    return out


def mentioned(desired: dict, last_applied: dict | None) -> dict:
    """The union of two manifests' fields: what the file says now or said last time."""
    if last_applied is None:
        return desired
    return _union(last_applied, desired, str(desired.get("kind") or ""), "")


def _union(a: Any, b: Any, kind: str, pat: str) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _union(a[k], v, kind, child(pat, k)) if k in a else v
        return out
    if isinstance(a, list) and isinstance(b, list):
        key = merge_key(kind, pat)
        if key is not None and key != SET and _hashable_keys(a, key) and _hashable_keys(b, key):
            by_key = {x.get(key): x for x in a if isinstance(x, dict)}
            seen = set()
            merged: list[Any] = []
            for x in b:
                k = x.get(key) if isinstance(x, dict) else None
                seen.add(k)
                merged.append(_union(by_key[k], x, kind, item(pat)) if k in by_key else x)
            merged.extend(x for x in a if isinstance(x, dict) and x.get(key) not in seen)
            return merged
        if len(a) > len(b):
            return [_union(x, y, kind, item(pat)) for x, y in zip(a, b, strict=False)] + a[len(b):]
        return [_union(x, y, kind, item(pat)) for x, y in zip(a, b, strict=False)] + b[len(a):]
    return b if b is not None else a


def project(obj: Any, mask: Any, kind: str, pat: str = "") -> Any:
    """Keep only the parts of `obj` that `mask` mentions (keyed list items matched by merge key)."""
    if isinstance(obj, dict) and isinstance(mask, dict):
        return {k: project(v, mask[k], kind, child(pat, k)) for k, v in obj.items() if k in mask}
    if isinstance(obj, list) and isinstance(mask, list):
        key = merge_key(kind, pat)
        ipat = item(pat)
        if key is not None and key != SET and _hashable_keys(obj, key) and _hashable_keys(mask, key):
            by_key = {m.get(key): m for m in mask if isinstance(m, dict)}
            return [project(x, by_key[x.get(key)], kind, ipat) for x in obj
                    if isinstance(x, dict) and x.get(key) in by_key]
        if len(obj) == len(mask):
            return [project(x, m, kind, ipat) for x, m in zip(obj, mask, strict=True)]
        return obj
    return obj


def _hashable_keys(items: list, key: str) -> bool:
    return all(not isinstance(x.get(key), dict | list) for x in items if isinstance(x, dict))
