"""The merge facts of the shipped schemas, and the planner and the API server agreeing on every list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kapply.cluster.sim.patch import strategic_merge
from kapply.model.kinds import REGISTRY
from kapply.plan.merge_keys import SET, merge_key, retains_keys
from kapply.plan.three_way import merge
from kapply.validate.structure import (
    DEDUCED,
    SCALAR,
    UNTYPED_ATOMIC,
    ListNode,
    MapNode,
    Node,
    default_types,
    node_at,
    pattern_tokens,
    root_type,
)


def _list_at(api_version: str, kind: str, pattern: str) -> ListNode:
    found = node_at(root_type(api_version, kind), pattern)
    assert found is not None and isinstance(found[0], ListNode), pattern
    return found[0]


@pytest.mark.parametrize(("api_version", "kind", "pattern", "list_type", "keys", "patch_key"), [
    ("v1", "Pod", "spec.containers", "map", ("name",), "name"),
    ("v1", "Pod", "spec.containers[].ports", "map", ("containerPort", "protocol"), "containerPort"),
    ("v1", "Pod", "spec.containers[].env", "map", ("name",), "name"),
    ("v1", "Pod", "spec.containers[].args", "atomic", (), None),
    ("v1", "Pod", "spec.tolerations", "atomic", (), None),
    ("v1", "Pod", "spec.readinessGates", "atomic", (), None),  # was keyed by conditionType / name
    ("v1", "Pod", "spec.volumes", "map", ("name",), "name"),
    ("v1", "Pod", "spec.topologySpreadConstraints", "map", ("topologyKey", "whenUnsatisfiable"),
     "topologyKey"),
    ("v1", "Pod", "status.conditions", "map", ("type",), "type"),
    ("v1", "Node", "status.addresses", "map", ("type",), "type"),  # was keyed by ip
    ("v1", "Service", "spec.ports", "map", ("port", "protocol"), "port"),
    ("v1", "Service", "metadata.finalizers", "set", (), SET),
    ("v1", "Service", "metadata.ownerReferences", "map", ("uid",), "uid"),
    ("apps/v1", "Deployment", "spec.template.spec.containers[].volumeMounts", "map", ("mountPath",),
     "mountPath"),
    ("batch/v1", "CronJob", "spec.jobTemplate.spec.template.spec.initContainers", "map", ("name",), "name"),
])
def test_list_facts_come_from_the_schema(api_version: str, kind: str, pattern: str, list_type: str,
                                         keys: tuple[str, ...], patch_key: str | None) -> None:
    node = _list_at(api_version, kind, pattern)
    assert (node.list_type, node.keys, node.patch_key) == (list_type, keys, patch_key)


def test_map_facts_and_shapes() -> None:
    pod = root_type("v1", "Pod")
    assert isinstance(pod, MapNode) and not pod.atomic
    selector = node_at(pod, "spec.nodeSelector")
    assert selector is not None and isinstance(selector[0], MapNode) and selector[0].atomic
    labels = node_at(pod, "metadata.labels")
    assert labels is not None and isinstance(labels[0], MapNode) and not labels[0].atomic
    assert node_at(pod, "metadata.labels.app")[0] is SCALAR  # type: ignore[index]
    assert node_at(pod, "spec.containers[].resources.limits.cpu")[0] is SCALAR  # type: ignore[index]
    assert node_at(pod, "spec.containers[].name.x") is None
    revision = root_type("apps/v1", "ControllerRevision")
    assert node_at(revision, "data")[0] is UNTYPED_ATOMIC  # type: ignore[index]  # RawExtension
    assert root_type("example.com/v1", "Widget") is DEDUCED
    assert retains_keys("Deployment", "spec.strategy")
    assert retains_keys("Pod", "spec.volumes[]")
    assert not retains_keys("Pod", "spec.containers[]")


def test_pattern_tokens() -> None:
    assert pattern_tokens("spec.containers[].ports") == ["spec", "containers", "[]", "ports"]
    assert pattern_tokens("") == []
    assert pattern_tokens("a[][]") == ["a", "[]", "[]"]


def _lists(node: Node, prefix: str, depth: int, seen: tuple[int, ...]) -> Iterator[str]:
    """Every list pattern under `node` (struct fields only; recursive types cut off)."""
    if depth > 12 or id(node) in seen:
        return
    if isinstance(node, MapNode):
        for name in node.field_names():
            sub, _ = node.field(name)
            path = f"{prefix}.{name}" if prefix else name
            yield from _lists(sub, path, depth + 1, (*seen, id(node)))
    elif isinstance(node, ListNode):
        yield prefix
        yield from _lists(node.element, prefix + "[]", depth + 1, (*seen, id(node)))


def _build(pattern: str, leaf: Any, kind: str) -> Any:
    """An object holding `leaf` at `pattern`; list items on the way carry their merge keys."""
    tokens = pattern_tokens(pattern)

    def at(i: int, sofar: str) -> Any:
        if i == len(tokens):
            return leaf
        token = tokens[i]
        if token == "[]":
            key = merge_key(kind, sofar)
            inner = at(i + 1, sofar + "[]")
            if key not in (None, SET) and isinstance(inner, dict):
                inner = {key: "k", **inner}
            return [inner]
        path = f"{sofar}.{token}" if sofar else token
        return {token: at(i + 1, path)}

    return at(0, "")


def _unordered(value: Any) -> Any:
    """Lists as sorted tuples: which items survive matters here, not where they go."""
    if isinstance(value, dict):
        return {k: _unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(sorted((_unordered(v) for v in value), key=repr))
    return value


def _cases() -> Iterator[tuple[str, str]]:
    for info in REGISTRY:
        root = root_type(info.api_version, info.kind)
        for pattern in _lists(root, "", 0, ()):
            yield info.kind, pattern


def test_planner_and_api_server_agree_on_every_list() -> None:
    """Issue 11: for every list of every kind, kapply's three-way merge and the embedded API
    server's strategic merge patch both merge by the same key, or both replace."""
    disagreements = []
    checked = 0
    for kind, pattern in _cases():
        key = merge_key(kind, pattern)
        node = node_at(root_type(REGISTRY.by_kind(kind).api_version, kind), pattern)
        assert node is not None
        element = node[0].element if isinstance(node[0], ListNode) else None
        primitive = not isinstance(element, MapNode)
        if key is None or key == SET or primitive:
            live_item: Any = "live"
            new_item: Any = "new"
        else:
            live_item = {key: "a", "zz": 1}
            new_item = {key: "b"}
        ident = {"apiVersion": REGISTRY.by_kind(kind).api_version, "kind": kind}
        live = {**_build(pattern, [live_item], kind), **ident}
        desired = {**_build(pattern, [new_item], kind), **ident}
        planned = merge({}, desired, live)
        served = strategic_merge(live, desired, root_type(REGISTRY.by_kind(kind).api_version, kind))
        if _unordered(planned) != _unordered(served):
            disagreements.append((kind, pattern, key))
        checked += 1
    assert checked > 500
    assert disagreements == []


def test_every_kind_of_the_registry_has_a_schema() -> None:
    missing = [info.kind for info in REGISTRY
               if default_types().schemas.lookup(info.api_version, info.kind) is None]
    assert missing == []
