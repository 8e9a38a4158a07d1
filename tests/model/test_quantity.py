"""Quantities: apimachinery's own tables, then kapply's cases (huge exponents, JSON numbers, views).

The tables are ported from k8s.io/apimachinery/pkg/api/resource/quantity_test.go (TestQuantityParse,
TestParseQuantityString, TestQuantityCmp, TestQuantityString, TestQuantityParseEmit,
TestParseQuantity, TestJSONWhitespace). Upstream writes an expected quantity as
`decQuantity(i, exponent, format)`, the value i x 10^exponent; here that is `dq(i, exponent)`.
"""

from __future__ import annotations

import time
from decimal import Decimal
from fractions import Fraction

import pytest

from kapply.model.quantity import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    FORMAT_ERROR,
    NUMERIC_ERROR,
    SUFFIX_ERROR,
    Quantity,
    QuantityError,
    _split,
    from_value,
    millicores,
    parse,
    parse_quantity,
    to_bytes,
)

DSI, BSI, DEX = DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT
MAX_ALLOWED = Decimal(2**63 - 1)


def dq(i: int, exponent: int) -> Decimal:
    return Decimal(i).scaleb(exponent)


# TestQuantityParse: input, value, format
PARSE_TABLE = [
    ("0", dq(0, 0), DSI), ("0n", dq(0, 0), DSI), ("0u", dq(0, 0), DSI), ("0m", dq(0, 0), DSI),
    ("0Ki", dq(0, 0), BSI), ("0k", dq(0, 0), DSI), ("0Mi", dq(0, 0), BSI), ("0M", dq(0, 0), DSI),
    ("0Gi", dq(0, 0), BSI), ("0G", dq(0, 0), DSI), ("0Ti", dq(0, 0), BSI), ("0T", dq(0, 0), DSI),
    # Quantity less numbers are allowed
    ("1", dq(1, 0), DSI),
    # Binary suffixes
    ("1Ki", dq(1024, 0), BSI), ("8Ki", dq(8 * 1024, 0), BSI), ("7Mi", dq(7 * 1024**2, 0), BSI),
    ("6Gi", dq(6 * 1024**3, 0), BSI), ("5Ti", dq(5 * 1024**4, 0), BSI), ("4Pi", dq(4 * 1024**5, 0), BSI),
    ("3Ei", dq(3 * 1024**6, 0), BSI), ("10Ti", dq(10 * 1024**4, 0), BSI), ("100Ti", dq(100 * 1024**4, 0), BSI),  # noqa: E501
    # Decimal suffixes
    ("5n", dq(5, -9), DSI), ("4u", dq(4, -6), DSI), ("3m", dq(3, -3), DSI), ("9", dq(9, 0), DSI),
    ("8k", dq(8, 3), DSI), ("50k", dq(5, 4), DSI), ("7M", dq(7, 6), DSI), ("6G", dq(6, 9), DSI),
    ("5T", dq(5, 12), DSI), ("40T", dq(4, 13), DSI), ("300T", dq(3, 14), DSI), ("2P", dq(2, 15), DSI),
    ("1E", dq(1, 18), DSI),
    # Decimal exponents
    ("1E-3", dq(1, -3), DEX), ("1e3", dq(1, 3), DEX), ("1E6", dq(1, 6), DEX), ("1e9", dq(1, 9), DEX),
    ("1E12", dq(1, 12), DEX), ("1e15", dq(1, 15), DEX), ("1E18", dq(1, 18), DEX),
    # Nonstandard but still parsable
    ("1e14", dq(1, 14), DEX), ("1e13", dq(1, 13), DEX), ("1e3", dq(1, 3), DEX),
    ("100.035k", dq(100035, 0), DSI),
    # Things that look like floating point
    ("0.001", dq(1, -3), DSI), ("0.0005k", dq(5, -1), DSI), ("0.005", dq(5, -3), DSI),
    ("0.05", dq(5, -2), DSI), ("0.5", dq(5, -1), DSI), ("0.00050k", dq(5, -1), DSI),
    ("0.00500", dq(5, -3), DSI), ("0.05000", dq(5, -2), DSI), ("0.50000", dq(5, -1), DSI),
    ("0.5e0", dq(5, -1), DEX), ("0.5e-1", dq(5, -2), DEX), ("0.5e-2", dq(5, -3), DEX),
    ("0.5e0", dq(5, -1), DEX), ("10.035M", dq(10035, 3), DSI),
    ("1.2e3", dq(12, 2), DEX), ("1.3E+6", dq(13, 5), DEX), ("1.40e9", dq(14, 8), DEX),
    ("1.53E12", dq(153, 10), DEX), ("1.6e15", dq(16, 14), DEX), ("1.7E18", dq(17, 17), DEX),
    ("9.01", dq(901, -2), DSI), ("8.1k", dq(81, 2), DSI), ("7.123456M", dq(7123456, 0), DSI),
    ("6.987654321G", dq(6987654321, 0), DSI), ("5.444T", dq(5444, 9), DSI), ("40.1T", dq(401, 11), DSI),
    ("300.2T", dq(3002, 11), DSI), ("2.5P", dq(25, 14), DSI), ("1.01E", dq(101, 16), DSI),
    # Things that saturate/round
    ("3.001n", dq(4, -9), DSI), ("1.1E-9", dq(2, -9), DEX), ("0.0000000001", dq(1, -9), DSI),
    ("0.0000000005", dq(1, -9), DSI), ("0.00000000050", dq(1, -9), DSI), ("0.5e-9", dq(1, -9), DEX),
    ("0.9n", dq(1, -9), DSI), ("0.00000012345", dq(124, -9), DSI), ("0.00000012354", dq(124, -9), DSI),
    ("9Ei", MAX_ALLOWED, BSI), ("9223372036854775807Ki", MAX_ALLOWED, BSI), ("12E", dq(12, 18), DSI),
    # We'll accept fractional binary stuff, too.
    ("100.035Ki", dq(10243584, -2), BSI), ("0.5Mi", dq(524288, 0), BSI), ("0.05Gi", dq(536870912, -1), BSI),
    ("0.025Ti", dq(274877906944, -1), BSI),
    # Things written by trolls
    ("0.000000000001Ki", dq(2, -9), DSI),  # rounds up, changes format
    (".001", dq(1, -3), DSI), (".0001k", dq(100, -3), DSI), ("1.", dq(1, 0), DSI), ("1.G", dq(1, 9), DSI),
]


