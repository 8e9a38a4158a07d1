"""Path elements, field sets and the fieldsV1 encoding.

Tables from sigs.k8s.io/structured-merge-diff fieldpath/serialize-pe_test.go
(TestPathElementRoundTrip, TestDeserializePathElementError) and fieldpath/serialize_test.go
(TestSerializeV1GoldenData), plus set-operation cases from fieldpath/set_test.go.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapply.cluster.fieldmanager.fieldpath import (
    EMPTY,
    FieldSet,
    deserialize,
    field,
    from_fields_v1,
    index,
    key,
    path_string,
    serialize,
    to_fields_v1,
    value,
)

ROUND_TRIP = [
    'i:0',
    'i:1234',
    'f:',
    'f:spec',
    'f:more-complicated-string',
    'f: string-with-spaces   ',
    'f:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    'k:{"name":"my-container"}',
    'k:{"name":"   name with spaces   "}',
    'k:{"port":"8080","protocol":"TCP"}',
    'k:{"optionalField":null}',
    'k:{"jsonField":{"A":1,"B":null,"C":"D","E":{"F":"G"}}}',
    'k:{"listField":["1","2","3"]}',
    'v:null',
    'v:"some-string"',
    'v:1234',
    'v:{"some":"json"}',
    'v:{"some":" some  with spaces  "}',
    'k:{"name":"app-🚀"}',
    'k:{"name":"app-💻"}',
    'k:{"name":"app with-unicøde"}',
    'k:{"name":"你好世界"}',
    'k:{"name":"Привет, мир"}',
    'k:{"name":"नमस्ते दुनिया"}',
    'k:{"name":"👋"}',
    'f:spec-🚀',
    'f:spec-\\n',
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_path_element_round_trip(text: str) -> None:
    pe = deserialize(text)
    assert pe is not None
    assert serialize(pe) == text


DESERIALIZE_ERRORS = [
    '',
    'no-colon',
    'i:index is not a number',
    'i:1.23',
    'i:',
    'v:invalid json',
    'v:',
    'k:invalid json',
    'k:{"name":invalid}',
    'v:{"some":" \\x41"}',
    'v',
    'k',
    'f',
    'i',
    'v:{"a":"b"',
    'k:{"a":"b"',
    'i: 0',
    'i:0 ',
    'v:{"some":"json"} {"other":"json"}',
    'k:{"name":"my-container"} {"other":"my-container"}',
    'v:{"some":"json"} {"other":"json"',
    'k:{"name":"my-container"} {"other":"my-container"',
    'v:{"some":"json"} garbage',
    'k:{"name":"my-container"} garbage',
]


@pytest.mark.parametrize("text", DESERIALIZE_ERRORS)
def test_malformed_path_elements_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        deserialize(text)


def test_unknown_path_element_kinds_are_skipped() -> None:
    assert deserialize("r:Hello") is None
    assert from_fields_v1({"r:Hello": {}, "f:a": {}}) == FieldSet.of([(field("a"),)])


GOLDEN = [
    '{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\\"name\\":\\"first\\"}":{},"k:{\\"name\\":\\"second\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\\"aa\\"":{},"v:\\"ab\\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}',
    '{"f:aaa":{"k:{\\"name\\":\\"second\\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}}},"k:{\\"name\\":\\"first\\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\\"name\\":\\"second\\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\\"name\\":\\"first\\"}":{"k:{\\"name\\":\\"first\\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\\"name\\":\\"first\\"}":{"f:aad":{"f:aaf":{}}},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"f:aaa":{"f:aad":{}}},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"f:aac":{},"k:{\\"name\\":\\"first\\"}":{"i:3":{}},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\\"name\\":\\"first\\"}":{},"i:2":{}},"v:\\"aa\\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\\"name\\":\\"first\\"}":{"f:aad":{}},"i:2":{}},"v:\\"ab\\"":{"f:aaf":{"i:4":{}},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\\"name\\":\\"second\\"}":{"f:aaa":{}},"i:2":{"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\\"aa\\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\\"aa\\"":{"f:aab":{"k:{\\"name\\":\\"second\\"}":{}}}}}',
    '{"f:spec":{".":{},"f:apps":{".":{},"k:{\\"name\\":\\" app-💻\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port 🔑\\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}},"k:{\\"name\\":\\" app-🚀\\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"name\\":\\"port-✅ \\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}}}}}',  # noqa: E501
]


@pytest.mark.parametrize("text", GOLDEN)
def test_fields_v1_golden_data_round_trips_byte_for_byte(text: str) -> None:
    fs = from_fields_v1(json.loads(text))
    assert json.dumps(to_fields_v1(fs), separators=(",", ":"), ensure_ascii=False) == text


def test_non_normalized_input_is_normalized() -> None:
    text = '{"v: 3": {}, "k:{ \\"protocol\\":\\"udp\\",\\"port\\":443}": {}, "f:b": {}, "f:a": {}, "i:1": {}}'
    fs = from_fields_v1(json.loads(text))
    assert list(to_fields_v1(fs)) == ["f:a", "f:b", 'k:{"port":443,"protocol":"udp"}', "v:3", "i:1"]


def test_member_with_children_is_written_with_a_dot() -> None:
    fs = FieldSet.of([(field("spec"),), (field("spec"), field("replicas"))])
    assert to_fields_v1(fs) == {"f:spec": {".": {}, "f:replicas": {}}}
    assert from_fields_v1(to_fields_v1(fs)) == fs


@pytest.mark.parametrize(("path", "text"), [
    ((field("spec"), field("replicas")), ".spec.replicas"),
    ((field("spec"), field("containers"), key([("name", "nginx")]), field("image")),
     '.spec.containers[name="nginx"].image'),
    ((field("ports"), key([("protocol", "TCP"), ("port", 80)])), '.ports[port=80,protocol="TCP"]'),
    ((field("finalizers"), value("a")), '.finalizers[="a"]'),
    ((field("args"), index(0)), ".args[0]"),
    ((field("x"), value(True)), ".x[=true]"),
])
def test_path_strings_as_conflicts_print_them(path: tuple, text: str) -> None:
    assert path_string(path) == text


def test_true_and_one_are_different_values() -> None:
    assert value(True) != value(1)
    assert key([("a", "1")]) != key([("a", 1)])


A = (field("a"),)
AB = (field("a"), field("b"))
AC = (field("a"), field("c"))
D = (field("d"),)


@pytest.mark.parametrize(("op", "left", "right", "result"), [
    ("union", [A], [AB], [A, AB]),
    ("intersection", [A, AB], [AB, D], [AB]),
    ("difference", [A, AB, AC], [A, AB], [AC]),  # a member does not remove what is under it
    ("recursive_difference", [A, AB, AC, D], [A], [D]),  # ... recursively it does
    ("difference", [A], [], [A]),
    ("union", [], [], []),
])
def test_set_operations(op: str, left: list, right: list, result: list) -> None:
    out = getattr(FieldSet.of(left), op)(FieldSet.of(right))
    assert out == FieldSet.of(result)


def test_leaves_and_has() -> None:
    fs = FieldSet.of([A, AB, D])
    assert fs.leaves() == FieldSet.of([AB, D])
    assert fs.has(AB) and fs.has(A) and not fs.has(AC) and not fs.has(())
    assert fs.size() == 3 and EMPTY.empty() and not fs.empty()
    assert list(fs.paths()) == [A, D, AB]  # SMD's Iterate: members first, then children


names = st.sampled_from(["a", "b", "spec", "name", "ü"])
elements = st.one_of(
    names.map(field),
    st.lists(st.tuples(names, st.one_of(st.integers(-3, 300), st.text(max_size=3), st.booleans())),
             min_size=1, max_size=2, unique_by=lambda t: t[0]).map(key),
    st.one_of(st.integers(), st.text(max_size=4), st.booleans()).map(value),
    st.integers(0, 5).map(index),
)
paths = st.lists(elements, min_size=1, max_size=4).map(tuple)


@given(st.lists(paths, max_size=20))
def test_fields_v1_round_trips(path_list: list) -> None:
    """fieldpath/serialize_test.go TestSerializeV1: any set survives encoding and decoding."""
    fs = FieldSet.of(path_list)
    text = json.dumps(to_fields_v1(fs))
    assert from_fields_v1(json.loads(text)) == fs
    assert set(fs.paths()) == set(path_list)


@given(st.lists(paths, max_size=8), st.lists(paths, max_size=8))
def test_set_algebra_matches_python_sets(x: list, y: list) -> None:
    a, b = FieldSet.of(x), FieldSet.of(y)
    assert set(a.union(b).paths()) == set(x) | set(y)
    assert set(a.intersection(b).paths()) == set(x) & set(y)
    assert set(a.difference(b).paths()) == set(x) - set(y)
    assert all(not any(p[:n] in set(y) for n in range(1, len(p) + 1))
               for p in a.recursive_difference(b).paths())
