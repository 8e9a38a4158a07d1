"""Turning a composed YAML node graph into plain JSON-like Python values, strictly and boundedly.

Why not PyYAML's SafeConstructor: Kubernetes reads YAML as JSON (sigs.k8s.io/yaml), so
- timestamps stay strings (`2024-01-01` is a string to the API server, not a date);
- a key defined twice in one mapping is an error, as strict decoding rejects it
  (`mapping key "image" already defined at line 12`); the value is still built (the last
  definition wins, as in a non-strict decode) so the rest of the document can be checked;
- map keys become strings (`80: x` -> "80", `true: x` -> "true"), and keys that cannot are errors;
- only the standard tags are accepted (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`,
  `!!seq`, `!!timestamp`, `!!binary` kept as text); anything else is an error, never code.

Aliases are the denial-of-service vector: a few lines can name 10^9 nodes. The composer keeps an
aliased node shared, so the graph is small; here each use of an alias is counted with the size of
what it expands to (memoised per node), and a document whose aliases expand past `ALIAS_LIMIT` nodes
is refused before the work is done. Every alias use gets its own copy, so callers may mutate any
value freely. Documents without anchors (no `&` anywhere in the file) take a faster path.
Merge keys (`<<: *base`) are honoured as PyYAML and go-yaml do: explicit keys win.
"""

from __future__ import annotations

import sys
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kapply.load.syntax import (
    BINARY,
    BOOL,
    FLOAT,
    INT,
    MAP,
    MERGE,
    NULL,
    SEQ,
    STR,
    TIMESTAMP,
    VALUE,
    go_int,
)

ALIAS_LIMIT = 100_000
_intern = sys.intern


class _DuplicateKey(Exception):
    """Raised by the fast path, which leaves reporting duplicates to `GuardedBuilder`."""


class ConstructError(Exception):
    """A document that cannot become a value; `line`/`column` are 0-based like YAML marks."""

    def __init__(self, node: Node, message: str, rule: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line
        self.column = node.start_mark.column
        self.message = message
        self.rule = rule


def _int(text: str) -> int:
    value = text.replace("_", "")
    if ":" in value:  # YAML 1.1 base 60, only ever from an explicit !!int
        sign = -1 if value[0] == "-" else 1
        total = 0
        for part in value.lstrip("+-").split(":"):
            if len(part) > 20:  # beyond uint64 already; not worth converting
                raise ValueError(part[:40])
            total = total * 60 + int(part)
        return go_int(str(sign * total))  # the int64/uint64 range check
    return go_int(value)


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    sign = -1.0 if value[0] == "-" else 1.0
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    if ":" in value:
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(value)


_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False, "y": True,
          "n": False}


def _bool(text: str) -> bool:
    return _BOOLS[text.lower()]


def _null(text: str) -> None:
    if text not in ("", "~", "null", "Null", "NULL"):
        raise ValueError(text)
    return None


def _text(text: str) -> str:
    return text


_SCALARS = {
    INT: _int,
    FLOAT: _float,
    BOOL: _bool,
    NULL: _null,
    TIMESTAMP: _text,
    BINARY: _text,
    VALUE: _text,
    MERGE: _text,
}
_SHORT_TAGS = {STR: "!!str", INT: "!!int", FLOAT: "!!float", BOOL: "!!bool", NULL: "!!null"}


def _scalar(node: Node) -> Any:
    tag = node.tag
    if tag == STR:
        return node.value
    convert = _SCALARS.get(tag)
    if convert is None:
        raise ConstructError(node, f"could not determine a constructor for the tag {tag!r}", "yaml-tag")
    try:
        return convert(node.value)
    except (ValueError, KeyError, IndexError):
        raise ConstructError(
            node, f"cannot construct {_SHORT_TAGS.get(tag, tag)} from {node.value!r}", "yaml-syntax"
        ) from None


def _key_text(node: Node) -> str:
    """A mapping key as Kubernetes' YAML-to-JSON conversion spells it."""
    if node.__class__ is not ScalarNode:
        kind = "mapping" if node.__class__ is MappingNode else "sequence"
        hint = ""
        if node.__class__ is MappingNode and node.flow_style and len(node.value) == 1:
            hint = " (an unquoted template placeholder like {{name}}? quote it)"
        raise ConstructError(node, f"unsupported map key: a {kind} cannot be an object key{hint}", "yaml-key")
    value = _scalar(node)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    raise ConstructError(node, "unsupported map key: null cannot be an object key", "yaml-key")


def key_text_or_none(node: Node) -> str | None:
    """The key text of a key node, or None if it cannot be a key."""
    try:
        return _key_text(node)
    except ConstructError:
        return None


