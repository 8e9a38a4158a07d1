"""One file's text -> documents and issues: YAML semantics, strictness and bounds."""

from __future__ import annotations

import time
from typing import Any

import pytest

from kapply.load import parse
from kapply.load.document import Document, LoadIssue
from kapply.load.parse import parse_source
from kapply.load.positions import SourceText


def _parse(text: str | bytes, name: str = "m.yaml") -> tuple[list[Document], list[LoadIssue]]:
    data = text.encode() if isinstance(text, str) else text
    return parse_source(SourceText(name, data))


def _value(text: str) -> Any:
    documents, issues = _parse(f"apiVersion: v1\nkind: ConfigMap\nv: {text}\n")
    assert issues == []
    return documents[0].obj["v"]


@pytest.mark.parametrize(
    "text, value",
    [
        # Kubernetes reads YAML as JSON: timestamps are strings, never dates
        ("2024-01-01", "2024-01-01"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("!!timestamp 2024-01-01", "2024-01-01"),
        # as Kubernetes' YAML library (go-yaml v2, behind sigs.k8s.io/yaml) resolves plain scalars
        ("yes", True),
        ("y", True),
        ("N", False),
        ("12:30", "12:30"),  # no YAML 1.1 base-60 numbers
        ("190:20:30.15", "190:20:30.15"),
        ("1.5e3", 1500.0),
        ("0o17", 15),
        ("0O17", 15),
        ("0X1f", 31),
        ("0755", 493),
        ("08", 8.0),
        ("1e999", "1e999"),  # out of range: a string
        ("18446744073709551615", 2**64 - 1),  # uint64's maximum is an int
        ("18446744073709551616", 1.8446744073709552e19),  # beyond: a float (ParseFloat succeeds)
        ("9" * 400, "9" * 400),  # beyond float64 too: a string
        ("0" * 5000 + "7", 7),  # octal, whatever the leading zeros
        (".5", 0.5),
        ("+.5", 0.5),
        ("1.", 1.0),
        ("-0b101", -5),
        ("1_2.5", 12.5),
        ("yEs", "yEs"),
        ("off", False),
        ("True", True),
        ('"yes"', "yes"),
        ("~", None),
        ("null", None),
        ("", None),
        ("42", 42),
        ("-7", -7),
        ("0x1F", 31),
        ("1_000", 1000),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("100m", "100m"),
        ("25%", "25%"),
        ("!!str 3", "3"),
        ("!!int '3'", 3),
        ("!!binary aGVsbG8=", "aGVsbG8="),
        ("'it''s'", "it's"),
        ("[1, two]", [1, "two"]),
        ("{a: 1}", {"a": 1}),
    ],
)
def test_scalar_values(text: str, value: Any) -> None:
    assert _value(text) == value
    assert type(_value(text)) is type(value)


@pytest.mark.parametrize(
    "text, keys",
    [
        ("80: a", ["80"]),
        ("true: a", ["true"]),
        ("on: a", ["true"]),
        ("1.5: a", ["1.5"]),
        ('"80": a', ["80"]),
    ],
)
def test_map_keys_become_strings_as_kubernetes_converts_them(text: str, keys: list[str]) -> None:
    assert list(_value("\n  " + text.replace("\n", "\n  "))) == keys


@pytest.mark.parametrize(
    "text, line, column, message, path, value",
    [
        (
            "apiVersion: v1\nkind: Pod\nkind: Service\n",
            3, 1, 'mapping key "kind" already defined at line 2', ("kind",), "Service",
        ),
        (
            "spec:\n  containers:\n  - name: a\n    image: x\n    ports: []\n    image: z\n",
            6, 5, 'mapping key "image" already defined at line 4', ("spec", "containers", 0, "image"), "z",
        ),
        (
            "metadata: {name: a, name: b}\n",
            1, 21, 'mapping key "name" already defined at line 1', ("metadata", "name"), "b",
        ),
        (
            'data:\n  80: a\n  "80": b\n',
            3, 3, 'mapping key "80" already defined at line 2', ("data", "80"), "b",
        ),
        (
            "d: &d {a: 1}\nx:\n  k: *d\n  k: 2\n",
            4, 3, 'mapping key "k" already defined at line 3', ("x", "k"), 2,
        ),
    ],
)
def test_duplicate_keys_are_errors_at_the_second_key_and_the_last_value_loads(
    text: str, line: int, column: int, message: str, path: tuple[str | int, ...], value: Any
) -> None:
    documents, issues = _parse(text)
    assert issues == [LoadIssue("m.yaml", line, column, message, "yaml-duplicate-key")]
    (document,) = documents
    found: Any = document.obj
    for element in path:
        found = found[element]
    assert found == value
    position = document.position(path)
    assert position.line == line


def test_same_key_in_different_mappings_is_fine() -> None:
    documents, issues = _parse("a: {name: x}\nb: {name: x}\nc: [{name: 1}, {name: 2}]\n")
    assert issues == []
    assert documents[0].obj["c"] == [{"name": 1}, {"name": 2}]


def test_every_duplicate_is_reported() -> None:
    documents, issues = _parse("a: 1\na: 2\nb: {c: 1, c: 2}\n---\nkind: Pod\n")
    assert [d.obj for d in documents] == [{"a": 2, "b": {"c": 2}}, {"kind": "Pod"}]
    assert [(i.rule, i.line) for i in issues] == [("yaml-duplicate-key", 2), ("yaml-duplicate-key", 3)]


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_rejected_quickly() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\n" + BILLION_LAUGHS + "---\napiVersion: v1\nkind: Pod\n"
    start = time.perf_counter()
    documents, issues = _parse(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert [i.rule for i in issues] == ["yaml-alias-limit"]
    assert "more than 100000 nodes" in issues[0].message
    assert [d.obj["kind"] for d in documents] == ["Pod"]  # the next document still loads


def test_wide_alias_fan_out_is_rejected() -> None:
    block = "\n".join(f"  k{i}: v{i}" for i in range(1000))
    uses = "\n".join("- *big" for _ in range(200))
    documents, issues = _parse(f"big: &big\n{block}\nuses:\n{uses}\n")
    assert documents == []
    assert [i.rule for i in issues] == ["yaml-alias-limit"]


def test_recursive_alias_is_rejected() -> None:
    documents, issues = _parse("a: &a [1, *a]\n")
    assert documents == []
    assert [(i.rule, i.line) for i in issues] == [("yaml-alias-limit", 1)]


def test_modest_aliases_load_as_independent_copies() -> None:
    text = "defaults: &d {cpu: 100m}\na: {requests: *d}\nb: {requests: *d}\nurl: http://x?a=1&b=2\n"
    documents, issues = _parse(text)
    assert issues == []
    obj = documents[0].obj
    assert obj["a"]["requests"] == obj["b"]["requests"] == {"cpu": "100m"}
    obj["a"]["requests"]["cpu"] = "1"
    assert obj["b"]["requests"] == {"cpu": "100m"}
    assert obj["url"] == "http://x?a=1&b=2"


def test_merge_keys_keep_explicit_values() -> None:
    text = "base: &b {image: nginx, name: x}\nc:\n  <<: *b\n  name: web\n"
    documents, issues = _parse(text)
    assert issues == []
    assert documents[0].obj["c"] == {"image": "nginx", "name": "web"}


@pytest.mark.parametrize(
    "text, rule, message",
    [
        ("a: !!python/object:os.system x\n", "yaml-tag", "could not determine a constructor for the tag"),
        ("a: !!python/name:os.system\n", "yaml-tag", "tag:yaml.org,2002:python/name:os.system"),
        ("a: !custom {b: 1}\n", "yaml-tag", "'!custom'"),
        ("a: !!set {b, c}\n", "yaml-tag", "set"),
        ("a: !!int abc\n", "yaml-syntax", "cannot construct !!int from 'abc'"),
        ("a: !!int 18446744073709551616\n", "yaml-syntax", "cannot construct !!int from '1844674407"),
        ("a: !!int " + "9" * 5000 + "\n", "yaml-syntax", "cannot construct !!int from '9999"),
        ("a: !!int 0x" + "f" * 5000 + "\n", "yaml-syntax", "cannot construct !!int from '0xfff"),
        ("null: a\n", "yaml-key", "null cannot be an object key"),
        ("? [a]\n: b\n", "yaml-key", "a sequence cannot be an object key"),
    ],
)
def test_only_plain_data_is_constructed(text: str, rule: str, message: str) -> None:
    documents, issues = _parse(text)
    assert documents == []
    assert [i.rule for i in issues] == [rule]
    assert message in issues[0].message


@pytest.mark.parametrize(
    "text",
    ["", "# only a comment\n", "---\n", "---\n---\n...\n", "~\n", "null\n", "--- # c\n---\n# c\n"],
)
def test_empty_documents_are_skipped_silently(text: str) -> None:
    assert _parse(text) == ([], [])


@pytest.mark.parametrize(
    "text, message",
    [
        ("hello\n", "document is a string, not an object"),
        ("- a\n- b\n", "document is a list, not an object"),
        ("42\n", "document is a number, not an object"),
    ],
)
def test_non_mapping_documents_are_not_objects(text: str, message: str) -> None:
    documents, issues = _parse("kind: Pod\n---\n" + text)
    assert [d.obj for d in documents] == [{"kind": "Pod"}]
    assert [(i.rule, i.line, i.column) for i in issues] == [("not-an-object", 3, 1)]
    assert message in issues[0].message


def test_syntax_error_has_line_and_column_and_keeps_earlier_documents() -> None:
    text = "kind: Pod\n---\nmetadata:\n  name: a: b\n---\nkind: Service\n"
    documents, issues = _parse(text)
    assert [d.obj for d in documents] == [{"kind": "Pod"}]
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.file, issue.line, issue.column, issue.rule) == ("m.yaml", 4, 10, "yaml-syntax")
    assert "mapping values are not allowed" in issue.message


def test_syntax_error_names_the_construct_being_parsed() -> None:
    _, issues = _parse("a: [1, 2\nb: c\n")
    assert issues[0].rule == "yaml-syntax"
    assert "while parsing a flow sequence that starts at line 1, column 4" in issues[0].message


@pytest.mark.parametrize(
    "data, line, column, message",
    [
        (b"a: 1\nb: \xff\n", 2, 4, "#xff"),
        (b"a: 1\nb: \x01\n", 2, 4, "control characters are not allowed"),
    ],
)
def test_invalid_bytes_are_reported_where_they_are(data: bytes, line: int, column: int, message: str) -> None:
    documents, issues = _parse(data)
    assert documents == []
    assert [(i.rule, i.line, i.column) for i in issues] == [("yaml-syntax", line, column)]
    assert message in issues[0].message


def test_byte_order_mark_and_crlf_are_accepted() -> None:
    documents, issues = _parse(b"\xef\xbb\xbfkind: Pod\r\nmetadata:\r\n  name: a\r\n")
    assert issues == []
    assert documents[0].obj == {"kind": "Pod", "metadata": {"name": "a"}}
    assert documents[0].position(("metadata", "name")).line == 3


def test_kind_list_is_expanded() -> None:
    text = """\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- null
- just a string
- {apiVersion: v1, kind: Secret, metadata: {name: b}}
---
apiVersion: v1
kind: List
items: []
---
apiVersion: v1
kind: List
items: 3
"""
    documents, issues = _parse(text)
    assert [(d.obj["kind"], d.doc_index, d.item_index, d.line) for d in documents] == [
        ("ConfigMap", 0, 0, 4),
        ("Secret", 0, 3, 7),
    ]
    assert [(i.rule, i.line) for i in issues] == [("not-an-object", 6), ("not-an-object", 15)]
    assert "List item 2 is a string" in issues[0].message
    assert "the items of a List must be a list, not a number" in issues[1].message


def test_typed_lists_are_expanded_as_kubectl_does() -> None:
    text = ('{"apiVersion": "v1", "kind": "ConfigMapList", "metadata": {"resourceVersion": "7"},\n'
            ' "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]}\n')
    documents, issues = _parse(text, "l.json")
    assert issues == []
    assert [(d.obj["kind"], d.obj["metadata"]["name"], d.item_index, d.line) for d in documents] == [
        ("ConfigMap", "a", 0, 2)]


def test_json_is_yaml() -> None:
    text = '{"apiVersion": "v1", "kind": "Pod", "spec": {"x": [1, 2.5, true, null]}}'
    documents, issues = _parse(text, "p.json")
    assert issues == []
    assert documents[0].obj["spec"]["x"] == [1, 2.5, True, None]


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "_SMALL_FILE", 100)
    monkeypatch.setattr(parse, "DOCUMENT_LIMIT", 400)
    monkeypatch.setattr(parse, "NODE_LIMIT", 60)
    monkeypatch.setattr(parse, "DOCUMENTS_PER_FILE_LIMIT", 5)


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize(
    "big, message",
    [
        ("data:\n" + "".join(f"  key{i}: {'x' * 20}\n" for i in range(20)), "over the 0.0 MiB limit"),
        ("data: [" + ",".join("1" for _ in range(70)) + "]\n", "has too many values (more than 60)"),
    ],
)
def test_oversized_document_is_refused_before_parsing(big: str, message: str) -> None:
    small = "kind: Pod\nmetadata: {name: small}\n"
    documents, issues = _parse(small + "---\n" + big + "---\n" + small)
    assert documents == []
    assert [(i.rule, i.line) for i in issues] == [("yaml-size-limit", 3)]
    assert message in issues[0].message


