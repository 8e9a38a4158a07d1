"""kubectl's JSONPath dialect (`-o jsonpath=...`, custom-columns, `--sort-by`): a port of client-go.

A port of k8s.io/client-go/util/jsonpath (parser.go and jsonpath.go), so templates mean what they
mean to kubectl: text outside `{}` is printed as is; inside, `.field` (a `\\.` in a name is a
literal dot: `.metadata.labels.kubernetes\\.io/hostname`), `[n]`, `[a:b:step]` (negative indexes
count from the end), `[*]`, `..` (recursive descent), `['a', 'b']` (unions), `[?(@.x==1)]`
filters (`==`, `!=`, `<`, `>`, `<=`, `>=`, or a bare path: the element has it), `"quoted text"`,
and `{range ...}...{end}` loops. Results of one action are printed separated by spaces; maps and
lists print as Go's `json.Marshal` prints them (compact, keys sorted), scalars as Go's `fmt.Print`.
`allow_missing` is kubectl's `--allow-missing-template-keys` (true by default there).

Wildcards and `..` walk a map in the order its keys were decoded (Go's order is random, and
client-go's tests sort); a map printed as JSON has its keys sorted, as Go's encoder sorts them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class JSONPathError(ValueError):
    """A template that does not parse, or does not fit the data."""


@dataclass
class Node:
    kind: str  # list text field array filter int float bool wildcard recursive union identifier
    value: Any = None
    nodes: list[Node] = field(default_factory=list)
    params: list[list[Any]] = field(default_factory=list)  # array: [known, value, derived] x3
    left: Node | None = None
    right: Node | None = None


_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=~]+)(.+?)$", re.DOTALL)
_EOF = ""


def _is_terminator(r: str) -> bool:
    return r in (_EOF, " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


def _is_alnum(r: str) -> bool:
    return r == "_" or r.isalpha() or r.isdigit()


class _Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.root = Node("list")

    def next(self) -> str:
        if self.pos >= len(self.input):
            return _EOF
        r = self.input[self.pos]
        self.pos += 1
        return r

    def backup(self, r: str) -> None:
        if r != _EOF:
            self.pos -= 1

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else _EOF

    def consume(self) -> str:
        value = self.input[self.start:self.pos]
        self.start = self.pos
        return value

    def parse_text(self) -> None:
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    self.root.nodes.append(Node("text", self.consume()))
                self.pos += 1
                self.consume()
                action = Node("list")
                self.root.nodes.append(action)
                if self.inside(action):
                    continue  # a right delimiter: back to text
                return
            if self.next() == _EOF:
                break
        if self.pos > self.start:
            self.root.nodes.append(Node("text", self.consume()))

    def inside(self, cur: Node) -> bool:
        """Parse an action's content; True when its `}` was reached (text follows)."""
        while True:
            rest = self.input[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self.consume()
                return True
            if rest.startswith("[?("):
                self.parse_filter(cur)
                continue
            if rest.startswith(".."):
                self.parse_recursive(cur)
                continue
            r = self.next()
            if r == _EOF or r in "\r\n":
                raise JSONPathError("unclosed action")
            if r == " " or r in "@$":
                self.consume()
            elif r == "[":
                self.parse_array(cur)
            elif r in "\"'":
                self.parse_quote(cur, r)
            elif r == ".":
                self.parse_field(cur)
            elif r in "+-" or r.isdigit():
                self.backup(r)
                self.parse_number(cur)
            elif _is_alnum(r):
                self.backup(r)
                self.parse_identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: U+{ord(r):04X} {r!r}")

    def parse_identifier(self, cur: Node) -> None:
        while True:
            r = self.next()
            if _is_terminator(r):
                self.backup(r)
                break
        value = self.consume()
        is_bool = value in ("true", "false")
        cur.nodes.append(Node("bool", value == "true") if is_bool else Node("identifier", value))

    def parse_recursive(self, cur: Node) -> None:
        if cur.nodes and cur.nodes[-1].kind == "recursive":
            raise JSONPathError("invalid multiple recursive descent")
        self.pos += 2
        self.consume()
        cur.nodes.append(Node("recursive"))
        if _is_alnum(self.peek()):
            self.parse_field(cur)

    def parse_number(self, cur: Node) -> None:
        if self.peek() in ("+", "-"):
            self.next()
        while True:
            r = self.next()
            if r != "." and not r.isdigit():
                self.backup(r)
                break
        value = self.consume()
        try:
            cur.nodes.append(Node("int", int(value)))
            return
        except ValueError:
            pass
        try:
            cur.nodes.append(Node("float", float(value)))
        except ValueError:
            raise JSONPathError(f"cannot parse number {value}") from None

    def parse_array(self, cur: Node) -> None:
        while True:
            r = self.next()
            if r in (_EOF, "\n"):
                raise JSONPathError("unterminated array")
            if r == "]":
                break
        text = self.consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(Node("union", nodes=[_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.match(text)
        if key:
            cur.nodes.extend(_action(f".{key.group(1)}").nodes)
            return
        found = _SLICE.match(text)
        if not found:
            raise JSONPathError(f"invalid array index {text}")
        groups = list(found.groups())
        params: list[list[Any]] = [[False, 0, False] for _ in range(3)]
        for i in range(3):
            value = groups[i]
            if value:
                if i > 0:
                    value = value[1:]
                if i > 0 and value == "":
                    params[i][0] = False
                else:
                    try:
                        params[i] = [True, int(value), False]
                    except ValueError:
                        raise JSONPathError(f"array index {value} is not a number") from None
            elif i == 1:
                params[1] = [True, params[0][1] + 1, True]
        cur.nodes.append(Node("array", params=params))

    def parse_filter(self, cur: Node) -> None:
        self.pos += 3
        self.consume()
        begin = end = False
        pair = ""
        while True:
            r = self.next()
            if r in (_EOF, "\n"):
                raise JSONPathError("unterminated filter")
            if r in "\"'":
                if not begin:
                    begin, pair = True, r
                    continue
                if self.input[self.pos - 2] != "\\" and r == pair:
                    end = True
            elif r == ")" and begin == end:
                break
        if self.next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self.consume()[:-2]
        match = _FILTER.match(text)
        if match is None:
            cur.nodes.append(Node("filter", value="exists", left=_action(text), right=Node("list")))
        else:
            cur.nodes.append(Node("filter", value=match.group(2), left=_action(match.group(1)),
                                  right=_action(match.group(3))))

    def parse_quote(self, cur: Node, quote: str) -> None:
        while True:
            r = self.next()
            if r in (_EOF, "\n"):
                raise JSONPathError("unterminated quoted string")
            if r == quote and self.input[self.pos - 2] != "\\":
                break
        value = self.consume()
        cur.nodes.append(Node("text", _unquote(value)))

    def parse_field(self, cur: Node) -> None:
        self.consume()
        while True:
            r = self.next()
            if r == "\\":
                self.next()
            elif _is_terminator(r):
                self.backup(r)
                break
        value = self.consume()
        cur.nodes.append(Node("wildcard") if value == "*" else Node("field", value.replace("\\", "")))


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
            "'": "'", '"': '"'}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.DOTALL)


def _unquote(text: str) -> str:
    """Go's strconv.Unquote, with single quotes allowed as well (client-go's UnquoteExtend)."""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"'":
        raise JSONPathError(f"unquote string {text} error invalid syntax")

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code[0] in "xuU":
            return chr(int(code[1:], 16))
        if code.isdigit():
            return chr(int(code, 8))
        raise JSONPathError(f"unquote string {text} error invalid syntax")

    return _ESCAPE.sub(one, text[1:-1])


def _action(text: str) -> Node:
    parser = _Parser("{" + text + "}")
    parser.parse_text()
    return parser.root.nodes[0]


def parse(template: str) -> Node:
    """The template's node list; JSONPathError when it does not parse."""
    parser = _Parser(template)
    parser.parse_text()
    return parser.root


class JSONPath:
    """A parsed template, executed against decoded JSON (dicts, lists, str, int, float, bool, None)."""

    def __init__(self, template: str, allow_missing: bool = True) -> None:
        self.template = template
        self.root = parse(template)
        self.allow_missing = allow_missing

    def find(self, data: Any) -> list[list[Any]]:
        """Each action's results, in template order (a range's body once per element)."""
        out, _ = self._block(self.root.nodes, 0, [data], 0)
        return out

    def execute(self, data: Any) -> str:
        return "".join(" ".join(to_text(v) for v in results) for results in self.find(data))

    def _block(self, nodes: list[Node], i: int, cur: list[Any], depth: int) -> tuple[list[list[Any]], int]:
        out: list[list[Any]] = []
        while i < len(nodes):
            node = nodes[i]
            head = node.nodes[0] if node.kind == "list" and node.nodes else None
            if head is not None and head.kind == "identifier" and head.value == "end":
                if depth == 0:
                    raise JSONPathError("not in range, nothing to end")
                return out, i + 1
            if head is not None and head.kind == "identifier" and head.value == "range":
                items = self._walk(cur, Node("list", nodes=node.nodes[1:]))
                after = None
                for item in items:
                    found, after = self._block(nodes, i + 1, [item], depth + 1)
                    out.extend(found)
                if after is None:  # no element: the body is still read through, to find its end
                    _, after = self._block(nodes, i + 1, [None], depth + 1)
                i = after
                continue
            out.append(self._walk(cur, node))
            i += 1
        return out, i

    def _walk(self, value: list[Any], node: Node) -> list[Any]:
        handler: Callable[[list[Any], Node], list[Any]] = getattr(self, f"_eval_{node.kind}")
        return handler(value, node)

    def _eval_list(self, value: list[Any], node: Node) -> list[Any]:
        for child in node.nodes:
            value = self._walk(value, child)
        return value

    def _eval_text(self, value: list[Any], node: Node) -> list[Any]:
        return [node.value]

    def _eval_int(self, value: list[Any], node: Node) -> list[Any]:
        return [node.value for _ in value]

    _eval_float = _eval_int
    _eval_bool = _eval_int

    def _eval_identifier(self, value: list[Any], node: Node) -> list[Any]:
        if node.value == "range":
            return value
        if node.value == "end":
            raise JSONPathError("not in range, nothing to end")
        raise JSONPathError(f"unrecognized identifier {node.value}")

    def _eval_field(self, value: list[Any], node: Node) -> list[Any]:
        if not value:
            return []
        results = [v[node.value] for v in value if isinstance(v, dict) and node.value in v]
        if not results and not self.allow_missing:
            raise JSONPathError(f"{node.value} is not found")
        return results

    def _eval_array(self, value: list[Any], node: Node) -> list[Any]:
        result: list[Any] = []
        for v in value:
            if v is None:
                continue
            if not isinstance(v, list):
                raise JSONPathError(f"{go_type(v)} is not array or slice")
            length = len(v)
            (known0, start, _), (known1, stop, derived1), (known2, step, _) = node.params
            start = start if known0 else 0
            if start < 0:
                start += length
            stop = stop if known1 else length
            if stop < 0 or (stop == 0 and derived1):
                stop += length
            if stop == start:
                return result
            if start >= length or start < 0:
                raise JSONPathError(f"array index out of bounds: index {start}, length {length}")
            if stop > length or stop < 0:
                raise JSONPathError(f"array index out of bounds: index {stop - 1}, length {length}")
            if start > stop:
                raise JSONPathError(f"starting index {start} is greater than ending index {stop}")
            if known2 and step <= 0:
                raise JSONPathError("step must be > 0")
            result.extend(v[start:stop:step if known2 else 1])
        return result

    def _eval_union(self, value: list[Any], node: Node) -> list[Any]:
        return [r for part in node.nodes for r in self._eval_list(value, part)]

    def _eval_wildcard(self, value: list[Any], node: Node) -> list[Any]:
        return [child for v in value for child in _children(v)]

    def _eval_recursive(self, value: list[Any], node: Node) -> list[Any]:
        result: list[Any] = []
        for v in value:
            children = _children(v)
            if children:
                result.append(v)
                result.extend(self._eval_recursive(children, node))
        return result

    def _eval_filter(self, value: list[Any], node: Node) -> list[Any]:
        assert node.left is not None and node.right is not None
        results = []
        for v in value:
            if not isinstance(v, list):
                raise JSONPathError(f"{to_text(v)} is not array or slice and cannot be filtered")
            for element in v:
                if node.value == "exists":
                    try:
                        lefts = self._eval_list([element], node.left)
                    except JSONPathError:
                        lefts = []
                    if lefts:
                        results.append(element)
                    continue
                lefts = self._eval_list([element], node.left)
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self._eval_list([element], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if _compare(node.value, lefts[0], rights[0]):
                    results.append(element)
        return results


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return list(value.encode())
    return []


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "invalid"


def _compare(operator: str, left: Any, right: Any) -> bool:
    """text/template's eq, ne, lt, le, gt, ge on basic kinds (no mixing of ints and floats)."""
    kinds = (_kind(left), _kind(right))
    if operator not in ("==", "!=", "<", ">", "<=", ">="):
        raise JSONPathError(f"unrecognized filter operator {operator}")
    if "invalid" in kinds:
        raise JSONPathError("invalid type for comparison")
    if kinds[0] != kinds[1]:
        raise JSONPathError("incompatible types for comparison")
    if operator == "==":
        return bool(left == right)
    if operator == "!=":
        return bool(left != right)
    if kinds[0] == "bool":
        raise JSONPathError("invalid type for comparison")
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[operator]


def go_type(value: Any) -> str:
    """The Go type kubectl's messages name for a decoded JSON value."""
    if isinstance(value, dict):
        return "map[string]interface {}"
    return {"bool": "bool", "int": "int64", "float": "float64", "string": "string"}.get(_kind(value), "<nil>")


def to_text(value: Any) -> str:
    """How kubectl prints one result: maps and lists as JSON, scalars as Go's fmt.Print."""
    return go_json(value) if isinstance(value, dict | list) else go_value(value)


def go_value(value: Any) -> str:
    """Go's `%v` of decoded JSON (`map[cpu:4]`, `[a b]`, `<nil>`, `1e+06`), as custom-columns prints."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def _shortest(value: float) -> tuple[str, str, int]:
    """(sign, digits, decimal point position) of the shortest decimal that reads back as `value`."""
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    return ("-" if sign else ""), text, exponent + len(text)


def _fixed(sign: str, digits: str, dp: int) -> str:
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return f"{sign}{digits}{'0' * (dp - len(digits))}"
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def _exponent(sign: str, digits: str, dp: int, width: int = 2) -> str:
    exp = dp - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):0{width}d}"


def _special(value: float) -> str | None:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    return None


def go_float(value: float) -> str:
    """Go's %v of a float64 (strconv 'g', shortest): 1, 2.2, 123456, 1.234567e+06, 1e-05."""
    special = _special(value)
    if special is not None:
        return special
    sign, digits, dp = _shortest(value)
    exp = dp - 1
    return _exponent(sign, digits, dp) if exp < -4 or exp >= 6 else _fixed(sign, digits, dp)


def _json_float(value: float) -> str:
    """encoding/json's float64: 'f' form unless below 1e-6 or from 1e21 on (then `1e+21`, `1e-7`)."""
    special = _special(value)
    if special is not None:
        return special
    sign, digits, dp = _shortest(value)
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        return _exponent(sign, digits, dp, width=1 if dp - 1 < 0 else 2)
    return _fixed(sign, digits, dp)


def go_json(value: Any) -> str:
    """Go's json.Marshal of decoded JSON: compact, map keys sorted, <, > and & escaped."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{go_json(str(k))}:{go_json(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, int):
        return str(value)
    import json

    text = json.dumps(str(value), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
