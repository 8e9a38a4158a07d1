"""Properties: whatever PyYAML dumps loads back equal, and every scalar has its own position.

(Except the few plain strings PyYAML and Kubernetes' YAML library resolve differently.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.load.document import FieldPath
from kapply.load.parse import parse_source
from kapply.load.positions import SourceText
from kapply.load.syntax import _go_tag

_PYYAML = yaml.resolver.Resolver()


def _dumps_as_itself(text: str) -> bool:
    """PyYAML quotes what it would read as no string; a few plain strings Kubernetes' YAML library
    (go-yaml v2) reads as booleans or numbers (`y`, `09`, `1e3`), and kapply reads as Kubernetes does."""
    pyyaml_string = _PYYAML.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"
    return not pyyaml_string or _go_tag(text) == "tag:yaml.org,2002:str"


KEYS = st.text(alphabet="abcxyz-./_09", min_size=1, max_size=8).filter(_dumps_as_itself)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(alphabet="abc 0-9:#'\"\n", max_size=12).filter(_dumps_as_itself),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=4),
        st.dictionaries(KEYS, children, min_size=1, max_size=4),
    ),
    max_leaves=25,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=5)


def _paths(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*path, key), child
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*path, index), child
            yield from _paths(child, (*path, index))


@settings(max_examples=150, deadline=None)
@given(st.lists(DOCUMENTS, min_size=1, max_size=3), st.booleans())
def test_dumped_documents_load_back_with_distinct_positions(documents: list[Any], flow: bool) -> None:
    text = yaml.safe_dump_all(documents, default_flow_style=flow, sort_keys=False)
    loaded, issues = parse_source(SourceText("p.yaml", text.encode()))
    assert issues == []
    assert [d.obj for d in loaded] == documents
    for document in loaded:
        seen: dict[tuple[int, int], FieldPath] = {(document.line, document.column): ()}
        for path, value in _paths(document.obj):
            position = document.position(path)
            where = (position.line, position.column)
            if isinstance(value, dict | list):
                # a block collection is located at its key, which may open the enclosing mapping
                assert where not in seen or path[: len(seen[where])] == seen[where], (path, seen[where])
            else:
                # a scalar is located where it is written: no other value is there
                assert where not in seen, (path, seen[where])
            seen.setdefault(where, path)
