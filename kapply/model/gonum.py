"""Go's spellings of numbers: what encoding/json writes, what strconv.ParseInt reads.

kubectl sends a manifest to the API server as JSON (YAML floats become Go float64s first), and the
server's decoders see that text: an integral float is written without a fraction (`3e9` ->
`3000000000`), so it decodes into an int field; beyond 1e21 or below 1e-6 Go switches to exponent
form (`1e+21`, `1e-7`). Quantities and decode error messages read numbers in this spelling.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal


def go_json_number(value: int | float) -> str:
    """`value` as encoding/json's floatEncoder (or an int's decimal digits) writes it."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):  # encoding/json refuses these; strconv's spelling, for messages
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    magnitude = abs(value)
    if 1e-6 <= magnitude < 1e21:
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    mantissa, _, exponent = repr(value).partition("e")
    sign, digits = (exponent[0], exponent[1:]) if exponent[0] in "+-" else ("+", exponent)
    return f"{mantissa}e{sign}{digits.lstrip('0') or '0'}"


_DIGITS = re.compile("[0-9]+")


def parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64), or None where Go fails (never converting an overlong string)."""
    body = text[1:] if text[:1] in "+-" else text
    if not _DIGITS.fullmatch(body) or len(body.lstrip("0")) > 19:
        return None
    value = int(body.lstrip("0") or "0") * (-1 if text[0] == "-" else 1)
    return value if -(2**63) <= value < 2**63 else None
