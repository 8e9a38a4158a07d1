"""The scale subresource: where a kind keeps its desired and current replicas and its pod selector.

One table for every reader of `/scale` (the autoscaler, `kapply scale`, an API server's Scale
view), so a kind gains a scale subresource in one place: a custom resource's `scale`
subresource will add its `specReplicasPath`, `statusReplicasPath` and `labelSelectorPath` here.
`scale_of` answers what an autoscaling/v1 `Scale` says (spec.replicas, status.replicas,
status.selector), `with_replicas` the object after a write of spec.replicas through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kapply.model.selectors import Selector, from_label_selector, from_match_labels

Obj = dict[str, Any]


@dataclass(frozen=True)
class ScalePaths:
    """Where a kind's scale lives (dotted paths into the object) and how its selector reads."""

    spec_replicas: str = "spec.replicas"
    status_replicas: str = "status.replicas"
    selector: Callable[[Obj], Selector | None] = lambda obj: None


def _label_selector(obj: Obj) -> Selector | None:
    sel = (obj.get("spec") or {}).get("selector")
    return from_label_selector(sel) if isinstance(sel, dict) else None


def _map_selector(obj: Obj) -> Selector | None:
    sel = (obj.get("spec") or {}).get("selector")
    return from_match_labels(sel) if isinstance(sel, dict) and sel else None


SCALABLE: dict[tuple[str, str], ScalePaths] = {
    ("apps", "Deployment"): ScalePaths(selector=_label_selector),
    ("apps", "ReplicaSet"): ScalePaths(selector=_label_selector),
    ("apps", "StatefulSet"): ScalePaths(selector=_label_selector),
    ("", "ReplicationController"): ScalePaths(selector=_map_selector),
}


@dataclass(frozen=True)
class Scale:
    """An autoscaling/v1 Scale: desired replicas, observed replicas, the pods' selector."""

    spec_replicas: int
    status_replicas: int
    selector: Selector | None

    @property
    def selector_text(self) -> str:
        """status.selector: the selector as a string (empty when the target has none)."""
        return str(self.selector) if self.selector is not None else ""


def scale_paths(group: str, kind: str) -> ScalePaths | None:
    """The kind's scale subresource, or None when it has none."""
    return SCALABLE.get((group, kind))


def custom_scale_paths(spec_replicas: str, status_replicas: str, label_selector: str = "") -> ScalePaths:
    """A CRD's scale subresource (`.spec.replicas`, `.status.replicas`, `.status.labelSelector`: the
    selector is kept as a string there, as the HPA reads it)."""
    from kapply.model.selectors import parse

    def selector(obj: Obj) -> Selector | None:
        text = _get(obj, label_selector.strip(".")) if label_selector else None
        return parse(text) if isinstance(text, str) and text else None

    return ScalePaths(spec_replicas.strip("."), status_replicas.strip("."), selector)


def _get(obj: Obj, path: str) -> Any:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def scale_of(obj: Obj, paths: ScalePaths) -> Scale:
    """What the object's scale subresource reads (spec.replicas defaults to 1, as the API does)."""
    return Scale(_int(_get(obj, paths.spec_replicas), 1), _int(_get(obj, paths.status_replicas), 0),
                 paths.selector(obj))


def with_replicas(obj: Obj, paths: ScalePaths, replicas: int) -> Obj:
    """A copy of `obj` (the levels down to the field) with the spec replicas set."""
    parts = paths.spec_replicas.split(".")
    out = dict(obj)
    cur = out
    for part in parts[:-1]:
        nested = dict(cur.get(part) or {})
        cur[part] = nested
        cur = nested
    cur[parts[-1]] = replicas
    return out
