"""Cron schedules as Kubernetes reads them: a port of robfig/cron/v3's ParseStandard and Next.

The CronJob controller (kube-controller-manager, pkg/controller/cronjob) and the API server's
validation both call `cron.ParseStandard`: five fields (minute, hour, day of month, month, day
of week) or a descriptor (`@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`,
`@hourly`, `@every 1h30m`), optionally prefixed `TZ=Zone ` or `CRON_TZ=Zone ` (which the API
server refuses in `spec.schedule`; the controller adds it itself from `spec.timeZone`). Fields
take `*`, `?`, numbers, names (`jan`, `mon`, case-insensitive), ranges `a-b`, steps `/n` and
lists `a,b`. Day of month and day of week combine as cron does: when neither is `*`, a day
matching either runs. The error texts are robfig's, which Kubernetes shows in its 422s and
`UnparseableSchedule` events (`expected exactly 5 fields, found 3: [a b c]`).

Not croniter: it accepts seconds fields, `L`, `#` and other syntax Kubernetes refuses, and words
its errors differently. Times are epoch seconds; time zones come from the IANA database (zoneinfo).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STAR_BIT = 1 << 63
YEAR_LIMIT = 5  # Next gives up (zero time) after this many years without a match


class CronError(ValueError):
    """A schedule robfig/cron refuses; str() is its message."""


@dataclass(frozen=True)
class _Bounds:
    low: int
    high: int
    names: dict[str, int] | None = None


_MONTH_NAMES = {n: i + 1 for i, n in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DOW_NAMES = {n: i for i, n in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
SECONDS, MINUTES, HOURS = _Bounds(0, 59), _Bounds(0, 59), _Bounds(0, 23)
DOM, MONTHS, DOW = _Bounds(1, 31), _Bounds(1, 12, _MONTH_NAMES), _Bounds(0, 6, _DOW_NAMES)


def load_location(name: str) -> tzinfo:
    """time.LoadLocation: "" and "UTC" are UTC; "Local" is the controller's zone (UTC here)."""
    if name in ("", "UTC", "Local"):
        return UTC
    try:
        if name.startswith("/") or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise CronError(f"unknown time zone {name}") from exc


def _go_fields(fields: list[str]) -> str:
    return "[" + " ".join(fields) + "]"


def _atoi(expr: str) -> int:
    """strconv.Atoi with robfig's wrapping of its errors."""
    digits = expr[1:] if expr[:1] in "+-" else expr
    if not digits or not digits.isascii() or not digits.isdigit():
        raise CronError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax')
    value = int(expr)
    if not -(2**63) <= value < 2**63:
        raise CronError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": '
                        "value out of range")
    if value < 0:
        raise CronError(f"negative number ({value}) not allowed: {expr}")
    return value


def _int_or_name(expr: str, names: dict[str, int] | None) -> int:
    if names is not None and expr.lower() in names:
        return names[expr.lower()]
    return _atoi(expr)


def _bits(low: int, high: int, step: int) -> int:
    if step == 1:
        return ~(~0 << (high + 1)) & (~0 << low)
    return sum(1 << i for i in range(low, high + 1, step))


def _range(expr: str, b: _Bounds) -> int:
    """getRange: `*`, `?`, `n`, `a-b`, each with an optional `/step`."""
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    single = len(low_high) == 1
    extra = 0
    if low_high[0] in ("*", "?"):
        start, end, extra = b.low, b.high, STAR_BIT
    else:
        start = _int_or_name(low_high[0], b.names)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _int_or_name(low_high[1], b.names)
        else:
            raise CronError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _atoi(range_and_step[1])
        if single:  # "N/step" means "N-max/step"
            end = b.high
        if step > 1:
            extra = 0
    else:
        raise CronError(f"too many slashes: {expr}")
    if start < b.low:
        raise CronError(f"beginning of range ({start}) below minimum ({b.low}): {expr}")
    if end > b.high:
        raise CronError(f"end of range ({end}) above maximum ({b.high}): {expr}")
    if start > end:
        raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"step of range should be a positive number: {expr}")
    return _bits(start, end, step) | extra


def _field(text: str, b: _Bounds) -> int:
    bits = 0
    for expr in (part for part in text.split(",") if part):
        bits |= _range(expr, b)
    return bits


