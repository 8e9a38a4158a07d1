"""The cron port against robfig/cron/v3's own tables (parser_test.go TestRange, spec_test.go
TestActivation) plus the schedules and errors Kubernetes users meet."""

from __future__ import annotations

import calendar
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kapply.model.cron import STAR_BIT, CronError, _Bounds, _range, parse_standard


def at(text: str, fmt: str = "%a %b %d %H:%M %Y") -> float:
    return float(calendar.timegm(time.strptime(text, fmt)))


# robfig/cron/v3 parser_test.go TestRange
@pytest.mark.parametrize(("expr", "low", "high", "bits", "error"), [
    ("5", 0, 7, 1 << 5, ""),
    ("0", 0, 7, 1 << 0, ""),
    ("7", 0, 7, 1 << 7, ""),
    ("5-5", 0, 7, 1 << 5, ""),
    ("5-6", 0, 7, 1 << 5 | 1 << 6, ""),
    ("5-7", 0, 7, 1 << 5 | 1 << 6 | 1 << 7, ""),
    ("5-6/2", 0, 7, 1 << 5, ""),
    ("5-7/2", 0, 7, 1 << 5 | 1 << 7, ""),
    ("5-7/1", 0, 7, 1 << 5 | 1 << 6 | 1 << 7, ""),
    ("*", 1, 3, 1 << 1 | 1 << 2 | 1 << 3 | STAR_BIT, ""),
    ("*/2", 1, 3, 1 << 1 | 1 << 3, ""),
    ("5--5", 0, 0, 0, "too many hyphens"),
    ("jan-x", 0, 0, 0, "failed to parse int from"),
    ("2-x", 1, 5, 0, "failed to parse int from"),
    ("*/-12", 0, 0, 0, "negative number"),
    ("*//2", 0, 0, 0, "too many slashes"),
    ("1", 3, 5, 0, "below minimum"),
    ("6", 3, 5, 0, "above maximum"),
    ("5-3", 3, 5, 0, "beyond end of range"),
    ("*/0", 0, 0, 0, "should be a positive number"),
])
def test_range(expr: str, low: int, high: int, bits: int, error: str) -> None:
    if error:
        with pytest.raises(CronError, match=error):
            _range(expr, _Bounds(low, high))
    else:
        assert _range(expr, _Bounds(low, high)) == bits


# robfig/cron/v3 spec_test.go TestActivation (the five-field and descriptor rows)
@pytest.mark.parametrize(("when", "spec", "expected"), [
    ("Mon Jul 9 15:00 2012", "0/15 * * * *", True),
    ("Mon Jul 9 15:45 2012", "0/15 * * * *", True),
    ("Mon Jul 9 15:40 2012", "0/15 * * * *", False),
    ("Mon Jul 9 15:05 2012", "5/15 * * * *", True),
    ("Mon Jul 9 15:20 2012", "5/15 * * * *", True),
    ("Mon Jul 9 15:50 2012", "5/15 * * * *", True),
    ("Sun Jul 15 15:00 2012", "0/15 * * Jul *", True),
    ("Sun Jul 15 15:00 2012", "0/15 * * Jun *", False),
    ("Sun Jul 15 08:30 2012", "30 08 ? Jul Sun", True),
    ("Sun Jul 15 08:30 2012", "30 08 15 Jul ?", True),
    ("Mon Jul 16 08:30 2012", "30 08 ? Jul Sun", False),
    ("Mon Jul 16 08:30 2012", "30 08 15 Jul ?", False),
    ("Mon Jul 9 15:00 2012", "@hourly", True),
    ("Mon Jul 9 15:04 2012", "@hourly", False),
    ("Mon Jul 9 15:00 2012", "@daily", False),
    ("Mon Jul 9 00:00 2012", "@daily", True),
    ("Mon Jul 9 00:00 2012", "@weekly", False),
    ("Sun Jul 8 00:00 2012", "@weekly", True),
    ("Sun Jul 8 01:00 2012", "@weekly", False),
    ("Sun Jul 8 00:00 2012", "@monthly", False),
    ("Sun Jul 1 00:00 2012", "@monthly", True),
    ("Sun Jul 15 00:00 2012", "* * 1,15 * Sun", True),
    ("Fri Jun 15 00:00 2012", "* * 1,15 * Sun", True),
    ("Wed Aug 1 00:00 2012", "* * 1,15 * Sun", True),
    ("Sun Jul 15 00:00 2012", "* * */10 * Sun", True),
    ("Sun Jul 15 00:00 2012", "* * * * Mon", False),
    ("Mon Jul 9 00:00 2012", "* * 1,15 * *", False),
    ("Sun Jul 15 00:00 2012", "* * 1,15 * *", True),
    ("Sun Jul 15 00:00 2012", "* * */2 * Sun", True),
])
def test_activation(when: str, spec: str, expected: bool) -> None:
    t = at(when)
    assert (parse_standard(spec).next(t - 1) == t) is expected


