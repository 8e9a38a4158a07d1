"""`-o yaml` as kubectl prints it: go-yaml v2's quoting, key order, block scalars and folding."""

from __future__ import annotations

import pytest
import yaml

from kapply.cli.printers.goyaml import dump, natural_key, reads_as_string


@pytest.mark.parametrize(("value", "line"), [
    ("plain text", "v: plain text"),
    ("9797", 'v: "9797"'),  # would read back as a number
    ("true", 'v: "true"'),
    ("y", 'v: "y"'),  # go-yaml v2 reads y/n/on/off as booleans
    ("", 'v: ""'),
    ("null", 'v: "null"'),
    ("1e3", 'v: "1e3"'),
    ("0x1F", 'v: "0x1F"'),
    ("12:30", 'v: "12:30"'),  # a base-60 number to go-yaml
    ("2026-11-28T09:19:38Z", 'v: "2026-11-28T09:19:38Z"'),  # a timestamp
    ("2026-11-28", 'v: "2026-11-28"'),
    ("*/5 * * * *", "v: '*/5 * * * *'"),  # an alias indicator first: single quotes
    ("- item", "v: '- item'"),
    ("a: b", "v: 'a: b'"),
    ("#comment", "v: '#comment'"),
    (" leading", "v: ' leading'"),
    ("tab\there", 'v: "tab\\there"'),  # not printable: double quotes with an escape
    ("ghcr.io/stefanprodan/podinfo:6.14.1", "v: ghcr.io/stefanprodan/podinfo:6.14.1"),
    ("http://x:80/", "v: http://x:80/"),
])
def test_string_styles(value: str, line: str) -> None:
    assert dump({"v": value}) == line + "\n"


def test_multi_line_strings_are_literal_blocks() -> None:
    assert dump({"s": "#!/bin/sh\necho hi\n"}) == "s: |\n  #!/bin/sh\n  echo hi\n"
    assert dump({"s": "a\nb"}) == "s: |-\n  a\n  b\n"
    assert dump({"s": "  indented\nnext\n"}) == "s: |2\n    indented\n  next\n"


def test_scalars_and_collections() -> None:
    doc = {"i": 3, "f": 2.5, "big": 1e6, "whole": 2.0, "t": True, "z": None, "e": {}, "l": [],
           "xs": [{"a": 1}]}
    assert dump(doc) == ("big: 1e+06\ne: {}\nf: 2.5\ni: 3\nl: []\nt: true\nwhole: 2\n"
                         "xs:\n- a: 1\nz: null\n")
    assert dump({"n": 1}) == '"n": 1\n'  # a key go-yaml reads as a boolean is quoted too


def test_keys_sort_naturally() -> None:
    keys = list(yaml.safe_load(dump({"a10": 1, "a2": 2, "B": 3, "-x": 4, "a": 5})))
    assert keys == ["-x", "B", "a", "a2", "a10"]
    assert sorted(["x10", "x9", "x1"], key=natural_key) == ["x1", "x9", "x10"]


def test_long_plain_text_folds_at_80_columns_and_reads_back() -> None:
    text = " ".join(["word"] * 40)
    out = dump({"message": text})
    assert max(len(line) for line in out.splitlines()) <= 90 and len(out.splitlines()) > 1
    assert yaml.safe_load(out) == {"message": text}


@pytest.mark.parametrize("value", ["9797", "y", "12:30", "2026-11-28T09:19:38Z", "", "plain", "*/5 * * * *",
                                   "a\nb\n", "tab\t", "ü", '"quoted"', "'single'"])
def test_every_string_reads_back_as_itself(value: str) -> None:
    assert yaml.safe_load(dump({"v": value})) == {"v": value}
    if not reads_as_string(value):
        assert dump({"v": value}).startswith('v: "')