@pytest.mark.parametrize(("text", "value", "fmt"), PARSE_TABLE)
def test_parse_table(text: str, value: Decimal, fmt: str) -> None:
    for sign, signed in (("", value), ("+", value), ("-", -value)):
        q = parse(sign + text)
        assert (q.amount, q.format) == (signed, fmt), sign + text


@pytest.mark.parametrize("text", [
    "", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
    " 1", "1 ",  # trailing whitespace is forbidden
    "Non-Numeric",  # TestQuantityParseNonNumericPanic
])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(QuantityError):
        parse(text)


@pytest.mark.parametrize(("text", "positive", "value", "num", "denom", "suffix"), [
    # TestParseQuantityString
    ("0.025Ti", True, "0.025", "0", "025", "Ti"),
    ("1.025Ti", True, "1.025", "1", "025", "Ti"),
    ("-1.025Ti", False, "-1.025", "1", "025", "Ti"),
    (".", True, ".", "0", "", ""),
    ("-.", False, "-.", "0", "", ""),
    ("1E-3", True, "1", "1", "", "E-3"),
])
def test_scanner(text: str, positive: bool, value: str, num: str, denom: str, suffix: str) -> None:
    assert _split(text) == (positive, value, num, denom, suffix)


@pytest.mark.parametrize(("x", "y", "expect"), [
    # TestQuantityCmp
    ("0", "0", 0), ("100m", "50m", 1), ("50m", "100m", -1), ("10000T", "100Gi", 1),
])
def test_compare(x: str, y: str, expect: int) -> None:
    a, b = parse(x).amount, parse(y).amount
    assert (a > b) - (a < b) == expect


