"""Objects walked with their schema: field sets (typed.py), comparisons (compare.py), merges and
removals (merge.py).

The merge tables are sigs.k8s.io/structured-merge-diff typed/merge_test.go ("struct grab bag"
setStr triplets, as `metadata.finalizers`, a set of strings; "associative list" triplets keyed by
key and id, as a Service's `ports` keyed by protocol and port, `nv` as nodePort).
"""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.fieldmanager import typed
from kapply.cluster.fieldmanager.compare import compare
from kapply.cluster.fieldmanager.fieldpath import FieldSet, field, key, to_fields_v1, value
from kapply.cluster.fieldmanager.merge import merge, remove_items
from kapply.cluster.fieldmanager.typed import MISSING
from kapply.validate.structure import root_type

POD = root_type("v1", "Pod")
SERVICE = root_type("v1", "Service")

SET_TRIPLETS = [
    (['a', 'b', 'c'],
     ['a', 'b'],
     ['a', 'b', 'c']),
    (['a', 'b'],
     ['a', 'b', 'c'],
     ['a', 'b', 'c']),
    (['a', 'b', 'c'],
     [],
     ['a', 'b', 'c']),
    ([],
     ['a', 'b', 'c'],
     ['a', 'b', 'c']),
    (['a', 'b'],
     ['b', 'a'],
     ['b', 'a']),
    (['a', 'b', 'c'],
     ['d', 'e', 'f'],
     ['a', 'b', 'c', 'd', 'e', 'f']),
    (['a', 'b', 'c'],
     ['c', 'd', 'e', 'f'],
     ['a', 'b', 'c', 'd', 'e', 'f']),
    (['a', 'b', 'c', 'g', 'f'],
     ['c', 'd', 'e', 'f'],
     ['a', 'b', 'c', 'g', 'd', 'e', 'f']),
    (['a', 'b', 'c'],
     ['d', 'e', 'f', 'x', 'y', 'z'],
     ['a', 'b', 'c', 'd', 'e', 'f', 'x', 'y', 'z']),
    (['c', 'd', 'e', 'f'],
     ['a', 'c', 'e'],
     ['a', 'c', 'd', 'e', 'f']),
    (['a', 'b', 'c', 'x', 'y', 'z'],
     ['d', 'e', 'f'],
     ['a', 'b', 'c', 'x', 'y', 'z', 'd', 'e', 'f']),
    (['a', 'b', 'c', 'x', 'y', 'z'],
     ['d', 'e', 'f', 'x', 'y', 'z'],
     ['a', 'b', 'c', 'd', 'e', 'f', 'x', 'y', 'z']),
    (['c', 'a', 'g', 'f'],
     ['c', 'f', 'a', 'g'],
     ['c', 'f', 'a', 'g']),
    (['a', 'b', 'c', 'd'],
     ['d', 'e', 'f', 'a'],
     ['b', 'c', 'd', 'e', 'f', 'a']),
    (['c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
     ['2', 'h', '3', 'e', '4', 'k', 'l'],
     ['c', 'd', 'f', 'g', '2', 'h', 'i', 'j', '3', 'e', '4', 'k', 'l']),
    (['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
     ['1', 'b', '2', 'h', '3', 'e', '4', 'k', 'l'],
     ['a', '1', 'b', 'c', 'd', 'f', 'g', '2', 'h', 'i', 'j', '3', 'e', '4', 'k', 'l']),
    (['a', 'b', 'b'],
     ['c'],
     ['a', 'b', 'b', 'c']),
    (['a', 'b', 'b'],
     ['b'],
     ['a', 'b']),
    (['a', 'b', 'b'],
     ['a'],
     ['a', 'b', 'b']),
    (['a', 'b', 'c', 'd', 'e', 'c'],
     ['1', 'b', '2', 'e', 'd'],
     ['a', '1', 'b', 'c', '2', 'e', 'c', 'd']),
    (['a', 'b', 'c', 'd', 'e', 'c'],
     ['1', 'b', '2', 'c', 'e', 'd'],
     ['a', '1', 'b', '2', 'c', 'e', 'd']),
    (['a', 'a', 'b', 'b'],
     ['b', 'c', 'd'],
     ['a', 'a', 'b', 'c', 'd']),
    (['a', 'a', 'b', 'b'],
     [],
     ['a', 'a', 'b', 'b']),
    (['c', 'a', 'g', 'f', 'c', 'a'],
     ['c', 'f', 'a', 'g'],
     ['c', 'f', 'a', 'g']),
]


@pytest.mark.parametrize(("lhs", "rhs", "out"), SET_TRIPLETS)
def test_merge_sets_keeps_live_order_and_takes_the_configurations(lhs: list, rhs: list,
                                                                  out: list) -> None:
    merged = merge({"metadata": {"finalizers": lhs}}, {"metadata": {"finalizers": rhs}}, POD)
    assert merged == {"metadata": {"finalizers": out}}


LIST_TRIPLETS = [
    ([{'port': 1, 'protocol': 'a'}, {'port': 1, 'protocol': 'b'}],
     [{'port': 1, 'protocol': 'a'}, {'port': 2, 'protocol': 'a'}],
     [{'port': 1, 'protocol': 'a'}, {'port': 1, 'protocol': 'b'}, {'port': 2, 'protocol': 'a'}]),
    ([{'port': 2, 'protocol': 'b'}],
     [{'port': 1, 'protocol': 'a'}, {'port': 2, 'protocol': 'b'}, {'port': 3, 'protocol': 'c'}],
     [{'port': 1, 'protocol': 'a'}, {'port': 2, 'protocol': 'b'}, {'port': 3, 'protocol': 'c'}]),
    ([{'port': 1, 'protocol': 'a'}, {'port': 2, 'protocol': 'b'}, {'port': 3, 'protocol': 'c'}],
     [{'port': 3, 'protocol': 'c'}, {'port': 2, 'protocol': 'b'}],
     [{'port': 1, 'protocol': 'a'}, {'port': 3, 'protocol': 'c'}, {'port': 2, 'protocol': 'b'}]),
    ([{'port': 1, 'protocol': 'a'}, {'port': 2, 'protocol': 'b'}, {'port': 3, 'protocol': 'c'}],
     [{'port': 3, 'protocol': 'c'}, {'port': 1, 'protocol': 'a'}],
     [{'port': 2, 'protocol': 'b'}, {'port': 3, 'protocol': 'c'}, {'port': 1, 'protocol': 'a'}]),
    ([{'port': 1, 'protocol': 'a', 'nodePort': 1}, {'port': 1, 'protocol': 'a', 'nodePort': 2}],
     [],
     [{'port': 1, 'protocol': 'a', 'nodePort': 1}, {'port': 1, 'protocol': 'a', 'nodePort': 2}]),
    ([{'port': 1, 'protocol': 'a', 'nodePort': 1}, {'port': 1, 'protocol': 'a', 'nodePort': 2}],
     None,
     [{'port': 1, 'protocol': 'a', 'nodePort': 1}, {'port': 1, 'protocol': 'a', 'nodePort': 2}]),
]


@pytest.mark.parametrize(("lhs", "rhs", "out"), LIST_TRIPLETS)
def test_merge_associative_lists(lhs: Any, rhs: Any, out: Any) -> None:
    left = {"spec": {} if lhs is None else {"ports": lhs}}
    right = {"spec": {} if rhs is None else {"ports": rhs}}
    expected = {"spec": {} if out is None else {"ports": out}}
    assert merge(left, right, SERVICE) == expected


def test_merge_atomic_lists_and_maps_take_the_configuration_whole() -> None:
    live = {"spec": {"containers": [{"name": "c", "args": ["a", "b"]}], "nodeSelector": {"a": "1"}}}
    config = {"spec": {"containers": [{"name": "c", "args": ["z"]}], "nodeSelector": {"b": "2"}}}
    assert merge(live, config, POD) == config
    assert merge(live, {"spec": {"nodeSelector": None}}, POD)["spec"]["nodeSelector"] is None


def test_field_set_rules() -> None:
    """Leaves, map entries and list items are members; a struct field holding a struct is not."""
    pod = {"metadata": {"labels": {"app": "x"}, "annotations": {}},
           "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}], "args": ["-v"],
                                     "securityContext": {}}],
                    "nodeSelector": {"disk": "ssd"}, "tolerations": [],
                    "hostname": None}}
    assert to_fields_v1(typed.to_set(pod, POD)) == {
        "f:metadata": {"f:annotations": {}, "f:labels": {"f:app": {}}},
        "f:spec": {
            "f:containers": {'k:{"name":"c"}': {
                ".": {}, "f:args": {}, "f:name": {},
                "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                    ".": {}, "f:containerPort": {}}},
                "f:securityContext": {}}},
            "f:hostname": {}, "f:nodeSelector": {}, "f:tolerations": {}}}