@dataclass(frozen=True)
class SpecSchedule:
    """A parsed five-field (or descriptor) schedule: one bit set per allowed value."""

    second: int
    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    location: tzinfo = UTC

    def _day_matches(self, t: datetime) -> bool:
        dom_match = bool(1 << t.day & self.dom)
        dow_match = bool(1 << ((t.weekday() + 1) % 7) & self.dow)
        if self.dom & STAR_BIT or self.dow & STAR_BIT:
            return dom_match and dow_match
        return dom_match or dow_match

    def next(self, after: float) -> float | None:
        """The first activation strictly after `after` (epoch seconds); None if none within 5 years."""
        loc = self.location
        t = datetime.fromtimestamp(math.floor(after) + 1, loc)
        added = False
        year_limit = t.year + YEAR_LIMIT
        while True:  # WRAP
            if t.year > year_limit:
                return None
            wrapped = False
            while not (1 << t.month & self.month):
                if not added:
                    added, t = True, _date(loc, t.year, t.month, 1)
                t = _date(loc, t.year + (t.month // 12), t.month % 12 + 1, 1)
                if t.month == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not self._day_matches(t):
                if not added:
                    added, t = True, _date(loc, t.year, t.month, t.day)
                t = _add_day(loc, t)
                if t.day == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << t.hour & self.hour):
                if not added:
                    added, t = True, _date(loc, t.year, t.month, t.day, t.hour)
                t = _shift(t, 3600)
                if t.hour == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            if not (1 << t.minute & self.minute):
                if not added:
                    added, t = True, _truncate(t, 60)
                t, wrapped = _skip(t, t.minute, self.minute, 60)  # robfig steps a minute at a time
            if wrapped:
                continue
            if not (1 << t.second & self.second):
                if not added:
                    added, t = True, _truncate(t, 1)
                t, wrapped = _skip(t, t.second, self.second, 1)
            if wrapped:
                continue
            return t.timestamp()


@dataclass(frozen=True)
class ConstantDelaySchedule:
    """`@every D`: every D (at least one second, whole seconds) after the given time."""

    delay: float

    def next(self, after: float) -> float | None:
        return math.floor(after) + self.delay


Schedule = SpecSchedule | ConstantDelaySchedule


def _date(loc: tzinfo, year: int, month: int, day: int, hour: int = 0) -> datetime:
    """time.Date at a wall time of `loc`, normalised through UTC as Go does."""
    wall = datetime(year, month, day, hour, tzinfo=loc)
    return datetime.fromtimestamp(wall.timestamp(), loc)


def _add_day(loc: tzinfo, t: datetime) -> datetime:
    """t.AddDate(0, 0, 1), then robfig's correction back to midnight across a DST change."""
    nxt = t.date() + timedelta(days=1)
    wall = datetime(nxt.year, nxt.month, nxt.day, t.hour, t.minute, t.second, tzinfo=loc)
    out = datetime.fromtimestamp(wall.timestamp(), loc)
    if out.hour != 0:
        out = _shift(out, (24 - out.hour) * 3600 if out.hour > 12 else -out.hour * 3600)
    return out


def _shift(t: datetime, seconds: int) -> datetime:
    return datetime.fromtimestamp(t.timestamp() + seconds, t.tzinfo)


def _skip(t: datetime, value: int, bits: int, unit: int) -> tuple[datetime, bool]:
    """Step `t` by `unit` seconds until a value in `bits` or a wrap to 0 (then True), in one jump:
    the same as robfig's loop of single steps (minutes and seconds never straddle an offset change
    that is not a whole number of hours, which no zone in use has for these loops' purposes)."""
    for nxt in range(value + 1, 60):
        if 1 << nxt & bits:
            return _shift(t, (nxt - value) * unit), False
    return _shift(t, (60 - value) * unit), True


def _truncate(t: datetime, unit: int) -> datetime:
    stamp = t.timestamp()
    return datetime.fromtimestamp(stamp - stamp % unit, t.tzinfo)


def _descriptor(spec: str, loc: tzinfo) -> Schedule:
    every = lambda b: _bits(b.low, b.high, 1) | STAR_BIT  # noqa: E731
    one = lambda n: 1 << n  # noqa: E731
    if spec in ("@yearly", "@annually"):
        return SpecSchedule(one(0), one(0), one(0), one(1), one(1), every(DOW), loc)
    if spec == "@monthly":
        return SpecSchedule(one(0), one(0), one(0), one(1), every(MONTHS), every(DOW), loc)
    if spec == "@weekly":
        return SpecSchedule(one(0), one(0), one(0), every(DOM), every(MONTHS), one(0), loc)
    if spec in ("@daily", "@midnight"):
        return SpecSchedule(one(0), one(0), one(0), every(DOM), every(MONTHS), every(DOW), loc)
    if spec == "@hourly":
        return SpecSchedule(one(0), one(0), every(HOURS), every(DOM), every(MONTHS), every(DOW), loc)
    prefix = "@every "
    if spec.startswith(prefix):
        from kapply.errors import UsageError
        from kapply.model.durations import parse_duration

        text = spec[len(prefix):]
        try:
            seconds = parse_duration(text)
        except UsageError as exc:
            raise CronError(f"failed to parse duration {text}: {exc}") from exc
        return ConstantDelaySchedule(max(1.0, float(math.floor(seconds))))
    raise CronError(f"unrecognized descriptor: {spec}")


def parse_standard(spec: str) -> Schedule:
    """cron.ParseStandard: a five-field schedule or a descriptor, with an optional TZ= prefix."""
    if not spec:
        raise CronError("empty spec string")
    loc: tzinfo = UTC
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        eq = spec.index("=")
        if space < 0:
            raise CronError(f"provided bad location {spec[eq + 1:]}: missing schedule after the time zone")
        name = spec[eq + 1:space]
        try:
            loc = load_location(name)
        except CronError as exc:
            raise CronError(f"provided bad location {name}: {exc}") from exc
        spec = spec[space:].strip()
    if spec.startswith("@"):
        return _descriptor(spec, loc)
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: {_go_fields(fields)}")
    minute, hour, dom, month, dow = fields
    return SpecSchedule(_field("0", SECONDS), _field(minute, MINUTES), _field(hour, HOURS),
                        _field(dom, DOM), _field(month, MONTHS), _field(dow, DOW), loc)
