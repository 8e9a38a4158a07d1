"""Which lists merge by key, and on which key: strategic-merge facts for the three-way merge.

Kubernetes declares the merge behaviour of each list in its Go types (`patchStrategy:"merge"
patchMergeKey:"name"`), published in the OpenAPI as `x-kubernetes-patch-strategy` and
`x-kubernetes-patch-merge-key`; `kubectl apply` reads them to merge a list of containers by name
instead of replacing it. kapply reads the same facts from its shipped schemas
(`kapply.validate.structure`, the one table the embedded API server's patches use too), so the
three-way merge (`three_way.py`), the projection (`normalize.py`) and the diff (`change.py`) agree
with the server.

A path pattern is a dotted field path where `[]` stands for "any item of a list":
`spec.template.spec.containers[].env`. The facts of a kind are those of its preferred version (the
kind registry's). Every list without a merge strategy is atomic: the file's list replaces the live
one (tolerations, conditions, args, command, readinessGates, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from kapply.model.kinds import REGISTRY
from kapply.validate.structure import SET, ListNode, MapNode, default_types, node_at

__all__ = ["SET", "child", "item", "merge_key", "pattern", "retains_keys"]


@lru_cache(maxsize=4096)
def _api_version(kind: str) -> str:
    info = REGISTRY.by_kind(kind)
    if info is not None:
        return info.api_version
    served = default_types().schemas.served_versions(kind)
    return served[0] if served else ""


@lru_cache(maxsize=65536)
def merge_key(kind: str, path_pattern: str) -> str | None:
    """The merge key of the list at `path_pattern` in a `kind` object, SET, or None (atomic)."""
    found = node_at(default_types().root(_api_version(kind), kind), path_pattern)
    if found is None or not isinstance(found[0], ListNode):
        return None
    return found[0].patch_key


@lru_cache(maxsize=65536)
def retains_keys(kind: str, path_pattern: str) -> bool:
    """Whether the map at `path_pattern` is a union type (patchStrategy retainKeys)."""
    found = node_at(default_types().root(_api_version(kind), kind), path_pattern)
    return found is not None and isinstance(found[0], MapNode) and "retainKeys" in found[1]


def pattern(path: Iterable[str | int]) -> str:
    """`("spec", "ports", 0, "name")` -> `spec.ports[].name`: the pattern form of a concrete path."""
    out: list[str] = []
    for seg in path:
        if isinstance(seg, int):
            out.append("[]")
        elif out:
            out.append("." + seg)
        else:
            out.append(seg)
    return "".join(out)


def child(path_pattern: str, field: str) -> str:
    """Extend a pattern by a map field."""
    return f"{path_pattern}.{field}" if path_pattern else field


def item(path_pattern: str) -> str:
    """Extend a pattern into the items of a list."""
    return path_pattern + "[]"
