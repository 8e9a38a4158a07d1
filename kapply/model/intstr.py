"""IntOrString values (maxSurge, maxUnavailable, targetPort) and their percent arithmetic.

Mirrors k8s.io/apimachinery intstr.GetScaledValueFromIntOrPercent: a percentage of `total`
rounded up or down as the caller asks (maxSurge rounds up, maxUnavailable rounds down).
"""

from __future__ import annotations

import math
import re

_PERCENT = re.compile(r"^(\d+)%$")


def is_percent(value: object) -> bool:
    return isinstance(value, str) and bool(_PERCENT.match(value))


def scaled_value(value: int | str, total: int, round_up: bool) -> int:
    """Resolve an int-or-percent against `total`; raises ValueError for a bad string."""
    if isinstance(value, bool):
        raise ValueError(f"invalid value for IntOrString: {value!r}")
    if isinstance(value, int):
        return value
    m = _PERCENT.match(str(value))
    if not m:
        raise ValueError("invalid value for IntOrString: invalid type: string is not a percentage")
    percent = int(m.group(1))
    exact = percent * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)
