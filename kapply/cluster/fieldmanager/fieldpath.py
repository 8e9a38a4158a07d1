"""Field paths and field sets, and their `fieldsV1` encoding (sigs.k8s.io/structured-merge-diff
fieldpath).

A path element is one step into an object:

- `("f", name)`: a map field (`f:spec`);
- `("k", ((name, value), ...))`: an associative-list item by its key fields, sorted by name
  (`k:{"containerPort":80,"protocol":"TCP"}`);
- `("v", value)`: a set item by its value (`v:"finalizer.example.com"`);
- `("i", index)`: a list item by position (`i:0`).

Values are kept as their JSON text, in Go's encoding/json spelling (no spaces, `<>&` escaped), so
`true` and `1` stay distinct and a key serialises exactly as the API server writes it. A
`FieldSet` is a trie: `members` are the paths ending here, `children` the subtrees, both ordered
as SMD orders them (fields < keys < values < indexes). `to_fields_v1` / `from_fields_v1` convert
to and from the `fieldsV1` object of a managedFields entry (`"."` marks a path that is both a
member and has children). Pure; a FieldSet is never mutated once built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

_INDEX = re.compile(r"[+-]?[0-9]+")

PathElement = tuple[str, Any]
Path = tuple[PathElement, ...]


def go_json(value: Any) -> str:
    """JSON text as Go's encoding/json writes it (HTML characters escaped)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def field(name: str) -> PathElement:
    return ("f", name)


def key(fields: Iterable[tuple[str, Any]]) -> PathElement:
    """An associative-list item identified by (key field, value) pairs."""
    return ("k", tuple(sorted((name, go_json(value)) for name, value in fields)))


def value(v: Any) -> PathElement:
    return ("v", go_json(v))


def index(i: int) -> PathElement:
    return ("i", i)


def _value_rank(v: Any) -> tuple:
    """SMD value order: numbers < strings < booleans < lists < maps < null."""
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, int | float):
        return (0, v)
    if isinstance(v, str):
        return (1, v)
    if isinstance(v, list):
        return (3, tuple(_value_rank(x) for x in v))
    if isinstance(v, dict):
        return (4, tuple((k, _value_rank(x)) for k, x in sorted(v.items())))
    return (5,)


@lru_cache(maxsize=65536)
def order(pe: PathElement) -> tuple:
    """Sort key of a path element (fieldpath.PathElement.Compare)."""
    tag, content = pe
    if tag == "f":
        return (0, content)
    if tag == "k":
        return (1, tuple((name, _value_rank(json.loads(text))) for name, text in content))
    if tag == "v":
        return (2, _value_rank(json.loads(content)))
    return (3, content)


def serialize(pe: PathElement) -> str:
    """`f:name`, `k:{"name":"a"}`, `v:"x"`, `i:0`."""
    tag, content = pe
    if tag == "f":
        return "f:" + content
    if tag == "k":
        return "k:{" + ",".join(f"{go_json(name)}:{text}" for name, text in content) + "}"
    if tag == "v":
        return "v:" + content
    return f"i:{content}"


def deserialize(text: str) -> PathElement | None:
    """The path element of a fieldsV1 key; None for a kind this version does not know (skipped,
    as SMD does). ValueError for a malformed one."""
    if len(text) < 2 or text[1] != ":":
        raise ValueError(f"invalid path element {text!r}: missing colon")
    tag, rest = text[0], text[2:]
    if tag == "f":
        return ("f", rest)
    if tag == "k":
        fields = json.loads(rest)
        if not isinstance(fields, dict):
            raise ValueError(f"invalid key path element {text!r}")
        return key(fields.items())
    if tag == "v":
        return value(json.loads(rest))
    if tag == "i":
        if not _INDEX.fullmatch(rest):
            raise ValueError(f"invalid index path element {text!r}")
        return ("i", int(rest))
    return None


def _value_string(text: str) -> str:
    v = json.loads(text)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(_value_string(go_json(x)) for x in v) + "]"
    if isinstance(v, dict):
        return "".join(f"{k}={_value_string(go_json(x))}" for k, x in v.items())
    return str(v)


def element_string(pe: PathElement) -> str:
    """`.spec`, `[name="nginx"]`, `[="a"]`, `[0]` (fieldpath.PathElement.String)."""
    tag, content = pe
    if tag == "f":
        return "." + content
    if tag == "k":
        return "[" + ",".join(f"{name}={_value_string(text)}" for name, text in content) + "]"
    if tag == "v":
        return f"[={_value_string(content)}]"
    return f"[{content}]"


def path_string(path: Path) -> str:
    """`.spec.template.spec.containers[name="nginx"].image`."""
    return "".join(element_string(pe) for pe in path)


