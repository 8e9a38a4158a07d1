"""Label selectors: apimachinery's parser tables, then the cases kapply used to get wrong.

Ported from k8s.io/apimachinery/pkg/labels/selector_test.go: TestSelectorParse, TestLexer,
TestLexerSequence, TestParserLookahead, TestParseOperator, TestRequirementConstructor,
TestSelectorMatches, TestRequirementSelectorMatching, TestSetSelectorParser, TestDeterministicParse.
"""

from __future__ import annotations

import pytest

from kapply.errors import UsageError
from kapply.model.selector_parse import (
    BINARY_OPERATORS,
    Lexer,
    Parser,
    SelectorSyntaxError,
    Token,
    new_requirement,
)
from kapply.model.selectors import Requirement, Selector, from_label_selector, from_match_labels, parse


@pytest.mark.parametrize("text", [
    "x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5",
])
def test_good_strings_parse_and_restring(text: str) -> None:
    assert str(parse(text)) == text.replace(" ", "")


@pytest.mark.parametrize("text", ["x=a||y=b", "x==a==b", "!x=a", "x<a"])
def test_bad_strings(text: str) -> None:
    with pytest.raises(UsageError):
        parse(text)


def test_deterministic_parse() -> None:
    assert str(parse("x=a,a=x")) == str(parse("a=x,x=a")) == "a=x,x=a"


@pytest.mark.parametrize(("text", "token"), [
    ("", Token.END_OF_STRING), (",", Token.COMMA), ("notin", Token.NOT_IN), ("in", Token.IN),
    ("=", Token.EQUALS), ("==", Token.DOUBLE_EQUALS), (">", Token.GREATER_THAN), ("<", Token.LESS_THAN),
    ("!", Token.DOES_NOT_EXIST), ("!=", Token.NOT_EQUALS), ("(", Token.OPEN_PAR), (")", Token.CLOSED_PAR),
    ("~", Token.IDENTIFIER), ("||", Token.IDENTIFIER),
])
def test_lexer(text: str, token: Token) -> None:
    assert Lexer(text).lex() == (token, text)


ID, IN, NOTIN, OP, CP, CM = (Token.IDENTIFIER, Token.IN, Token.NOT_IN, Token.OPEN_PAR, Token.CLOSED_PAR,
                             Token.COMMA)
SEQUENCES = [
    ("key in ( value )", [ID, IN, OP, ID, CP]),
    ("key notin ( value )", [ID, NOTIN, OP, ID, CP]),
    ("key in ( value1, value2 )", [ID, IN, OP, ID, CM, ID, CP]),
    ("key", [ID]),
    ("!key", [Token.DOES_NOT_EXIST, ID]),
    ("()", [OP, CP]),
    ("x in (),y", [ID, IN, OP, CP, CM, ID]),
    ("== != (), = notin", [Token.DOUBLE_EQUALS, Token.NOT_EQUALS, OP, CP, CM, Token.EQUALS, NOTIN]),
    ("key>2", [ID, Token.GREATER_THAN, ID]),
    ("key<1", [ID, Token.LESS_THAN, ID]),
]


@pytest.mark.parametrize(("text", "tokens"), SEQUENCES)
def test_lexer_sequence_and_parser_lookahead(text: str, tokens: list[Token]) -> None:
    lexer, found = Lexer(text), []
    while (token := lexer.lex()[0]) != Token.END_OF_STRING:
        found.append(token)
    assert found == tokens
    parser = Parser(text)
    assert [t for t, _ in parser.items] == [*tokens, Token.END_OF_STRING]
    while True:
        ahead = parser.lookahead(values=False)
        assert parser.consume(values=False) == ahead
        if ahead[0] == Token.END_OF_STRING:
            break


@pytest.mark.parametrize(("token", "error"), [
    ("in", None), ("=", None), ("==", None), (">", None), ("<", None), ("notin", None), ("!=", None),
    ("!", "!"), ("exists", "exists"), ("(", "("),
])
def test_parse_operator(token: str, error: str | None) -> None:
    parser = Parser(token)
    if error is None:
        parser._operator()
        return
    with pytest.raises(SelectorSyntaxError) as err:
        parser._operator()
    assert str(err.value) == f"found '{error}', expected: {', '.join(BINARY_OPERATORS)}"


