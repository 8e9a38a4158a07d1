"""Durations as users type them and as kubectl prints them.

`parse_duration` reads Go's time.ParseDuration syntax (`300ms`, `1h30m`, `-1.5h`) plus kubectl's
day unit (`2d`), with Go's error messages. `human_duration` is apimachinery's
`duration.HumanDuration` (the AGE column: `45s`, `3m12s`, `2d4h`); `go_duration` is Go's
`time.Duration.String` (`1h30m0s`). Pure functions; `flag_duration` is the one reading of a
duration flag (`--timeout`, `--interval`, ...): malformed, negative or too small values are
refused naming the flag, in the words of kubectl's flag parser.
"""

from __future__ import annotations

import re

from kapply.errors import UsageError

_UNITS: dict[str, float] = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3,
    "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0,
}
_PART = re.compile(r"(\d*\.?\d*)([^\d.]*)")


MAX_SECONDS = (2**63 - 1) / 1e9  # the longest time.Duration: 2562047h47m16.854775807s


def parse_duration(text: str) -> float:
    """`1h30m` -> 5400.0 seconds; raises UsageError with Go's message for bad input."""
    original = text
    s = text.strip()
    sign = 1.0
    if s[:1] in "+-" and s:
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise UsageError(f'time: invalid duration "{original}"')
    total = 0.0
    pos = 0
    while pos < len(s):
        m = _PART.match(s, pos)
        number, unit = (m.group(1), m.group(2)) if m else ("", "")
        if not number or number == ".":
            raise UsageError(f'time: invalid duration "{original}"')
        if not unit:
            raise UsageError(f'time: missing unit in duration "{original}"')
        if unit not in _UNITS:
            raise UsageError(f'time: unknown unit "{unit}" in duration "{original}"')
        total += float(number) * _UNITS[unit]
        if total > MAX_SECONDS:  # Go's ParseDuration overflows time.Duration (int64 nanoseconds)
            raise UsageError(f'time: invalid duration "{original}"')
        pos = m.end() if m else len(s)
    return sign * total


def flag_duration(flag: str, text: str, minimum: float = 0.0) -> float:
    """Seconds of the duration given to `flag` (`--timeout`, or `DURATION` for an argument).

    `invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"`, as pflag says.
    """
    where = f'"{flag}" flag' if flag.startswith("-") else flag
    try:
        value = parse_duration(text)
    except UsageError as exc:
        raise UsageError(f'invalid argument "{text}" for {where}: {exc}') from None
    if value < minimum:
        why = "must not be negative" if minimum <= 0 else f"must be at least {go_duration(minimum)}"
        raise UsageError(f'invalid argument "{text}" for {where}: {why}')
    return value


def human_duration(seconds: float) -> str:
    """apimachinery HumanDuration: the AGE column of kubectl get."""
    secs = int(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 120:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        rest = secs % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String: `1h30m0s`, `2.5s`, `0s`, `150ms`."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _trim(nanos / size) + unit
    hours, rem = divmod(nanos, 3_600_000_000_000)
    minutes, rem = divmod(rem, 60_000_000_000)
    secs = _trim(rem / 1e9)
    out = ""
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return f"{sign}{out}{secs}s"


def _trim(value: float) -> str:
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text or "0"
