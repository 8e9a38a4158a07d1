"""The pure-Python fallback parser loads exactly what the libyaml one does."""

from __future__ import annotations

import pytest

from kapply.load import syntax
from kapply.load.parse import parse_source
from kapply.load.positions import SourceText

CASES = [
    "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: c\n    image: x\n",
    "a: 2024-01-01\nb: yes\nc: 0x10\nd: ''\ne:\nf: [1, {g: h}]\n",
    "kind: List\napiVersion: v1\nitems:\n- {kind: Pod}\n- kind: Service\n  spec: {ports: [{port: 80}]}\n",
    "d: &d {cpu: 1}\na: *d\nb: {<<: *d, mem: 2}\n",
    "a: 1\na: 2\n",
    "kind: Pod\n---\nmetadata:\n  name: a: b\n",
    "x: !!python/object:os.system y\n",
    # (tab-indented JSON is the one known difference: only libyaml accepts it)
    '{\n  "kind": "Pod",\n  "spec": {"n": [1, 2]}\n}\n',
]
PATHS = [
    ("metadata", "name"), ("spec", "containers", 0, "image"), ("b",), ("f", 1, "g"), ("spec", "ports", 0),
]


def _summary(text: str) -> tuple[list[object], list[tuple[str, int, int]]]:
    documents, issues = parse_source(SourceText("m.yaml", text.encode()))
    seen = [(d.obj, d.line, d.column, [d.position(p) for p in PATHS]) for d in documents]
    return seen, [(i.rule, i.line, i.column) for i in issues]


@pytest.mark.skipif(not syntax.WITH_LIBYAML, reason="PyYAML has no libyaml here: only one parser to compare")
@pytest.mark.parametrize("text", CASES)
def test_pure_python_parser_agrees_with_libyaml(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_libyaml = _summary(text)
    monkeypatch.setattr(syntax, "_Parser", syntax.PurePythonParser)
    assert _summary(text) == with_libyaml
