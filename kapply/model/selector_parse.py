"""The label-selector string syntax (`kubectl -l`, `?labelSelector=`): apimachinery's lexer and parser.

A port of k8s.io/apimachinery/pkg/labels/selector.go (Lexer, Parser, NewRequirement's checks) with
its error messages, so `a=b=c`, `!a=b`, `a=b c` are refused as the API server refuses them, and
`a notin(b)`, `x in ()` (the value "") and `x>1` are read as it reads them. `kapply.model.selectors`
wraps the result in its `Selector`; tests/model/test_selectors.py holds upstream's tables.

    <selector-syntax>         ::= <requirement> | <requirement> "," <selector-syntax>
    <requirement>             ::= [!] KEY [ <set-based-restriction> | <exact-match-restriction> ]
    <set-based-restriction>   ::= "" | <inclusion-exclusion> <value-set>
    <inclusion-exclusion>     ::= "in" | "notin"
    <value-set>               ::= "(" <values> ")"
    <values>                  ::= VALUE | VALUE "," <values>
    <exact-match-restriction> ::= ["="|"=="|"!="|">"|"<"] VALUE
"""

from __future__ import annotations

import json
from enum import IntEnum

from kapply.model.gonum import parse_int64
from kapply.model.labelsyntax import is_qualified_name, is_valid_label_value


class Token(IntEnum):
    ERROR = 0
    END_OF_STRING = 1
    CLOSED_PAR = 2
    COMMA = 3
    DOES_NOT_EXIST = 4
    DOUBLE_EQUALS = 5
    EQUALS = 6
    GREATER_THAN = 7
    IDENTIFIER = 8
    IN = 9
    LESS_THAN = 10
    NOT_EQUALS = 11
    NOT_IN = 12
    OPEN_PAR = 13


STRING_TO_TOKEN = {
    ")": Token.CLOSED_PAR, ",": Token.COMMA, "!": Token.DOES_NOT_EXIST, "==": Token.DOUBLE_EQUALS,
    "=": Token.EQUALS, ">": Token.GREATER_THAN, "in": Token.IN, "<": Token.LESS_THAN,
    "!=": Token.NOT_EQUALS, "notin": Token.NOT_IN, "(": Token.OPEN_PAR,
}
_WHITESPACE = frozenset(" \t\r\n")
_SPECIAL = frozenset("=!(),><")
# selection.Operator spellings, in upstream's binaryOperators order (for its error message)
BINARY_OPERATORS = ("in", "notin", "=", "==", "!=", "gt", "lt")
_OPERATOR_OF = {Token.IN: "in", Token.EQUALS: "=", Token.DOUBLE_EQUALS: "==", Token.GREATER_THAN: "gt",
                Token.LESS_THAN: "lt", Token.NOT_IN: "notin", Token.NOT_EQUALS: "!="}


class SelectorSyntaxError(ValueError):
    """labels.Parse's error; the message is the API server's."""


class Lexer:
    """Tokenises a selector; a NUL character ends the input, as Go's lexer reads a 0 byte as the end."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.pos = 0

    def _read(self) -> str:
        if self.pos < len(self.s):
            ch = self.s[self.pos]
            self.pos += 1
            return ch
        return "\0"

    def _unread(self) -> None:
        self.pos -= 1

    def _scan_id_or_keyword(self) -> tuple[Token, str]:
        buffer: list[str] = []
        while True:
            ch = self._read()
            if ch == "\0":
                break
            if ch in _SPECIAL or ch in _WHITESPACE:
                self._unread()
                break
            buffer.append(ch)
        literal = "".join(buffer)
        return STRING_TO_TOKEN.get(literal, Token.IDENTIFIER), literal

    def _scan_special_symbol(self) -> tuple[Token, str]:
        last: tuple[Token, str] | None = None
        buffer = ""
        while True:
            ch = self._read()
            if ch == "\0":
                break
            if ch in _SPECIAL:
                buffer += ch
                token = STRING_TO_TOKEN.get(buffer)
                if token is not None:
                    last = (token, buffer)
                elif last is not None:
                    self._unread()
                    break
            else:
                self._unread()
                break
        if last is None:
            return Token.ERROR, f"error expected: keyword found '{buffer}'"
        return last

    def lex(self) -> tuple[Token, str]:
        """The next token and its literal."""
        ch = self._read()
        while ch in _WHITESPACE:
            ch = self._read()
        if ch == "\0":
            return Token.END_OF_STRING, ""
        self._unread()
        if ch in _SPECIAL:
            return self._scan_special_symbol()
        return self._scan_id_or_keyword()


# Requirement as the parser builds it: (key, selection.Operator spelling, sorted distinct values)
Parsed = tuple[str, str, tuple[str, ...]]


def _invalid(field: str, value: object, detail: str) -> str:
    """field.Invalid(...).Error(): strings Go-quoted, lists as JSON."""
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else \
        json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return f"{field}: Invalid value: {shown}: {detail}"


def _aggregate(errors: list[str]) -> str:
    unique = list(dict.fromkeys(errors))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def new_requirement(key: str, operator: str, values: list[str]) -> Parsed:
    """NewRequirement's checks (key, value count per operator, Gt/Lt integers, label values)."""
    errors: list[str] = []
    if problems := is_qualified_name(key):
        errors.append(_invalid("key", key, "; ".join(problems)))
    if operator in ("in", "notin") and not values:
        errors.append(_invalid("values", values, "for 'in', 'notin' operators, values set can't be empty"))
    elif operator in ("=", "==", "!=") and len(values) != 1:
        errors.append(_invalid("values", values, "exact-match compatibility requires one single value"))
    elif operator in ("exists", "!") and values:
        errors.append(_invalid("values", values, "values set must be empty for exists and does not exist"))
    elif operator in ("gt", "lt"):
        if len(values) != 1:
            errors.append(_invalid("values", values,
                                   "for 'Gt', 'Lt' operators, exactly one value is required"))
        for i, value in enumerate(values):
            if parse_int64(value) is None:
                errors.append(_invalid(f"values[{i}]", value,
                                       "for 'Gt', 'Lt' operators, the value must be an integer"))
    for i, value in enumerate(values):
        if problems := is_valid_label_value(value):
            errors.append(_invalid(f"values[{i}][{key}]", value, "; ".join(problems)))
    if errors:
        raise SelectorSyntaxError(_aggregate(errors))
    return key, operator, tuple(values)