# TestQuantityString: (value, format), canonical, an alternate spelling that parses to it
STRING_TABLE = [
    (dq(1024**3, 0), BSI, "1Gi", "1024Mi"), (dq(300 * 1024**2, 0), BSI, "300Mi", "307200Ki"),
    (dq(6 * 1024, 0), BSI, "6Ki", ""), (dq(1001 * 1024**3, 0), BSI, "1001Gi", "1025024Mi"),
    (dq(1024**4, 0), BSI, "1Ti", "1024Gi"), (dq(5, 0), BSI, "5", "5000m"), (dq(500, -3), BSI, "500m", "0.5"),
    (dq(1, 9), DSI, "1G", "1000M"), (dq(1000, 6), DSI, "1G", "0.001T"), (dq(1000000, 3), DSI, "1G", ""),
    (dq(1000000000, 0), DSI, "1G", ""), (dq(1, -3), DSI, "1m", "1000u"), (dq(80, -3), DSI, "80m", ""),
    (dq(1080, -3), DSI, "1080m", "1.08"), (dq(108, -2), DSI, "1080m", "1080000000n"),
    (dq(10800, -4), DSI, "1080m", ""), (dq(300, 6), DSI, "300M", ""), (dq(1, 12), DSI, "1T", ""),
    (dq(1234567, 6), DSI, "1234567M", ""), (dq(1234567, -3), BSI, "1234567m", ""), (dq(3, 3), DSI, "3k", ""),
    (dq(1025, 0), BSI, "1025", ""), (dq(0, 0), DSI, "0", ""), (dq(0, 0), BSI, "0", ""),
    (dq(1, 9), DEX, "1e9", ".001e12"), (dq(1, -3), DEX, "1e-3", "0.001e0"), (dq(1, -9), DEX, "1e-9", "1000e-12"),  # noqa: E501
    (dq(80, -3), DEX, "80e-3", ""), (dq(300, 6), DEX, "300e6", ""), (dq(1, 12), DEX, "1e12", ""),
    (dq(1, 3), DEX, "1e3", ""), (dq(3, 3), DEX, "3e3", ""), (dq(3, 3), DSI, "3k", ""), (dq(0, 0), DEX, "0", "00"),  # noqa: E501
    (dq(1, -9), DSI, "1n", ""), (dq(80, -9), DSI, "80n", ""), (dq(1080, -9), DSI, "1080n", ""),
    (dq(108, -8), DSI, "1080n", ""), (dq(10800, -10), DSI, "1080n", ""), (dq(1, -6), DSI, "1u", ""),
    (dq(80, -6), DSI, "80u", ""), (dq(1080, -6), DSI, "1080u", ""),
]


@pytest.mark.parametrize(("value", "fmt", "expect", "alternate"), STRING_TABLE)
def test_canonical_string(value: Decimal, fmt: str, expect: str, alternate: str) -> None:
    assert str(Quantity(value, fmt)) == expect
    assert str(parse(expect)) == expect
    if alternate:
        assert str(parse(alternate)) == expect
    if value:
        assert str(Quantity(-value, fmt)) == "-" + expect


@pytest.mark.parametrize(("text", "expect"), [
    # TestQuantityParseEmit
    ("1Ki", "1Ki"), ("1Mi", "1Mi"), ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1000M", "1G"),
    (".001Ki", "1024m"), (".000001Ki", "1024u"), (".000000001Ki", "1024n"), (".000000000001Ki", "2n"),
])
def test_parse_emit(text: str, expect: str) -> None:
    assert str(parse(text)) == expect
    assert str(parse("-" + text)) == "-" + expect


@pytest.mark.parametrize(("text", "expect"), [
    # TestParseQuantity (re-serialisation around the int64 limits; "" = the input itself)
    ("999999999999999999", ""), ("999999999999999999.0", "999999999999999999"),
    ("999999999999999999.1", "999999999999999999100m"), ("9999999999999999999", ""), ("1E", ""),
    ("1000000000000000000", "1E"), ("9999999999999999999.0", "9999999999999999999"), ("1.0E", "1E"),
    ("1000000000000000000.0", "1E"), ("9999999999999999999000m", "9999999999999999999"),
    ("9999999999999999999.1", "9999999999999999999100m"), ("1.0000000000000000001E", "1000000000000000000100m"),  # noqa: E501
    ("1000000000000000000.1", "1000000000000000000100m"), ("1.000000000000000001E", "1000000000000000001"),
    ("1000000000000000001", ""), ("10E", ""), ("10000000000000000000", "10E"), ("10.0E", "10E"),
    ("10000000000000000000.0", "10E"), ("10000000000000000000000m", "10E"),
    ("10.0000000000000000001E", "10000000000000000000100m"), ("10000000000000000000.1", "10000000000000000000100m"),  # noqa: E501
    ("10.000000000000000001E", "10000000000000000001"), ("10000000000000000001", ""),
    ("9223372036854775806", ""), ("9223372036854775806000m", "9223372036854775806"),
    ("9223372036854775806.1", "9223372036854775806100m"), ("9223372036854775807", ""),
    ("9223372036854775807000m", "9223372036854775807"), ("9223372036854775807.1", "9223372036854775807100m"),
    ("9223372036854775808", ""), ("9223372036854775808.0", "9223372036854775808"),
    ("9223372036854775808.1", "9223372036854775808100m"),
])
def test_reserialisation_near_int64(text: str, expect: str) -> None:
    assert str(parse(text)) == (expect or text)
    assert str(parse("-" + text)) == "-" + (expect or text)


