"""Apply order: dependencies first (Namespace, ServiceAccount, Secret, ConfigMap, Service, workloads,
bare Pods last), by the rank in `kapply.model.kinds.REGISTRY`; pruning walks it in reverse so a
Deployment goes before its Service and a Namespace last.

Within one rank the folder's order is kept (stable sort), so the plan reads like the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from kapply.model.keys import ResourceKey
from kapply.model.kinds import REGISTRY

T = TypeVar("T")


def rank(key: ResourceKey) -> int:
    """Apply rank of a key's kind (unknown kinds: 50, after configuration, before workloads)."""
    return REGISTRY.rank(key.group, key.kind)


def apply_order(items: Iterable[T], key: Callable[[T], ResourceKey]) -> list[T]:
    """Items in apply order: by kind rank, otherwise as given."""
    return sorted(items, key=lambda x: rank(key(x)))


def prune_order(items: Iterable[T], key: Callable[[T], ResourceKey]) -> list[T]:
    """Items in delete order: highest rank first; within a rank, reverse key order."""
    return sorted(items, key=lambda x: (rank(key(x)), key(x)), reverse=True)