@pytest.mark.parametrize(("key", "operator", "values", "field"), [
    ("x1", "in", [], "values"), ("x2", "notin", [], "values"), ("x3", "in", ["foo"], None),
    ("x4", "notin", ["foo"], None), ("x5", "=", ["bar", "foo"], "values"), ("x6", "exists", [], None),
    ("x7", "!", [], None), ("x8", "exists", ["foo"], "values"), ("x9", "in", ["bar"], None),
    ("x10", "in", ["bar"], None), ("x11", "gt", ["1"], None), ("x12", "lt", ["6"], None),
    ("x13", "gt", [], "values"), ("x14", "gt", ["bar"], "values[0]"), ("x15", "lt", ["bar"], "values[0]"),
    ("a" * 254, "exists", [], "key"),  # breaks DNS rule that len(key) <= 253
    ("x16", "=", ["a" * 254], "values[0][x16]"), ("x17", "=", ["a b"], "values[0][x17]"),
])
def test_requirement_constructor(key: str, operator: str, values: list[str], field: str | None) -> None:
    if field is None:
        assert new_requirement(key, operator, values) == (key, operator, tuple(values))
        return
    with pytest.raises(SelectorSyntaxError) as err:
        new_requirement(key, operator, values)
    assert str(err.value).startswith(f"{field}: Invalid value: ")


@pytest.mark.parametrize(("text", "labels", "match"), [
    # TestSelectorMatches
    ("", {"x": "y"}, True), ("x=y", {"x": "y"}, True), ("x=y,z=w", {"x": "y", "z": "w"}, True),
    ("x!=y,z!=w", {"x": "z", "z": "a"}, True), ("notin=in", {"notin": "in"}, True), ("x", {"x": "z"}, True),
    ("!x", {"y": "z"}, True), ("x>1", {"x": "2"}, True), ("x<1", {"x": "0"}, True),
    ("x=z", {}, False), ("x=y", {"x": "z"}, False), ("x=y,z=w", {"x": "w", "z": "w"}, False),
    ("x!=y,z!=w", {"x": "z", "z": "w"}, False), ("x", {"y": "z"}, False), ("!x", {"x": "z"}, False),
    ("x>1", {"x": "0"}, False), ("x<1", {"x": "2"}, False),
    ("foo=bar", {"foo": "bar", "baz": "blah"}, True), ("baz=blah", {"foo": "bar", "baz": "blah"}, True),
    ("foo=bar,baz=blah", {"foo": "bar", "baz": "blah"}, True),
    ("foo=blah", {"foo": "bar", "baz": "blah"}, False),
    ("baz=bar", {"foo": "bar", "baz": "blah"}, False),
    ("foo=bar,foobar=bar,baz=blah", {"foo": "bar", "baz": "blah"}, False),
    # TestRequirementSelectorMatching, written as strings
    ("x in (foo),y notin (alpha)", {"x": "foo", "y": "baz"}, True),
    ("x in (foo),y in (alpha)", {"x": "foo", "y": "baz"}, False),
    ("x notin (),y", {"y": ""}, True), ("!x,y", {"y": ""}, True), ("x notin (),!y", {"y": ""}, False),
    ("x in ()", {"y": "baz"}, False), ("z>1", {"z": "2"}, True), ("z>1", {"z": "v2"}, False),
])
def test_matching(text: str, labels: dict[str, str], match: bool) -> None:
    assert parse(text).matches(labels) is match


def r(key: str, operator: str, *values: str) -> Requirement:
    return Requirement(key, operator, tuple(sorted(values)))