class Parser:
    """The recursive-descent parser over the scanned tokens (lookahead/consume with a context)."""

    def __init__(self, text: str) -> None:
        self.items: list[tuple[Token, str]] = []
        lexer = Lexer(text)
        while True:
            item = lexer.lex()
            self.items.append(item)
            if item[0] == Token.END_OF_STRING:
                break
        self.position = 0

    @staticmethod
    def _in_values(item: tuple[Token, str], values: bool) -> tuple[Token, str]:
        token, literal = item
        if values and token in (Token.IN, Token.NOT_IN):
            return Token.IDENTIFIER, literal
        return token, literal

    def lookahead(self, values: bool = True) -> tuple[Token, str]:
        return self._in_values(self.items[self.position], values)

    def consume(self, values: bool = True) -> tuple[Token, str]:
        self.position += 1
        return self._in_values(self.items[self.position - 1], values)

    def parse(self) -> list[Parsed]:
        requirements: list[Parsed] = []
        while True:
            token, literal = self.lookahead()
            if token in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                try:
                    requirements.append(self._requirement())
                except SelectorSyntaxError as exc:
                    raise SelectorSyntaxError(f"unable to parse requirement: {exc}") from None
                token, literal = self.consume()
                if token == Token.END_OF_STRING:
                    return requirements
                if token != Token.COMMA:
                    raise SelectorSyntaxError(f"found '{literal}', expected: ',' or 'end of string'")
                after, after_literal = self.lookahead()
                if after not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                    raise SelectorSyntaxError(f"found '{after_literal}', expected: identifier after ','")
            elif token == Token.END_OF_STRING:
                return requirements
            else:
                raise SelectorSyntaxError(f"found '{literal}', expected: !, identifier, or 'end of string'")

    def _requirement(self) -> Parsed:
        key, operator = self._key_and_inferred_operator()
        if operator in ("exists", "!"):
            return new_requirement(key, operator, [])
        operator = self._operator()
        values = self._values() if operator in ("in", "notin") else self._exact_value()
        return new_requirement(key, operator, sorted(values))

    def _key_and_inferred_operator(self) -> tuple[str, str]:
        operator = ""
        token, literal = self.consume()
        if token == Token.DOES_NOT_EXIST:
            operator = "!"
            token, literal = self.consume()
        if token != Token.IDENTIFIER:
            raise SelectorSyntaxError(f"found '{literal}', expected: identifier")
        if problems := is_qualified_name(literal):
            raise SelectorSyntaxError(_invalid("<nil>", literal, "; ".join(problems)))
        if self.lookahead()[0] in (Token.END_OF_STRING, Token.COMMA) and operator != "!":
            operator = "exists"
        return literal, operator

    def _operator(self) -> str:
        token, literal = self.consume(values=False)
        operator = _OPERATOR_OF.get(token)
        if operator is None:
            raise SelectorSyntaxError(f"found '{literal}', expected: {', '.join(BINARY_OPERATORS)}")
        return operator

    def _values(self) -> set[str]:
        token, literal = self.consume()
        if token != Token.OPEN_PAR:
            raise SelectorSyntaxError(f"found '{literal}' expected: '('")
        token, literal = self.lookahead()
        if token in (Token.IDENTIFIER, Token.COMMA):
            values = self._identifiers()
            if self.consume()[0] != Token.CLOSED_PAR:
                raise SelectorSyntaxError(f"found '{literal}', expected: ')'")
            return values
        if token == Token.CLOSED_PAR:  # "()" is the empty value
            self.consume()
            return {""}
        raise SelectorSyntaxError(f"found '{literal}', expected: ',', ')' or identifier")

    def _identifiers(self) -> set[str]:
        values: set[str] = set()
        while True:
            token, literal = self.consume()
            if token == Token.IDENTIFIER:
                values.add(literal)
                after, after_literal = self.lookahead()
                if after == Token.COMMA:
                    continue
                if after == Token.CLOSED_PAR:
                    return values
                raise SelectorSyntaxError(f"found '{after_literal}', expected: ',' or ')'")
            if token == Token.COMMA:  # "(," ",)" and ",," stand for the empty value
                if not values:
                    values.add("")
                after = self.lookahead()[0]
                if after in (Token.CLOSED_PAR, Token.COMMA):
                    values.add("")
                if after == Token.CLOSED_PAR:
                    return values
                continue
            raise SelectorSyntaxError(f"found '{literal}', expected: ',', or identifier")

    def _exact_value(self) -> set[str]:
        token, _ = self.lookahead()
        if token in (Token.END_OF_STRING, Token.COMMA):
            return {""}
        token, literal = self.consume()
        if token == Token.IDENTIFIER:
            return {literal}
        raise SelectorSyntaxError(f"found '{literal}', expected: identifier")


def parse_requirements(text: str) -> list[Parsed]:
    """labels.Parse: the requirements sorted by key (stably); SelectorSyntaxError as Kubernetes words it."""
    return sorted(Parser(text).parse(), key=lambda r: r[0])
