"""YAML parsing down to nodes: libyaml when PyYAML has it, pure Python otherwise.

The composer (C in libyaml's case) turns the byte stream into one node graph per document; each
node carries its tag and start mark, which is all `construct` and `positions` need. Aliases stay
shared nodes here, so composing a billion-laughs file is cheap; expanding them is `construct`'s job,
under a budget.

Tag resolution runs once per plain scalar, so it is the hottest Python code of loading: the resolver
below memoises the answer per scalar text (keys and common values repeat across thousands of
documents) instead of running PyYAML's path-aware resolver. It resolves as Kubernetes does, whose
YAML library (sigs.k8s.io/yaml, go-yaml v2) differs from PyYAML's YAML 1.1 here and there: `y`/`n`
are booleans as `yes`/`on` are, `1e3` and `1.5e3` are numbers, `0o17` is octal as `0755` is,
`12:30` is a string (no base-60 numbers), and a number out of range is a string. Timestamps are
strings too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
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

_CACHE_LIMIT = 50_000
_CACHED_TEXT_MAX = 256  # long texts are rare and would pin memory
_plain_tags: dict[str, str] = {}

# go-yaml v2's resolve table (resolve.go), then its number syntax: strconv.ParseInt(s, 0, 64) after
# removing underscores, else ParseUint, else `yamlStyleFloat` through ParseFloat (finite only).
_GO_WORDS = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
                     "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], BOOL),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], NULL),
    **dict.fromkeys([".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                     "-.inf", "-.Inf", "-.INF"], FLOAT),
    "<<": MERGE,
}
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INT_RANGE = (-(2**63), 2**64 - 1)
# An integer in int64/uint64 range has at most 64 significant digits in any base go-yaml reads
# (binary being the longest); longer ones are refused before Python converts them, so a 10-MB
# digit string costs a length check, not int()'s quadratic time (or its 4300-digit limit).
_MAX_SIGNIFICANT_DIGITS = 64


def go_int(text: str) -> int:
    """An integer in go-yaml's syntax (`0x1F`, `0o17`, `0755`, `0b101`, `1_000`) within int64/uint64.

    ValueError if it is not one, or is out of that range (go-yaml's ParseInt/ParseUint fail there).
    """
    value = text.replace("_", "")
    sign = -1 if value[:1] == "-" else 1
    digits = value[1:] if value[:1] in "+-" else value
    if digits[:2].lower() in ("0x", "0o", "0b"):
        base, body = {"x": 16, "o": 8, "b": 2}[digits[1].lower()], digits[2:]
    elif len(digits) > 1 and digits[0] == "0":
        base, body = 8, digits[1:]
    else:
        base, body = 10, digits
    if len(body.lstrip("0")) > _MAX_SIGNIFICANT_DIGITS:
        raise ValueError(f"integer out of range: {text[:40]}...")
    number = sign * int(body, base)
    if not _INT_RANGE[0] <= number <= _INT_RANGE[1]:
        raise ValueError(f"integer out of range: {text[:40]}")
    return number


def _go_tag(value: str) -> str:
    tag = _GO_WORDS.get(value)
    if tag is not None:
        return tag
    first = value[0]
    if first == ".":
        plain = value  # ParseFloat of the text as it is: no underscores without a base prefix
    elif first in "0123456789+-":
        plain = value.replace("_", "")
        if _GO_INT.match(plain):
            try:
                go_int(plain)
                return INT
            except ValueError:
                pass  # out of range: a float if it is one, else a string
    else:
        return STR
    if _GO_FLOAT.match(plain) and math.isfinite(float(plain)):
        return FLOAT
    return STR


def _resolve_plain(value: str) -> str:
    tag = _plain_tags.get(value)
    if tag is not None:
        return tag
    tag = _go_tag(value)
    if len(_plain_tags) < _CACHE_LIMIT and len(value) <= _CACHED_TEXT_MAX:
        _plain_tags[value] = tag
    return tag


def plain_tag(text: str) -> str:
    """The tag go-yaml v2 resolves an unquoted scalar to (STR, INT, FLOAT, BOOL, NULL or MERGE)."""
    return _resolve_plain(text)


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

    class LibyamlParser(_FastResolver, CParser):
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