def _duplicate(mapping: Node, key_node: Node, key: str) -> ConstructError:
    first = key_node
    for other, _ in mapping.value:
        if other is key_node:
            break
        if other.__class__ is ScalarNode and other.tag != MERGE and key_text_or_none(other) == key:
            first = other
            break
    return ConstructError(
        key_node, f'mapping key "{key}" already defined at line {first.start_mark.line + 1}',
        "yaml-duplicate-key",
    )


def _bad_tag(node: Node) -> ConstructError:
    return ConstructError(node, f"could not determine a constructor for the tag {node.tag!r}", "yaml-tag")


def _merge_sources(value_node: Node) -> list[Node]:
    if value_node.__class__ is MappingNode:
        return [value_node]
    if value_node.__class__ is SequenceNode and all(n.__class__ is MappingNode for n in value_node.value):
        return list(value_node.value)
    raise ConstructError(
        value_node, "expected a mapping or list of mappings for merging", "yaml-syntax"
    )


def _apply_merges(explicit: dict[str, Any], merged: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for source in merged:
        for key, value in source.items():
            result.setdefault(key, value)
    result.update(explicit)
    return result


def build_fast(node: Node) -> Any:
    """Construct a document known to contain no anchors (hence no aliases and no cycles)."""
    cls = node.__class__
    if cls is ScalarNode:
        if node.tag == STR:
            return node.value
        return _scalar(node)
    if cls is MappingNode:
        if node.tag != MAP:
            raise _bad_tag(node)
        result: dict[str, Any] = {}
        merged: list[dict[str, Any]] | None = None
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == STR:
                key = _intern(key_node.value)
            elif key_node.tag == MERGE:
                merged = (merged or []) + [build_fast(n) for n in _merge_sources(value_node)]
                continue
            else:
                key = _key_text(key_node)
            if key in result:
                raise _DuplicateKey
            if value_node.__class__ is ScalarNode and value_node.tag == STR:
                result[key] = value_node.value  # the common case, without a call
            else:
                result[key] = build_fast(value_node)
        return _apply_merges(result, merged) if merged else result
    if node.tag != SEQ:
        raise _bad_tag(node)
    return [build_fast(item) for item in node.value]


_IN_PROGRESS = object()


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class GuardedBuilder:
    """Constructs one document that may use aliases, refusing expansion beyond `limit` nodes.

    Duplicate keys are collected in `duplicates` (the last value wins, as in a non-strict decode)
    so that the rest of the document can still be checked.
    """

    def __init__(self, limit: int = ALIAS_LIMIT) -> None:
        self.limit = limit
        self.count = 0
        self.expanded = 0
        self.memo: dict[int, Any] = {}
        self.duplicates: list[ConstructError] = []

    def build(self, node: Node) -> Any:
        """Construct `node`, counting nodes reached through aliases."""
        cls = node.__class__
        self.count += 1
        if cls is ScalarNode:
            return _scalar(node)
        hit = self.memo.get(id(node))
        if hit is not None:
            return self._reuse(node, hit)
        self.memo[id(node)] = _IN_PROGRESS
        start = self.count - 1
        value = self._mapping(node) if cls is MappingNode else self._sequence(node)
        self.memo[id(node)] = (value, self.count - start)
        return value

    def _reuse(self, node: Node, hit: Any) -> Any:
        if hit is _IN_PROGRESS:
            raise ConstructError(node, "recursive alias: a node cannot contain itself", "yaml-alias-limit")
        value, size = hit
        self.count += size - 1
        self.expanded += size
        if self.expanded > self.limit:
            raise ConstructError(
                node,
                f"aliases expand this document to more than {self.limit} nodes (a \"billion laughs\" "
                "document?); refusing to load it",
                "yaml-alias-limit",
            )
        return _copy(value)

    def _mapping(self, node: Node) -> dict[str, Any]:
        if node.tag != MAP:
            raise _bad_tag(node)
        result: dict[str, Any] = {}
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == MERGE:
                merged.extend(self.build(n) for n in _merge_sources(value_node))
                continue
            key = _intern(_key_text(key_node))
            if key in result:
                self.duplicates.append(_duplicate(node, key_node, key))
            result[key] = self.build(value_node)
        return _apply_merges(result, merged) if merged else result

    def _sequence(self, node: Node) -> list[Any]:
        if node.tag != SEQ:
            raise _bad_tag(node)
        return [self.build(item) for item in node.value]


def build(node: Node, may_alias: bool) -> tuple[Any, list[ConstructError]]:
    """Construct one document: (value, duplicate-key errors); raises ConstructError if it cannot.

    `may_alias` is False only when the source has no anchors at all; documents with duplicate
    keys (rare) are built a second time, by the builder that records them.
    """
    if not may_alias:
        try:
            return build_fast(node), []
        except _DuplicateKey:
            pass
    builder = GuardedBuilder()
    value = builder.build(node)
    return value, builder.duplicates
