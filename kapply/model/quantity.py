"""Resource quantities (`500m`, `128Mi`, `1.5`, `2e3`): the one parser kapply has.

A port of apimachinery's `resource.ParseQuantity` (k8s.io/apimachinery/pkg/api/resource,
quantity.go and suffix.go): the scanner (`parseQuantityString`), the suffixes (`n u m "" k M G T P
E`, `Ki`..`Ei`, `e<int64>` whose exponent Go truncates to an int32), the int64 fast path and the
inf.Dec path, rounding up to nano units, BinarySI capped at 2^63-1, the same three error messages;
then `String()` (CanonicalizeBytes). Validation, the scheduler, `describe` and the plan all go
through here.

Values are exact `Decimal`s handled so that no operation depends on the size of the exponent:
`1e999999` (which Kubernetes accepts: one followed by 999999 zeros) is parsed, compared with a
limit and printed back in microseconds; integer views (`millicores`, `to_bytes`) are clamped to
int64 as Go's fit in it. A manifest value is read as the API server's JSON decoder reads it
(`from_value`): strings trimmed of white space, numbers in encoding/json's spelling.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from kapply.model.gonum import go_json_number, parse_int64

FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
NUMERIC_ERROR = "unable to parse numeric part of quantity"
SUFFIX_ERROR = "unable to parse quantity's suffix"
QUANTITY_ERROR = FORMAT_ERROR  # the name older callers import

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

_ANY_DIGIT = re.compile("[0-9]")
_ZEROS = re.compile("0*")
_DIGIT_RUN = re.compile("[0-9]*")
_SUFFIX_TAIL = re.compile("[eEinumkKMGTP]*[-+]?[0-9]*")
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BINARY_SUFFIX = {v: k for k, v in _BINARY.items()}
_MAX_INT64_FACTORS = 18  # digits an int64 always holds
_INT64_MAX = 2**63 - 1
_INT64_MIN = -(2**63)
_NANO = Decimal("1E-9")
# Exact arithmetic: no rounding, no exponent limits (only ever used on bounded digit counts).
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                         traps=[decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero])
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009" \
    "\u200a\u2028\u2029\u202f\u205f\u3000"  # unicode.IsSpace, which strings.TrimSpace trims
_CACHED_TEXT_MAX = 64


class QuantityError(ValueError):
    """A quantity Kubernetes cannot decode; the message is apimachinery's."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: its exact value and the suffix family it prints back in."""

    amount: Decimal
    format: str = DECIMAL_SI

    def __str__(self) -> str:
        """resource.Quantity.String(): canonical form (`1000m` -> `1`, `1.5Gi` -> `1536Mi`)."""
        return canonical(self)

    @property
    def sign(self) -> int:
        return 0 if self.amount.is_zero() else (-1 if self.amount.is_signed() else 1)

    def is_integer(self) -> bool:
        """True for a whole number (Kubernetes: `MilliValue() % 1000 == 0`)."""
        return self.amount.is_zero() or _coefficient(self.amount)[1] >= 0

    def milli_value(self) -> int:
        """MilliValue(): thousandths, rounded up; clamped to int64."""
        return _ceil_int64(self.amount, 3)

    def value(self) -> int:
        """Value(): rounded up to an integer; clamped to int64."""
        return _ceil_int64(self.amount, 0)


def _i32(value: int) -> int:
    """Go's int32 wrap-around, which ParseQuantity's exponent and scale arithmetic is subject to."""
    return (value + 2**31) % 2**32 - 2**31