# TestSetSelectorParser: input, the requirements (None: not compared), valid
SET_PARSER = [
    ("", [], True),
    ("\rx", [r("x", "Exists")], True),
    ("this-is-a-dns.domain.com/key-with-dash", [r("this-is-a-dns.domain.com/key-with-dash", "Exists")], True),
    ("this-is-another-dns.domain.com/key-with-dash in (so,what)",
     [r("this-is-another-dns.domain.com/key-with-dash", "In", "so", "what")], True),
    ("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
     [r("0.1.2.domain/99", "NotIn", "10.10.100.1", "tick.tack.clock")], True),
    ("foo  in\t (abc)", [r("foo", "In", "abc")], True),
    ("x notin\n (abc)", [r("x", "NotIn", "abc")], True),
    ("x  notin\t\t\t(abc,def)", [r("x", "NotIn", "abc", "def")], True),
    ("x in (abc,def)", [r("x", "In", "abc", "def")], True),
    ("x in (abc,)", [r("x", "In", "abc", "")], True),
    ("x in (abc,abc)", [r("x", "In", "abc")], True),
    ("x in ()", [r("x", "In", "")], True),
    ("x in (a,,)", [r("x", "In", "a", "")], True),
    ("x in (a,,,)", [r("x", "In", "a", "")], True),
    ("x in (a,,,,,,)", [r("x", "In", "a", "")], True),
    ("x in (a,,a,,a,,a,,)", [r("x", "In", "a", "")], True),
    ("x notin (abc,,def),bar,z in (),w",
     [r("bar", "Exists"), r("w", "Exists"), r("x", "NotIn", "abc", "", "def"), r("z", "In", "")], True),
    ("x,y in (a)", None, True),
    ("x=a", [r("x", "In", "a")], True),
    ("x>1", [r("x", "Gt", "1")], True),
    ("x<7", [r("x", "Lt", "7")], True),
    ("x=a,y!=b", [r("x", "In", "a"), r("y", "NotIn", "b")], True),
    ("x=a,y!=b,z in (h,i,j)", [r("x", "In", "a"), r("y", "NotIn", "b"), r("z", "In", "h", "i", "j")], True),
    ("x=a||y=b", None, False),
    ("x,,y", None, False),
    (",x,y", None, False),
    ("x nott in (y)", None, False),
    ("x notin ( )", [r("x", "NotIn", "")], True),
    ("x notin (, a)", [r("x", "NotIn", "", "a")], True),
    ("a in (xyz),", None, False),
    ("a in (xyz)b notin ()", None, False),
    ("a ", [r("a", "Exists")], True),
    ("a in (x,y,notin, z,in)", [r("a", "In", "in", "notin", "x", "y", "z")], True),  # 'in' among identifiers
    ("a in (xyz abc)", None, False),  # no comma
    ("a notin(", None, False),  # bad formed
    ("a (", None, False),  # cpar
    ("(", None, False),  # opar
]


@pytest.mark.parametrize(("text", "requirements", "valid"), SET_PARSER)
def test_set_selector_parser(text: str, requirements: list[Requirement] | None, valid: bool) -> None:
    if not valid:
        with pytest.raises(UsageError):
            parse(text)
        return
    selector = parse(text)
    if requirements is not None:
        assert list(selector.requirements) == requirements


@pytest.mark.parametrize(("text", "message"), [
    # the strings kapply accepted or refused wrongly before this port, with the API server's words
    ("a=b=c", "found '=', expected: ',' or 'end of string'"),
    ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("a,", "found '', expected: identifier after ','"),
    ("a/b/c=x", 'unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key must consist'),
    ("x=a b", "found 'b', expected: ',' or 'end of string'"),
    ("x=" + "a" * 64, 'unable to parse requirement: values[0][x]: Invalid value: "' + "a" * 64
     + '": must be no more than 63 characters'),
    ("x>a", 'unable to parse requirement: values[0]: Invalid value: "a": for \'Gt\', \'Lt\' operators, '
            "the value must be an integer"),
])
def test_refusals_word_it_as_kubernetes(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse(text)
    assert str(err.value).startswith(message)


def test_what_kubernetes_accepts() -> None:
    assert parse("a notin(b)").requirements == (r("a", "NotIn", "b"),)
    assert str(parse("a notin(b)")) == "a notin (b)"
    assert parse("a in ()").matches({"a": ""}) and not parse("a in ()").matches({"a": "x"})
    assert parse("x in (b,a)").requirements == (r("x", "In", "a", "b"),)


def test_manifest_selectors_share_the_selector() -> None:
    labels = {"app": "web", "tier": "db"}
    assert from_match_labels(labels) == parse("tier=db,app=web")
    assert str(from_match_labels(labels)) == "app=web,tier=db"
    sel = from_label_selector({"matchLabels": {"app": "web"},
                               "matchExpressions": [{"key": "tier", "operator": "In", "values": ["db"]}]})
    assert sel.matches(labels) and str(sel) == "app=web,tier in (db)"
    assert Selector().empty and Selector().matches(None)
    assert parse("a=b,c in (d)").equality_pairs() == [("a", "b"), ("c", "d")]
