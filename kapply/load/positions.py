"""Source positions of values, found on demand by re-composing the file they came from.

Recording a position for every value of every document costs more than parsing itself, and most
documents are valid, so nobody ever asks. Instead each `Document` keeps a reference to its file's
bytes (`SourceText`, shared by all documents of the file); the first `Document.position()` call on a
file composes it again (libyaml, a few milliseconds) and walks the node graph along the field path.
The composed graphs of the few most recently asked files are cached, because diagnostics come in
bursts per file.

Which position a path names, so a user lands on the right spot:
- a scalar or a flow collection (`[a, b]`, `{a: b}`): where the value is written;
- a block mapping or sequence under a key, or an empty value: the key (`labels:` rather than the
  first label below it);
- a list item: where the item starts (after its `- `);
- a path that does not exist: the nearest ancestor that does (a missing required field points at
  its parent).
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kapply.load.construct import key_text_or_none
from kapply.load.document import FieldPath
from kapply.load.syntax import MERGE, collector_paused, compose_documents

_CACHED_FILES = 4
_lock = threading.Lock()
_recent: OrderedDict[int, SourceText] = OrderedDict()


class SourceText:
    """The bytes of one loaded file, kept so that positions can be looked up later."""

    __slots__ = ("_nodes", "data", "name")

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.data = data
        self._nodes: list[Node] | None = None

    def __reduce__(self) -> tuple[type, tuple[str, bytes]]:
        return (SourceText, (self.name, self.data))

    def __repr__(self) -> str:
        return f"SourceText({self.name!r}, {len(self.data)} bytes)"


def _documents(source: SourceText) -> list[Node]:
    with _lock:
        nodes = source._nodes
        if nodes is not None:
            _recent.move_to_end(id(source), last=True)
            return nodes
    composed: list[Node] = []
    with collector_paused(), contextlib.suppress(yaml.YAMLError, RecursionError):
        composed.extend(compose_documents(source.data))  # keeps the documents before an error
    with _lock:
        source._nodes = composed
        _recent[id(source)] = source
        while len(_recent) > _CACHED_FILES:
            _, evicted = _recent.popitem(last=False)
            evicted._nodes = None
    return composed


def member(node: Node, element: str | int) -> tuple[Node | None, Node] | None:
    """The (key node, value node) that `element` selects in `node`, or None."""
    if isinstance(element, int):
        if node.__class__ is SequenceNode and 0 <= element < len(node.value):
            return None, node.value[element]
        return None
    if node.__class__ is not MappingNode:
        return None
    merges: list[Node] = []
    found: tuple[Node | None, Node] | None = None
    for key_node, value_node in node.value:
        if key_node.__class__ is ScalarNode and key_node.tag == MERGE:
            merges.append(value_node)
        elif key_text_or_none(key_node) == element:
            found = key_node, value_node  # the last definition of a duplicate key is the one loaded
    if found is not None:
        return found
    for merged in merges:
        sources = merged.value if merged.__class__ is SequenceNode else [merged]
        for source in sources:
            found = member(source, element)
            if found is not None:
                return found
    return None


def _mark(key_node: Node | None, value_node: Node) -> tuple[int, int]:
    node = value_node
    if key_node is not None:
        if value_node.__class__ is ScalarNode:
            if value_node.value == "" and not value_node.style:  # an empty plain scalar
                node = key_node
        elif not value_node.flow_style:  # type: ignore[attr-defined]  # a collection node: hot path, no isinstance
            node = key_node
    return node.start_mark.line + 1, node.start_mark.column + 1


def locate(
    source: SourceText, doc_index: int, item_index: int | None, path: FieldPath
) -> tuple[int, int] | None:
    """1-based (line, column) of `path` in the given document, or of its nearest existing ancestor."""
    documents = _documents(source)
    if not 0 <= doc_index < len(documents):
        return None
    node = documents[doc_index]
    if item_index is not None:
        items = member(node, "items")
        if items is None:
            return None
        item = member(items[1], item_index)
        if item is None:
            return None
        node = item[1]
    best: tuple[int, int] | None = None
    for element in path:
        found = member(node, element)
        if found is None:
            break
        best = _mark(*found)
        node = found[1]
    return best
