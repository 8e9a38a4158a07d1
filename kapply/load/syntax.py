"""YAML parsing down to nodes: libyaml when PyYAML has it, pure Python otherwise.

The composer (C in libyaml's case) turns the byte stream into one node graph per document; each
node carries its tag and start mark, which is all `construct` and `positions` need. Aliases stay
shared nodes here, so composing a billion-laughs file is cheap; expanding them is `construct`'s job,
under a budget.

Tag resolution runs once per plain scalar, so it is the hottest Python code of loading: the resolver
below memoises the answer per scalar text (keys and common values repeat across thousands of
documents) instead of running PyYAML's path-aware resolver. It resolves like PyYAML's SafeLoader
(YAML 1.1: `yes`/`on` are booleans, `0755` is octal); `construct` then keeps timestamps as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from kapply.model.collector import collector_paused as collector_paused  # re-exported

STR = "tag:yaml.org,2002:str"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
NULL = "tag:yaml.org,2002:null"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
VALUE = "tag:yaml.org,2002:value"
BINARY = "tag:yaml.org,2002:binary"

WITH_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))

_IMPLICIT = Resolver.yaml_implicit_resolvers
_CACHE_LIMIT = 50_000
_plain_tags: dict[str, str] = {}


def _resolve_plain(value: str) -> str:
    tag = _plain_tags.get(value)
    if tag is not None:
        return tag
    tag = STR
    if value == "":
        tag = NULL
    else:
        for candidate, pattern in _IMPLICIT.get(value[0], ()):
            if pattern.match(value):
                tag = candidate
                break
    if len(_plain_tags) < _CACHE_LIMIT:
        _plain_tags[value] = tag
    return tag


class _FastResolver:
    """The resolver protocol the composers call, without PyYAML's path resolvers."""

    def resolve(
        self, kind: type, value: Any, implicit: tuple[bool, bool], _known: Any = _plain_tags.get
    ) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                return _known(value) or _resolve_plain(value)
            return STR
        return MAP if kind is MappingNode else SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


class PurePythonParser(Reader, Scanner, Parser, Composer, _FastResolver):
    """PyYAML's pure-Python composer, where PyYAML was built without libyaml.

    3-4x slower, and it rejects tab-indented JSON, which libyaml accepts; otherwise it loads the
    same values at the same positions (tests/load/test_load_syntax.py).
    """

    def __init__(self, data: bytes) -> None:
        Reader.__init__(self, data)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)


_Parser: Any = PurePythonParser
if WITH_LIBYAML:
    from yaml._yaml import CParser

    class LibyamlParser(_FastResolver, CParser):  # type: ignore[misc]
        """libyaml's scanner, parser and composer, with the fast resolver above."""

        def __init__(self, data: bytes) -> None:
            CParser.__init__(self, data)

    _Parser = LibyamlParser


def compose_documents(data: bytes) -> Iterator[Node]:
    """Yield the node graph of each YAML document in `data`; raises `yaml.YAMLError` at the first error.

    Documents before a syntax error are yielded before the error is raised.
    """
    parser = _Parser(data)
    try:
        while parser.check_node():
            yield parser.get_node()
    finally:
        parser.dispose()


