"""Apply order: dependencies first; prune in reverse."""

from __future__ import annotations

from kapply.model.keys import ResourceKey
from kapply.plan.order import apply_order, prune_order

KEYS = [
    ResourceKey("", "Pod", "app", "p"),
    ResourceKey("apps", "Deployment", "app", "d"),
    ResourceKey("", "Service", "app", "s"),
    ResourceKey("", "ConfigMap", "app", "c"),
    ResourceKey("", "Namespace", "", "app"),
    ResourceKey("", "ReplicationController", "app", "rc"),
    ResourceKey("", "Secret", "app", "sec"),
    ResourceKey("", "ServiceAccount", "app", "sa"),
    ResourceKey("apps", "ReplicaSet", "app", "rs"),
]
APPLY_KINDS = ["Namespace", "ServiceAccount", "Secret", "ConfigMap", "Service", "ReplicationController",
               "ReplicaSet", "Deployment", "Pod"]


def test_apply_order_dependencies_first() -> None:
    assert [k.kind for k in apply_order(KEYS, key=lambda k: k)] == APPLY_KINDS


def test_prune_order_is_reverse() -> None:
    assert [k.kind for k in prune_order(KEYS, key=lambda k: k)] == APPLY_KINDS[::-1]


def test_apply_order_keeps_file_order_within_a_kind() -> None:
    keys = [ResourceKey("", "ConfigMap", "default", n) for n in ("z", "a", "m")]
    assert apply_order(keys, key=lambda k: k) == keys