def _run(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a run of `pattern` (which also matches nothing) starting at `pos` ends."""
    found = pattern.match(text, pos)
    return found.end() if found is not None else pos


def _split(text: str) -> tuple[bool, str, str, str, str]:
    """parseQuantityString: (positive, value, num, denom, suffix); QuantityError(FORMAT_ERROR)."""
    positive, pos, end = True, 0, len(text)
    if end and text[0] in "+-":
        positive, pos = text[0] == "+", 1
    pos = _run(_ZEROS, text, pos)  # leading zeros
    if pos >= end:
        return positive, "0", "0", "", ""
    i = _run(_DIGIT_RUN, text, pos)
    if i >= end:
        return positive, text, text[pos:], "", ""
    num, pos = text[pos:i] or "0", i
    denom = ""
    if text[pos] == ".":
        i = _run(_DIGIT_RUN, text, pos + 1)
        if i >= end:
            return positive, text, num, text[pos + 1:], ""
        denom, pos = text[pos + 1:i], i
    if not _SUFFIX_TAIL.fullmatch(text, pos):
        raise QuantityError(FORMAT_ERROR)
    return positive, text[:pos], num, denom, text[pos:]


def _interpret(suffix: str) -> tuple[int, int, str]:
    """The suffixer: (base, exponent, format); QuantityError(SUFFIX_ERROR) for an unknown suffix."""
    if suffix in _DECIMAL:
        return 10, _DECIMAL[suffix], DECIMAL_SI
    if suffix in _BINARY:
        return 2, _BINARY[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        exponent = parse_int64(suffix[1:])
        if exponent is not None:
            return 10, _i32(exponent), DECIMAL_EXPONENT
    raise QuantityError(SUFFIX_ERROR)


def _decimal(digits: str, exponent: int, negative: bool = False) -> Decimal:
    """digits x 10^exponent, built from text so that no context limits apply."""
    return Decimal(f"{'-' if negative else ''}{digits}E{exponent}")


def parse(text: str) -> Quantity:
    """resource.ParseQuantity; QuantityError with Kubernetes' message."""
    if len(text) <= _CACHED_TEXT_MAX:
        return _parse_cached(text)
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Quantity:
    return _parse(text)


def _parse(text: str) -> Quantity:
    if not text:
        raise QuantityError(FORMAT_ERROR)
    if text == "0":
        return Quantity(Decimal(0), DECIMAL_SI)
    positive, value, num, denom, suffix = _split(text)
    base, exponent, fmt = _interpret(suffix)

    precision, scale, mantissa = 0, 0, 1
    if fmt == BINARY_SI:
        if exponent >= 0 and not denom:
            mantissa = 1 << exponent
            precision = 15 - len(num) - exponent * 3 // 10 - 1  # int32(float32(exponent)*3/10)
        else:
            precision = -1
    else:
        scale, precision = exponent, _MAX_INT64_FACTORS - (len(num) + len(denom))
    if precision >= 0:  # the int64 fast path: at most 18 digits, scaled by at most nano
        scale = _i32(scale - len(denom))
        if scale >= -9:
            result = int(num + denom) * mantissa
            if result <= _INT64_MAX:
                return Quantity(_decimal(str(result), scale, not positive), fmt)

    # the inf.Dec path
    if _ANY_DIGIT.search(value) is None:
        raise QuantityError(NUMERIC_ERROR)
    sign, whole, fraction = value[:1] == "-", *value.lstrip("+-").partition(".")[::2]
    digits = (whole + fraction).lstrip("0") or "0"
    if base == 10:
        amount = _decimal(digits, -_i32(len(fraction) + _i32(-exponent)))
    else:
        amount = _EXACT.multiply(_decimal(digits, -len(fraction)), Decimal(1 << exponent))
    if not amount.is_zero() and amount.adjusted() < -9:
        amount = _NANO  # rounds up to the smallest representable amount
    elif not amount.is_zero() and _coefficient(amount)[1] < -9:
        amount = amount.quantize(_NANO, rounding=decimal.ROUND_UP, context=_EXACT)
    if fmt == BINARY_SI and amount > _INT64_MAX:
        amount = Decimal(_INT64_MAX)
    if fmt == BINARY_SI and 0 < amount < 1:
        fmt = DECIMAL_SI
    if sign and not amount.is_zero():
        amount = amount.copy_negate()
    return Quantity(amount, fmt)


def from_value(value: Any) -> Quantity:
    """A manifest value as Quantity.UnmarshalJSON reads it: a string (trimmed) or a JSON number."""
    if isinstance(value, bool) or value is None:
        raise QuantityError(FORMAT_ERROR)
    if isinstance(value, int):
        return Quantity(Decimal(value), DECIMAL_SI) if value else Quantity(Decimal(0), DECIMAL_SI)
    if isinstance(value, float):
        return parse(go_json_number(value))
    if isinstance(value, str):
        return parse(value.strip(_GO_SPACE))
    raise QuantityError(FORMAT_ERROR)


def _coefficient(amount: Decimal) -> tuple[str, int]:
    """(digits without trailing zeros, exponent) of |amount| != 0; linear in the digits, no tuple."""
    text = str(amount.copy_abs())
    mantissa, _, exp = text.partition("E")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    stripped = digits.rstrip("0")
    return stripped, (int(exp) if exp else 0) - len(fraction) + (len(digits) - len(stripped))


def canonical(q: Quantity) -> str:
    """CanonicalizeBytes: the largest suffix that keeps the mantissa whole.

    Where Kubernetes 1.34 has no DecimalSI suffix for the exponent (beyond `E`, 10^18) it drops the
    suffix and prints a number 10^21 times too small (`1000E` -> `1`; fixed upstream in
    kubernetes/kubernetes#140459); kapply prints the exponent form the fix prints (`1e21`).
    """
    amount = q.amount
    if amount.is_zero():
        return "0"
    fmt = q.format
    if fmt == BINARY_SI:
        if -1024 < amount < 1024:
            fmt = DECIMAL_SI
        elif not q.is_integer():
            fmt = DECIMAL_SI  # not exact at scale 0: do not lose precision
    sign = "-" if amount.is_signed() else ""
    if fmt == BINARY_SI:
        number, exponent = int(amount.copy_abs()), 0  # whole and capped at 2^63-1
        while number % 1024 == 0 and exponent < 60:
            number //= 1024
            exponent += 10
        return f"{sign}{number}{_BINARY_SUFFIX.get(exponent, '')}"
    digits, exponent = _coefficient(amount)
    padding = exponent % 3
    digits, exponent = digits + "0" * padding, exponent - padding
    if fmt == DECIMAL_SI and exponent in _DECIMAL_SUFFIX:
        return f"{sign}{digits}{_DECIMAL_SUFFIX[exponent]}"
    return f"{sign}{digits}" if exponent == 0 else f"{sign}{digits}e{exponent}"


def _ceil_int64(amount: Decimal, places: int) -> int:
    if amount.adjusted() + places > 19:
        return _INT64_MIN if amount.is_signed() else _INT64_MAX
    scaled = _EXACT.multiply(amount, Decimal(10) ** places) if places else amount
    return max(_INT64_MIN, min(_INT64_MAX, int(scaled.to_integral_value(decimal.ROUND_CEILING, _EXACT))))


# ---- the forms other modules use -----------------------------------------------------------------

def parse_quantity(value: object) -> Fraction:
    """The exact value of a manifest quantity as a Fraction (for arithmetic on ordinary sizes).

    QuantityError for what Kubernetes refuses, and for magnitudes beyond 10^100, which no
    resource has and whose exact form would cost more than it is worth.
    """
    amount = from_value(value).amount
    if not amount.is_zero() and amount.adjusted() > 100:
        raise QuantityError(f"quantity {str(value)[:40]!r} is too large for arithmetic")
    return Fraction(amount)


def is_quantity(value: object) -> bool:
    try:
        from_value(value)
    except QuantityError:
        return False
    return True


def millicores(value: object) -> int:
    """CPU in millicores, rounded up as the scheduler does (`0.1` -> 100, `1` -> 1000)."""
    return from_value(value).milli_value()


def to_bytes(value: object) -> int:
    return from_value(value).value()


def format_millicores(milli: int) -> str:
    return f"{milli // 1000}" if milli % 1000 == 0 else f"{milli}m"


def format_bytes(num: int) -> str:
    """Largest binary suffix that divides exactly, as kubectl prints memory (`8Gi`, `1536Mi`)."""
    for suffix, exponent in (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)):
        if num and num % 2**exponent == 0:
            return f"{num // 2**exponent}{suffix}"
    return str(num)


_DECIMAL_SUFFIXES = ((10**18, "E"), (10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))


def format_quantity(amount: Fraction, binary: bool) -> str:
    """resource.Quantity.String() of an amount: canonical suffix in the quantity's format."""
    if amount == 0:
        return "0"
    if binary and amount.denominator == 1 and amount >= 1024:
        return format_bytes(int(amount))
    if amount.denominator == 1:
        value = int(amount)
        for size, suffix in _DECIMAL_SUFFIXES:
            if value % size == 0:
                return f"{value // size}{suffix}"
        return str(value)
    for scale, suffix in ((1000, "m"), (10**6, "u"), (10**9, "n")):
        scaled = amount * scale
        if scaled.denominator == 1:
            return f"{int(scaled)}{suffix}"
    return f"{-((-amount.numerator * 10**9) // amount.denominator)}n"