@pytest.mark.parametrize(("value", "expect"), [
    # TestJSONWhitespace: the JSON decoder trims strings; numbers arrive as JSON text
    (" 1", "1"), ("1 ", "1"), (1, "1"), (10, "10"), (-1, "-1"),
    # kapply's: YAML floats as Go's encoding/json writes them, then parsed
    (0.1, "100m"), (1.5, "1500m"), (1e-7, "100e-9"), (1e21, "1e21"), (1000.0, "1k"), (2**64, "18446744073709551616"),  # noqa: E501
])
def test_manifest_values(value: object, expect: str) -> None:
    assert str(from_value(value)) == expect


@pytest.mark.parametrize(("value", "message"), [
    ("abc", FORMAT_ERROR), ("1Gb", FORMAT_ERROR), ("100mi", SUFFIX_ERROR), ("1K", SUFFIX_ERROR),
    ("1e", SUFFIX_ERROR), ("1e9223372036854775808", SUFFIX_ERROR), (".e-10", NUMERIC_ERROR),
    (True, FORMAT_ERROR), (None, FORMAT_ERROR), ([1], FORMAT_ERROR), (float("inf"), FORMAT_ERROR),
])
def test_refusals_carry_kubernetes_messages(value: object, message: str) -> None:
    with pytest.raises(QuantityError) as err:
        from_value(value)
    assert str(err.value) == message


@pytest.mark.parametrize(("text", "expect"), [
    ("1e999999", "1e999999"),  # accepted: ten to the 999999, kept as an int64 mantissa and a scale
    ("2.5e999999", "2500e999996"),  # the exponent a multiple of 3
    ("123456789012345678901234e999999", "123456789012345678901234e999999"),  # the inf.Dec path
    ("1e-999999", "1e-9"),  # rounded up to the smallest amount, nano
    ("1e2147483647", "10e2147483646"),
    ("1e4294967296", "1"),  # the exponent is an int64 truncated to int32, as Go does
    ("1e" + "0" * 100_000 + "5", "100e3"),
    ("1000E", "1e21"),  # 1.34 prints "1" (kubernetes/kubernetes#140459); kapply the exponent form
])
def test_huge_exponents_are_answered_at_once(text: str, expect: str) -> None:
    start = time.perf_counter()
    q = parse(text)
    assert str(q) == expect
    assert q.sign == 1 and q.milli_value() >= 1
    assert time.perf_counter() - start < 0.05


def test_huge_values_compare_exactly() -> None:
    assert parse("1e999999").amount < parse("2e999999").amount < parse("1e1000000").amount
    assert parse("1000e999996").amount == parse("1e999999").amount
    assert parse("-1e999999").sign == -1 and parse("1e999999").is_integer()
    assert not parse("1e-999999").is_integer()


def test_integer_views_round_up_and_clamp() -> None:
    assert (millicores("0.1"), millicores("1"), millicores("1.0001"), millicores(2)) == (100, 1000, 1001, 2000)  # noqa: E501
    assert (to_bytes("1Ki"), to_bytes("1.5"), to_bytes("1e999999")) == (1024, 2, 2**63 - 1)
    assert millicores("-1e999999") == -(2**63)
    assert parse_quantity("1.5Gi") == Fraction(3 * 2**29) and parse_quantity(1) == 1
    with pytest.raises(QuantityError):
        parse_quantity("1e999999")
