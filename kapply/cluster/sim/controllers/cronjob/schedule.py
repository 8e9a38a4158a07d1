"""When a CronJob runs next, and what it missed: utils.go of the CronJob controller, as pure functions.

mostRecentScheduleTime counts the start times between the last schedule (or the creation) and
now: none, a few, or more than 100 ("too many missed start times", which Kubernetes reports and
then starts the most recent one anyway). startingDeadlineSeconds moves the earliest time a start
may be considered up to now minus that deadline. The next sync is 100 ms after the next start
time (nextScheduleDelta). Job names are `<cronjob>-<scheduled time in minutes since the epoch>`,
so one start time can never create two Jobs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from kapply.cluster.sim.controllers.base import Obj
from kapply.cluster.sim.helpers.podutil import parse_time
from kapply.cluster.sim.helpers.refmanager import controller_ref
from kapply.model.cron import CronError, Schedule, load_location
from kapply.model.jsoncopy import deep_copy

NEXT_SCHEDULE_DELTA = 0.1
MANY_MISSED = 100
SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
Missed = Literal["none", "few", "many"]


def format_schedule(cj: Obj) -> str:
    """formatSchedule: the schedule with `TZ=<timeZone> ` in front when a time zone is set."""
    spec = cj.get("spec") or {}
    schedule = str(spec.get("schedule") or "")
    zone = spec.get("timeZone")
    if "TZ" in schedule or not zone:
        return schedule
    return f"TZ={zone} {schedule}"


def most_recent(cj: Obj, now: float, sched: Schedule,
                with_deadline: bool) -> tuple[float, float | None, Missed]:
    """mostRecentScheduleTime: (earliest time considered, most recent start <= now, missed)."""
    meta, spec, status = cj["metadata"], cj.get("spec") or {}, cj.get("status") or {}
    earliest = parse_time(status.get("lastScheduleTime")) or parse_time(meta.get("creationTimestamp")) or now
    deadline = spec.get("startingDeadlineSeconds")
    if with_deadline and deadline is not None:
        earliest = max(earliest, now - int(deadline))
    t1 = sched.next(earliest)
    if t1 is not None and now < t1:
        return earliest, None, "none"
    t2 = sched.next(t1) if t1 is not None else None
    if t1 is not None and t2 is not None and now < t2:
        return earliest, t1, "none"
    between = round(t2 - t1) if t1 is not None and t2 is not None else 0
    if t1 is None or between < 1:  # robfig's zero time: a schedule that never comes (31 February)
        raise CronError("time difference between two schedules is less than 1 second")
    missed = int(now - t1) // between + 1
    recent: float | None = None
    t: float | None = sched.next(t1 + (missed - 2) * between)
    while t is not None and t <= now:
        recent = t
        t = sched.next(t)
    kind: Missed = "many" if missed > MANY_MISSED else ("few" if missed > 0 else "none")
    return earliest, recent, kind


def next_delay(cj: Obj, now: float, sched: Schedule) -> float | None:
    """nextScheduleTimeDuration: seconds until the sync after the next start (None: never)."""
    try:
        earliest, recent, missed = most_recent(cj, now, sched, with_deadline=False)
    except CronError:
        earliest, recent, missed = now, now, "none"
    base = recent if recent is not None else (earliest if missed == "none" else now)
    following = sched.next(base)
    return None if following is None else following + NEXT_SCHEDULE_DELTA - now


def job_name(cj: Obj, scheduled: float) -> str:
    """getJobName: `<cronjob>-<minutes since the epoch>`."""
    return f"{cj['metadata']['name']}-{int(scheduled // 60)}"


def _stamp(scheduled: float, zone: str | None) -> str:
    local = datetime.fromtimestamp(scheduled, load_location(zone or ""))
    text = local.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def job_from_template(cj: Obj, scheduled: float) -> Obj:
    """getJobFromTemplate2: the Job of one start time, owned by the CronJob."""
    template = (cj.get("spec") or {}).get("jobTemplate") or {}
    t_meta = template.get("metadata") or {}
    zone = (cj.get("spec") or {}).get("timeZone")
    annotations = dict(t_meta.get("annotations") or {})
    try:
        annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = _stamp(scheduled, zone)
    except CronError:
        annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = _stamp(scheduled, None)
    meta: Obj = {"name": job_name(cj, scheduled), "namespace": cj["metadata"].get("namespace", ""),
                 "annotations": annotations, "ownerReferences": [controller_ref(cj)]}
    if t_meta.get("labels"):
        meta["labels"] = dict(t_meta["labels"])
    spec = deep_copy(template.get("spec") or {})
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": spec}
