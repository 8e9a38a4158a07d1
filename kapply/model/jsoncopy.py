"""Deep copies of Kubernetes objects: JSON-shaped trees of dicts, lists and scalars.

`copy.deepcopy` is general (memo table, `__deepcopy__` lookups, aliasing kept) and pays for it:
about 100 us for one Deployment. Objects here are what JSON gives (plain dicts, lists, str,
int, float, bool, None), so walking just those types copies one five times faster. Anything
else found in the tree (a tuple, a custom class) falls back to `copy.deepcopy`. Unlike
`copy.deepcopy`, a sub-tree referenced twice becomes two independent copies.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

T = TypeVar("T")

_ATOMIC = frozenset({str, int, float, bool, type(None)})


def deep_copy(value: T) -> T:
    """An independent copy of a JSON-shaped value (dicts and lists copied, scalars shared)."""
    return _copy(value)


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _ATOMIC else _copy(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _ATOMIC else _copy(v) for v in value]
    if kind in _ATOMIC:
        return value
    return copy.deepcopy(value)


def without_nulls(value: Any) -> Any:
    """A copy without explicit nulls: what the API server stores for them (the field absent)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
