"""Go's number spellings: encoding/json's float output, strconv.ParseInt's input."""

from __future__ import annotations

import pytest

from kapply.model.gonum import go_json_number, parse_int64


@pytest.mark.parametrize(("value", "text"), [
    (3, "3"), (3e9, "3000000000"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
    (1.5e300, "1.5e+300"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (1e-5, "0.00001"), (0.1, "0.1"),
    (-0.0, "-0"), (2**64, "18446744073709551616"), (float("inf"), "+Inf"), (float("nan"), "NaN"),
])
def test_encoding_json_spelling(value: float, text: str) -> None:
    assert go_json_number(value) == text


@pytest.mark.parametrize(("text", "value"), [
    ("0", 0), ("+5", 5), ("-5", -5), ("007", 7), ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -(2**63)), ("9223372036854775808", None), ("", None), ("-", None),
    ("1_0", None), ("0x10", None), (" 1", None), ("\u0661", None),  # an Arabic-Indic digit is no digit to Go
    ("0" * 10_000 + "1", 1), ("9" * 10_000, None),
])
def test_strconv_parse_int(text: str, value: int | None) -> None:
    assert parse_int64(text) == value
