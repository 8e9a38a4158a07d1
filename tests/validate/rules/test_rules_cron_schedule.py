"""CronJob schedule and timeZone rules, worded as the API server's validateScheduleFormat and
validateTimeZone (pkg/apis/batch/validation/validation.go) say them."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def cron_job(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schedule": "*/5 * * * *",
        "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox:1.36"}]}}}},
    }
    body.update(spec)
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "hello"}, "spec": body}


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj)]


@pytest.mark.parametrize("schedule", ["*/5 * * * *", "@hourly", "0 9 * * MON-FRI", "@every 90m",
                                      "0 0 1,15 * ?"])
def test_schedules_kubernetes_accepts(schedule: str) -> None:
    assert messages(cron_job(schedule=schedule)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ({"schedule": "* * *"},
     ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']),
    ({"schedule": "0 0 * * * *"},
     ['spec.schedule: Invalid value: "0 0 * * * *": expected exactly 5 fields, found 6: [0 0 * * * *]']),
    ({"schedule": "61 * * * *"},
     ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']),
    ({"schedule": "TZ=UTC 0 * * * *"},
     ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, '
      "use timeZone field instead"]),
    ({"schedule": ""}, ["spec.schedule: Required value"]),
    ({"timeZone": "Europe/Atlantis"},
     ['spec.timeZone: Invalid value: "Europe/Atlantis": unknown time zone Europe/Atlantis']),
    ({"timeZone": "Local"},
     ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in '
      "https://www.iana.org/time-zones"]),
    ({"timeZone": ""}, ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string']),
    ({"timeZone": "Europe/Berlin"}, []),
])
def test_schedule_errors(spec: dict[str, Any], expected: list[str]) -> None:
    assert messages(cron_job(**spec)) == expected
