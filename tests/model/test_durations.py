"""Duration parsing (Go syntax + days) and kubectl's AGE formatting."""

from __future__ import annotations

import pytest

from kapply.errors import UsageError
from kapply.model.durations import flag_duration, go_duration, human_duration, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("5m", 300), ("30s", 30), ("1h30m", 5400), ("2d", 172800), ("1.5h", 5400), ("300ms", 0.3),
    ("0", 0), ("-1m", -60), ("+2s", 2), ("1h0m0s", 3600), ("2d4h", 187200), (".5s", 0.5),
    ("10us", 1e-5), ("1µs", 1e-6), ("2562047h", 2562047 * 3600),
])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(("text", "message"), [
    ("", 'time: invalid duration ""'),
    ("abc", 'time: invalid duration "abc"'),
    ("5", 'time: missing unit in duration "5"'),
    ("5x", 'time: unknown unit "x" in duration "5x"'),
    ("1h5", 'time: missing unit in duration "1h5"'),
    ("-", 'time: invalid duration "-"'),
    # beyond Go's time.Duration (about 292 years): `cluster advance` would leave year 9999 behind
    ("100000000h", 'time: invalid duration "100000000h"'),
    ("2562047h1h", 'time: invalid duration "2562047h1h"'),
])
def test_parse_duration_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_duration(text)
    assert str(err.value) == message


@pytest.mark.parametrize(("seconds", "text"), [
    (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (45, "45s"), (119, "119s"), (120, "2m"),
    (192, "3m12s"), (599, "9m59s"), (600, "10m"), (3 * 3600 - 1, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 25 * 60, "3h25m"), (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"),
    (52 * 3600, "2d4h"), (8 * 86400, "8d"), (729 * 86400, "729d"), (730 * 86400, "2y"),
    (731 * 86400, "2y1d"), (9 * 365 * 86400, "9y"),
])
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (30, "30s"), (300, "5m0s"), (5400, "1h30m0s"), (2.5, "2.5s"), (0.15, "150ms"),
    (-60, "-1m0s"), (90061, "25h1m1s"),
])
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


@pytest.mark.parametrize(("flag", "text", "minimum", "message"), [
    ("--timeout", "soon", 0.0, 'invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"'),
    ("--timeout", "-5s", 0.0, 'invalid argument "-5s" for "--timeout" flag: must not be negative'),
    ("--interval", "10ms", 0.1, 'invalid argument "10ms" for "--interval" flag: must be at least 100ms'),
    ("--interval", "5", 0.1, 'invalid argument "5" for "--interval" flag: time: missing unit in duration '
     '"5"'),
    ("DURATION", "5x", 0.0, 'invalid argument "5x" for DURATION: time: unknown unit "x" in duration "5x"'),
])
def test_flag_duration_names_the_flag(flag: str, text: str, minimum: float, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        flag_duration(flag, text, minimum)
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "minimum", "seconds"), [
    ("0s", 0.0, 0.0), ("100ms", 0.1, 0.1), ("2d", 0.0, 172800.0),
])
def test_flag_duration_accepts(text: str, minimum: float, seconds: float) -> None:
    assert flag_duration("--timeout", text, minimum) == seconds