class FieldSet:
    """A set of paths as a trie (fieldpath.Set)."""

    __slots__ = ("children", "members")

    def __init__(self, members: frozenset[PathElement] = frozenset(),
                 children: dict[PathElement, FieldSet] | None = None) -> None:
        self.members = members
        self.children = children or {}

    @classmethod
    def of(cls, paths: Iterable[Path]) -> FieldSet:
        out = SetBuilder()
        for path in paths:
            out.insert(path)
        return out.freeze()

    def empty(self) -> bool:
        return not self.members and all(c.empty() for c in self.children.values())

    def __bool__(self) -> bool:
        return not self.empty()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldSet) and set(self.paths()) == set(other.paths())

    def __hash__(self) -> int:
        return hash(frozenset(self.paths()))

    def __repr__(self) -> str:
        return "FieldSet(" + ", ".join(path_string(p) for p in self.paths()) + ")"

    def size(self) -> int:
        return len(self.members) + sum(c.size() for c in self.children.values())

    def has(self, path: Path) -> bool:
        node = self
        for pe in path[:-1]:
            child = node.children.get(pe)
            if child is None:
                return False
            node = child
        return bool(path) and path[-1] in node.members

    def paths(self, prefix: Path = ()) -> Iterator[Path]:
        """Every path, in SMD's iteration order: this level's members, then each child's paths."""
        for pe in sorted(self.members, key=order):
            yield (*prefix, pe)
        for pe in sorted(self.children, key=order):
            yield from self.children[pe].paths((*prefix, pe))

    def with_prefix(self, pe: PathElement) -> FieldSet:
        """The paths under `pe`, without it."""
        return self.children.get(pe, EMPTY)

    def union(self, other: FieldSet) -> FieldSet:
        if other is EMPTY or (not other.members and not other.children):
            return self
        if not self.members and not self.children:
            return other
        children = dict(self.children)
        for pe, sub in other.children.items():
            mine = children.get(pe)
            children[pe] = sub if mine is None else mine.union(sub)
        return FieldSet(self.members | other.members, children)

    def intersection(self, other: FieldSet) -> FieldSet:
        children = {}
        for pe, sub in self.children.items():
            theirs = other.children.get(pe)
            if theirs is not None:
                both = sub.intersection(theirs)
                if not both.empty():
                    children[pe] = both
        return FieldSet(self.members & other.members, children)

    def difference(self, other: FieldSet) -> FieldSet:
        """Paths of self not in other (members of other do not remove what is under them)."""
        children = {}
        for pe, sub in self.children.items():
            theirs = other.children.get(pe)
            rest = sub if theirs is None else sub.difference(theirs)
            if not rest.empty():
                children[pe] = rest
        return FieldSet(self.members - other.members, children)

    def recursive_difference(self, other: FieldSet) -> FieldSet:
        """Like difference, and a member of other also removes every path under it."""
        children = {}
        for pe, sub in self.children.items():
            if pe in other.members:
                continue
            theirs = other.children.get(pe)
            rest = sub if theirs is None else sub.recursive_difference(theirs)
            if not rest.empty():
                children[pe] = rest
        return FieldSet(self.members - other.members, children)

    def leaves(self) -> FieldSet:
        """Members that have no children (the leaf fields)."""
        return FieldSet(frozenset(pe for pe in self.members if pe not in self.children),
                        {pe: sub.leaves() for pe, sub in self.children.items()})

    def filter_prefix(self, keep: frozenset[PathElement], *, inverse: bool = False) -> FieldSet:
        """Only the paths starting with one of `keep` (or, inverse, with none of them)."""
        if inverse:
            return FieldSet(self.members - keep, {pe: s for pe, s in self.children.items() if pe not in keep})
        return FieldSet(self.members & keep, {pe: s for pe, s in self.children.items() if pe in keep})


EMPTY = FieldSet()


class SetBuilder:
    """A mutable trie for building a FieldSet in one pass."""

    __slots__ = ("children", "members")

    def __init__(self) -> None:
        self.members: set[PathElement] = set()
        self.children: dict[PathElement, SetBuilder] = {}

    def insert(self, path: Path) -> None:
        node = self
        for pe in path[:-1]:
            node = node.children.setdefault(pe, SetBuilder())
        if path:
            node.members.add(path[-1])

    def freeze(self) -> FieldSet:
        children = {pe: c.freeze() for pe, c in self.children.items()}
        return FieldSet(frozenset(self.members), {pe: c for pe, c in children.items() if not c.empty()})


def to_fields_v1(fs: FieldSet) -> dict[str, Any]:
    """The `fieldsV1` object of a field set (fieldpath.Set.ToJSON)."""
    return _emit(fs, include_self=False)


def _emit(fs: FieldSet, include_self: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if include_self and (fs.members or fs.children):
        out["."] = {}
    for pe in sorted(fs.members | fs.children.keys(), key=order):
        child = fs.children.get(pe)
        if child is None or child.empty():
            out[serialize(pe)] = {}
        else:
            out[serialize(pe)] = _emit(child, include_self=pe in fs.members)
    return out


def from_fields_v1(fields: Any) -> FieldSet:
    """Parse a `fieldsV1` object (fieldpath.Set.FromJSON); ValueError when it is malformed."""
    if not isinstance(fields, dict):
        raise ValueError("fieldsV1 must be a JSON object")
    found, _ = _read(fields)
    return found if found is not None else EMPTY


def _read(fields: dict[str, Any]) -> tuple[FieldSet | None, bool]:
    """(children, whether this path is itself a member) of one fieldsV1 level."""
    members: set[PathElement] = set()
    children: dict[PathElement, FieldSet] = {}
    is_member = False
    for text, sub in fields.items():
        if text == ".":
            is_member = True
            continue
        pe = deserialize(text)
        if pe is None:
            continue
        if not isinstance(sub, dict):
            raise ValueError(f"fieldsV1 entry {text!r} must be a JSON object")
        grandchildren, child_member = _read(sub)
        if child_member:
            members.add(pe)
        if grandchildren is not None:
            children[pe] = grandchildren
    if not members and not children:
        return None, True
    return FieldSet(frozenset(members), children), is_member
