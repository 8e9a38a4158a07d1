"""Resource quantities (`500m`, `128Mi`, `1.5`, `2e3`) as resource.Quantity parses them.

Values are exact `Fraction`s so comparisons (requests <= limits, scheduler fit) never suffer
float rounding. `format_*` render them back the way kubectl describe does.
"""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
            "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
            "P": Fraction(10**15), "E": Fraction(10**18)}
_RE = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$")

QUANTITY_ERROR = "quantities must match the regular expression " \
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


class QuantityError(ValueError):
    pass


def parse_quantity(value: object) -> Fraction:
    """Parse an int, float or quantity string; raises QuantityError with Kubernetes' message."""
    if isinstance(value, bool):
        raise QuantityError(QUANTITY_ERROR)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    text = str(value).strip()
    m = _RE.match(text)
    if not m:
        raise QuantityError(QUANTITY_ERROR)
    sign, number, suffix, exponent = m.groups()
    amount = Fraction(number)
    if suffix in _BINARY:
        amount *= _BINARY[suffix]
    elif suffix:
        amount *= _DECIMAL[suffix]
    elif exponent:
        amount *= Fraction(10) ** int(exponent)
    return -amount if sign == "-" else amount


def is_quantity(value: object) -> bool:
    try:
        parse_quantity(value)
    except QuantityError:
        return False
    return True


def millicores(value: object) -> int:
    """CPU in millicores, rounded up as the scheduler does (`0.1` -> 100, `1` -> 1000)."""
    amount = parse_quantity(value) * 1000
    return -((-amount.numerator) // amount.denominator)


def to_bytes(value: object) -> int:
    amount = parse_quantity(value)
    return -((-amount.numerator) // amount.denominator)


def format_millicores(milli: int) -> str:
    return f"{milli // 1000}" if milli % 1000 == 0 else f"{milli}m"


def format_bytes(num: int) -> str:
    """Largest binary suffix that divides exactly, as kubectl prints memory (`8Gi`, `1536Mi`)."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        if num and num % _BINARY[suffix] == 0:
            return f"{num // _BINARY[suffix]}{suffix}"
    return str(num)