def test_duplicate_items_are_owned_as_one() -> None:
    svc = {"spec": {"ports": [{"port": 80}, {"port": 80, "name": "again"}]}}
    fs = typed.to_set(svc, SERVICE)
    item = key([("port", 80), ("protocol", "TCP")])
    assert fs == FieldSet.of([(field("spec"), field("ports"), item)])
    assert typed.duplicates(svc, SERVICE) == [item]


def test_items_that_cannot_be_named_make_the_list_atomic() -> None:
    pod = {"spec": {"containers": [{"image": "no-name"}]}}
    assert typed.to_set(pod, POD) == FieldSet.of([(field("spec"), field("containers"))])


def test_compare() -> None:
    old = {"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b"}]},
           "metadata": {"labels": {"x": "1"}}}
    new = {"spec": {"containers": [{"name": "a", "image": "2"}, {"name": "c"}]}}
    cmp = compare(old, new, POD)
    a, b, c = (key([("name", n)]) for n in "abc")
    containers = (field("spec"), field("containers"))
    assert cmp.modified == FieldSet.of([(*containers, a, field("image"))])
    assert cmp.added == FieldSet.of([(*containers, c), (*containers, c, field("name"))])
    assert cmp.removed == FieldSet.of([
        (*containers, b), (*containers, b, field("name")),
        (field("metadata"),), (field("metadata"), field("labels")),
        (field("metadata"), field("labels"), field("x"))])
    assert compare(new, new, POD).same()
    assert not compare({"a": True}, {"a": 1}, POD).same()  # true is not 1


def test_remove_items() -> None:
    pod = {"metadata": {"finalizers": ["a", "b"]}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    finalizer_a = (field("metadata"), field("finalizers"), value("a"))
    image = (field("spec"), field("containers"), key([("name", "c")]), field("image"))
    out = remove_items(pod, FieldSet.of([finalizer_a, image]), POD)
    assert out == {"metadata": {"finalizers": ["b"]}, "spec": {"containers": [{"name": "c"}]}}
    hostname = FieldSet.of([(field("spec"), field("hostname"))])
    gone = remove_items({"spec": {"hostname": "h"}}, hostname, POD)
    assert gone is MISSING  # emptied maps go too