@pytest.mark.usefixtures("small_limits")
def test_documents_under_the_size_limits_load() -> None:
    text = "---\n".join(f"kind: Pod\nmetadata: {{name: p{i}, labels: {{a: b}}}}\n" for i in range(5))
    documents, issues = _parse(text)
    assert issues == []
    assert len(documents) == 5


@pytest.mark.usefixtures("small_limits")
def test_documents_per_file_are_bounded() -> None:
    text = "---\n".join(f"kind: Pod\nmetadata: {{name: p{i}}}\n" for i in range(8))
    documents, issues = _parse(text)
    assert len(documents) == 5
    assert [(i.rule, i.line) for i in issues] == [("yaml-size-limit", 16)]
    assert "more than 5 documents in one file" in issues[0].message


def test_real_limits_reject_a_dense_three_mebibyte_document_in_well_under_a_second() -> None:
    start = time.perf_counter()
    documents, issues = _parse("a: [" + "1," * 1_500_000 + "1]\n")
    assert time.perf_counter() - start < 1.0
    assert documents == []
    assert [i.rule for i in issues] == ["yaml-size-limit"]


def test_deep_nesting_is_an_issue_not_a_crash() -> None:
    documents, issues = _parse("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert documents == []
    assert [i.rule for i in issues] in (["yaml-syntax"], ["yaml-size-limit"])


def test_a_byte_order_mark_after_a_document_separator_is_skipped_as_kubectl_does() -> None:
    # `cat a.yaml b.yaml` of files saved with a BOM (Windows editors): kubectl splits the stream at
    # `---` lines and each document may start with its own BOM
    bom = b"\xef\xbb\xbf"
    data = (bom + b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
            + bom + b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
    documents, issues = _parse(data)
    assert issues == []
    assert [(d.obj["metadata"]["name"], d.line) for d in documents] == [("a", 1), ("b", 5)]
    assert str(documents[1].position(("metadata", "name"))) == "m.yaml:7:18"


def test_integers_of_any_length_load_in_milliseconds() -> None:
    """Python refuses int() of more than 4300 digits, and converting long ones is quadratic: the
    resolver decides by length first, so a 2-MB digit string is a string at once."""
    import time

    for token in ("9" * 2_000_000, "-" + "1" * 2_000_000, "0x" + "f" * 2_000_000):
        start = time.perf_counter()
        documents, issues = _parse(f"a: {token}\n")
        assert issues == [] and documents[0].obj["a"] == token
        assert time.perf_counter() - start < 1.0
