"""The CronJob controller: start a Job at each scheduled time, keep the history in bounds.

Mirrors ControllerV2.sync / syncCronJob / cleanupFinishedJobs (cronjob_controllerv2.go):
1. reconcile status.active with the Jobs the CronJob owns: a finished one leaves it
   (`SawCompletedJob`, "Saw completed job: hello-29406720, condition: Complete"), a vanished one
   too (`MissingJob`), an unfinished one it forgot is reported (`UnexpectedJob`);
   lastSuccessfulTime follows the newest completion;
2. nothing more when the CronJob is being deleted, its timeZone is unknown (`UnknownTimeZone`),
   it is suspended, or the schedule does not parse (`UnparseableSchedule`);
3. the most recent start time not yet run (`TooManyMissedTimes` when more than 100 were missed):
   skipped when older than startingDeadlineSeconds (`MissSchedule`) or already run; with
   concurrencyPolicy Forbid skipped while a Job is active (`JobAlreadyActive`), with Replace the
   active Jobs are deleted (`SuccessfulDelete`) first; then the Job is created
   (`SuccessfulCreate`, "Created job hello-29406720") and recorded as active with lastScheduleTime;
4. finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest first;
5. a timer for 100 ms after the next start time. Job changes re-sync their CronJob.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime

from kapply.cluster.sim.controllers.base import Change, Context, Obj, controller_of, ns_key, split_key
from kapply.cluster.sim.controllers.cronjob import schedule as cs
from kapply.cluster.sim.controllers.job import conditions as jc
from kapply.cluster.sim.helpers.podutil import format_time, parse_time
from kapply.errors import AlreadyExistsError, NotFoundError
from kapply.model.cron import CronError, Schedule, load_location, parse_standard
from kapply.model.jsoncopy import deep_copy

KIND = "CronJob"
TOO_MANY_MISSED = ("too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check "
                   "clock skew")
CRONJOB_DOCS = "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/"
ALREADY_ACTIVE = "Not starting job because prior execution is running and concurrency policy is Forbid"


def _ref(job: Obj) -> Obj:
    meta = job["metadata"]
    return {"apiVersion": "batch/v1", "kind": "Job", "name": meta["name"],
            "namespace": meta.get("namespace", ""), "resourceVersion": meta.get("resourceVersion", ""),
            "uid": meta.get("uid", "")}


def _rfc1123z(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, load_location("UTC"))).replace("-0000", "+0000")


class CronJobController:
    name = "cronjob"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == KIND and change.type != "DELETED":
            yield ns_key(change.obj)
        elif change.kind == "Job":
            ref = controller_of(change.obj)
            if ref is not None and ref.get("kind") == KIND:
                yield f"{change.namespace}/{ref.get('name', '')}"

    def sync(self, ctx: Context, key: str) -> None:
        namespace, name = split_key(key)
        cj = ctx.get(KIND, namespace, name)
        if cj is None:
            return
        jobs = ctx.list("Job", namespace, owner_uid=cj["metadata"].get("uid", ""))
        work = deep_copy(cj)
        work.setdefault("status", {})
        delay, changed = self._sync_cronjob(ctx, work, jobs)
        if self._cleanup(ctx, work, jobs):
            changed = True
        if changed and work["status"] != (cj.get("status") or {}):
            live = ctx.get(KIND, namespace, name)
            if live is not None:
                ctx.update_status(dict(live, status=work["status"]))
        if delay is not None:
            ctx.requeue_after(max(delay, 0.0), key)

    # -- syncCronJob -------------------------------------------------------------------------------

    def _reconcile_active(self, ctx: Context, cj: Obj, jobs: list[Obj]) -> bool:
        status = cj["status"]
        active = list(status.get("active") or [])
        uids = {ref.get("uid") for ref in active}
        changed = False
        for job in jobs:
            uid = job["metadata"].get("uid")
            done = jc.finished(job)
            name = job["metadata"]["name"]
            if uid not in uids and not done:
                ctx.record_event(cj, "Warning", "UnexpectedJob",
                                 f"Saw a job that the controller did not create or forgot: {name}")
            elif uid in uids and done:
                active = [ref for ref in active if ref.get("uid") != uid]
                ctx.record_event(cj, "Normal", "SawCompletedJob",
                                 f"Saw completed job: {job['metadata']['name']}, condition: {done}")
                changed = True
            if done == jc.COMPLETE:
                completed = (job.get("status") or {}).get("completionTime")
                last = parse_time(status.get("lastSuccessfulTime"))
                when = parse_time(completed)
                if when is not None and (last is None or when > last):
                    status["lastSuccessfulTime"] = completed
                    changed = True
        present = {job["metadata"].get("uid") for job in jobs}
        for ref in list(active):
            if ref.get("uid") not in present:
                ctx.record_event(cj, "Normal", "MissingJob", f"Active job went missing: {ref.get('name')}")
                active = [r for r in active if r.get("uid") != ref.get("uid")]
                changed = True
        if active:
            status["active"] = active
        else:
            status.pop("active", None)
        return changed

    def _schedule(self, ctx: Context, cj: Obj) -> Schedule | None:
        spec = cj.get("spec") or {}
        zone = spec.get("timeZone")
        if zone is not None:
            try:
                load_location(zone)
            except CronError as exc:
                ctx.record_event(cj, "Warning", "UnknownTimeZone", f'invalid timeZone: "{zone}": {exc}')
                return None
        if spec.get("suspend"):
            return None
        text = cs.format_schedule(cj)
        if "TZ" in str(spec.get("schedule") or ""):
            ctx.record_event(cj, "Warning", "UnsupportedSchedule",
                             f'CRON_TZ or TZ used in schedule "{spec.get("schedule")}" is not officially '
                             f"supported, see {CRONJOB_DOCS} for more details")
        try:
            return parse_standard(text)
        except CronError as exc:
            ctx.record_event(cj, "Warning", "UnparseableSchedule",
                             f'unparseable schedule: "{spec.get("schedule")}" : {exc}')
            return None

    def _sync_cronjob(self, ctx: Context, cj: Obj, jobs: list[Obj]) -> tuple[float | None, bool]:
        changed = self._reconcile_active(ctx, cj, jobs)
        if cj["metadata"].get("deletionTimestamp"):
            return None, changed
        sched = self._schedule(ctx, cj)
        if sched is None:
            return None, changed
        now = ctx.now
        try:
            _, scheduled, missed = cs.most_recent(cj, now, sched, with_deadline=True)
        except CronError as exc:
            ctx.record_event(cj, "Warning", "InvalidSchedule",
                             f"invalid schedule: {cj['spec'].get('schedule')} : {exc}")
            return None, changed
        if scheduled is not None and missed == "many":
            ctx.record_event(cj, "Warning", "TooManyMissedTimes", TOO_MANY_MISSED)
        following = cs.next_delay(cj, now, sched)
        if scheduled is None:
            return following, changed
        spec, status = cj["spec"], cj["status"]
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and scheduled + int(deadline) < now:
            ctx.record_event(cj, "Warning", "MissSchedule",
                             f"Missed scheduled time to start a job: {_rfc1123z(scheduled)}")
            return following, changed
        name = cs.job_name(cj, scheduled)
        active = status.get("active") or []
        if any(ref.get("name") == name for ref in active) \
                or status.get("lastScheduleTime") == format_time(scheduled):
            return following, changed
        policy = spec.get("concurrencyPolicy") or "Allow"
        if policy == "Forbid" and active:
            ctx.record_event(cj, "Normal", "JobAlreadyActive", ALREADY_ACTIVE)
            return following, changed
        if policy == "Replace":
            for ref in list(active):
                self._delete_job(ctx, cj, ref.get("namespace", ""), ref.get("name", ""))
            status.pop("active", None)
            changed = True
        try:
            job = ctx.create(cs.job_from_template(cj, scheduled))
            ctx.record_event(cj, "Normal", "SuccessfulCreate", f"Created job {job['metadata']['name']}")
        except AlreadyExistsError:
            job = ctx.get("Job", cj["metadata"].get("namespace", ""), name)
            if job is None or (controller_of(job) or {}).get("uid") != cj["metadata"].get("uid"):
                return following, changed
            if any(ref.get("uid") == job["metadata"].get("uid") for ref in active):
                return following, changed
        status["active"] = [*(status.get("active") or []), _ref(job)]
        status["lastScheduleTime"] = format_time(scheduled)
        return cs.next_delay(cj, now, sched), True

    # -- cleanupFinishedJobs -----------------------------------------------------------------------

    def _delete_job(self, ctx: Context, cj: Obj, namespace: str, name: str) -> bool:
        try:
            ctx.delete("Job", namespace, name)
        except NotFoundError:
            return False
        ctx.record_event(cj, "Normal", "SuccessfulDelete", f"Deleted job {name}")
        return True

    def _cleanup(self, ctx: Context, cj: Obj, jobs: list[Obj]) -> bool:
        spec = cj.get("spec") or {}
        limits = {jc.COMPLETE: spec.get("successfulJobsHistoryLimit"),
                  jc.FAILED: spec.get("failedJobsHistoryLimit")}
        if all(v is None for v in limits.values()):
            return False
        changed = False
        for condition, limit in limits.items():
            if limit is None:
                continue
            done = [j for j in jobs
                    if jc.finished(j) == condition and not j["metadata"].get("deletionTimestamp")]
            done.sort(key=lambda j: (parse_time((j.get("status") or {}).get("startTime")) is None,
                                     parse_time((j.get("status") or {}).get("startTime")) or 0.0,
                                     j["metadata"]["name"]))
            for job in done[:max(len(done) - int(limit), 0)]:
                if self._delete_job(ctx, cj, job["metadata"].get("namespace", ""), job["metadata"]["name"]):
                    uid = job["metadata"].get("uid")
                    active = [r for r in cj["status"].get("active") or [] if r.get("uid") != uid]
                    if active:
                        cj["status"]["active"] = active
                    else:
                        cj["status"].pop("active", None)
                    changed = True
        return changed