@pytest.mark.parametrize(("start", "spec", "expected"), [
    ("Mon Jul 9 14:45 2012", "*/15 * * * *", "Mon Jul 9 15:00 2012"),
    ("Mon Jul 9 14:59 2012", "*/15 * * * *", "Mon Jul 9 15:00 2012"),
    ("Mon Jul 9 23:46 2012", "*/15 * * * *", "Tue Jul 10 00:00 2012"),
    ("Mon Jul 9 23:45 2012", "20-35/15 * * * *", "Tue Jul 10 00:20 2012"),
    ("Mon Dec 31 23:59 2012", "0 0 1 1 *", "Tue Jan 01 00:00 2013"),
    ("Mon Jul 9 23:35 2012", "0 0 * Feb Mon", "Mon Feb 04 00:00 2013"),
    ("Fri Dec 28 12:00 2012", "0 9 * * 1-5", "Mon Dec 31 09:00 2012"),
    ("Sat Feb 28 00:00 2015", "0 0 29 2 *", "Mon Feb 29 00:00 2016"),  # leap day
    ("Mon Jul 9 15:00 2012", "@yearly", "Tue Jan 01 00:00 2013"),
])
def test_next(start: str, spec: str, expected: str) -> None:
    assert parse_standard(spec).next(at(start)) == at(expected)


def test_impossible_schedule_has_no_next() -> None:
    # robfig returns the zero time after five years; Kubernetes' mostRecentScheduleTime calls it
    # "time difference between two schedules is less than 1 second"
    assert parse_standard("59 23 31 2 *").next(at("Mon Jul 9 15:00 2012")) is None


def test_every() -> None:
    assert parse_standard("@every 1h30m").next(1000.0) == 1000.0 + 5400
    assert parse_standard("@every 10ms").next(1000.0) == 1001.0  # at least one second


def test_time_zone_prefix() -> None:
    schedule = parse_standard("TZ=America/New_York 0 9 * * *")
    after = at("Mon Jul 9 12:00 2012")  # 08:00 in New York (EDT, UTC-4)
    assert schedule.next(after) == at("Mon Jul 9 13:00 2012")
    winter = at("Mon Jan 9 12:00 2012")  # 07:00 EST (UTC-5)
    assert schedule.next(winter) == at("Mon Jan 9 14:00 2012")
    assert parse_standard("CRON_TZ=UTC 0 9 * * *").next(after) == at("Tue Jul 10 09:00 2012")


def test_daylight_saving_skips_the_missing_hour() -> None:
    # 2012-03-11: New York jumps from 02:00 to 03:00; a 02:30 job runs next on the 12th
    schedule = parse_standard("TZ=America/New_York 30 2 * * *")
    before = datetime(2012, 3, 10, 12, 0, tzinfo=ZoneInfo("America/New_York")).timestamp()
    got = datetime.fromtimestamp(schedule.next(before) or 0, ZoneInfo("America/New_York"))
    assert (got.day, got.hour, got.minute) == (12, 2, 30)


@pytest.mark.parametrize(("spec", "message"), [
    ("", "empty spec string"),
    ("* * *", "expected exactly 5 fields, found 3: [* * *]"),
    ("0 * * * * *", "expected exactly 5 fields, found 6: [0 * * * * *]"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("60 * * * *", "end of range (60) above maximum (59): 60"),
    ("* * * * 7", "end of range (7) above maximum (6): 7"),
    ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ("TZ=Mars/Olympus 0 * * * *", "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"),
    ("L * * * *", 'failed to parse int from L'),
    ("@every 1x", "failed to parse duration 1x"),
])
def test_errors(spec: str, message: str) -> None:
    with pytest.raises(CronError) as err:
        parse_standard(spec)
    assert str(err.value).startswith(message)


def test_names_are_case_insensitive() -> None:
    assert parse_standard("0 0 * JAN-mar MON") == parse_standard("0 0 * 1-3 1")
