"""The Job controller: run pods to completion, count them, finish the Job; and its TTL.

Mirrors JobController.syncJob (1.34, pod tracking with the `batch.kubernetes.io/job-tracking`
finalizer): each pod is created with the finalizer; once it finished (Succeeded, Failed, or
deleted before it succeeded) the controller counts it in status.succeeded / status.failed and
removes the finalizer, in the same transaction (Kubernetes passes through
uncountedTerminatedPods). Then, in order:
- suspend: active pods are deleted (not counted as failures), condition Suspended (JobSuspended);
  resuming sets it False (JobResumed) and restarts the clock of activeDeadlineSeconds;
- failure: a podFailurePolicy FailJob match, more failures than backoffLimit (restartPolicy
  OnFailure: as many container restarts), or activeDeadlineSeconds passed -> FailureTarget with
  Kubernetes' reason, active pods deleted, and Failed once none is left;
- success: completions reached (Indexed: every index succeeded; no completions: one pod
  succeeded and none is active) -> SuccessCriteriaMet, then Complete with completionTime and the
  `Completed` event;
- otherwise up to parallelism pods run (never more than the completions still missing), new pods
  waiting out the back-off after failures (10s doubling to 10m).
A finished Job with ttlSecondsAfterFinished is deleted that long after it finished (the
ttl-after-finished controller; its pods go with it through the garbage collector).
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context, Obj, controller_keys, ns_key, split_key
from kapply.cluster.sim.controllers.job import backoff, failurepolicy
from kapply.cluster.sim.controllers.job import conditions as jc
from kapply.cluster.sim.controllers.job import indexed as ix
from kapply.cluster.sim.helpers.podrank import deletion_order
from kapply.cluster.sim.helpers.podtemplate import generated_name, pod_from_template
from kapply.cluster.sim.helpers.podutil import format_time, is_pod_active, is_pod_ready, parse_time
from kapply.cluster.sim.helpers.refmanager import claim_kind
from kapply.errors import NotFoundError
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import from_label_selector

KIND = "Job"
FINALIZER = "batch.kubernetes.io/job-tracking"
GONE = "gone:"  # gone:<namespace>/<uid>: a deleted Job's pods still carry the finalizer
MAX_PODS_PER_SYNC = 500
_MANAGED = ("active", "ready", "succeeded", "failed", "terminating", "completedIndexes", "startTime",
            "completionTime", "conditions", "uncountedTerminatedPods")


def _spec(job: Obj) -> Obj:
    return job.get("spec") or {}


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def _deleting(pod: Obj) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def only_replace_failed(job: Obj) -> bool:
    return _spec(job).get("podReplacementPolicy") == "Failed" or bool(_spec(job).get("podFailurePolicy"))


def is_failed(pod: Obj, job: Obj) -> bool:
    """isPodFailed: Failed, or (by default) deleted before it succeeded."""
    if _phase(pod) == "Failed":
        return True
    if only_replace_failed(job):
        return False
    return _deleting(pod) and _phase(pod) != "Succeeded"


def _restarts(pods: Iterable[Obj]) -> int:
    total = 0
    for pod in pods:
        if _phase(pod) in ("Running", "Pending"):
            status = pod.get("status") or {}
            statuses = [*(status.get("initContainerStatuses") or ()),
                        *(status.get("containerStatuses") or ())]
            for cs in statuses:
                total += int(cs.get("restartCount") or 0)
    return total


def past_backoff_on_failure(job: Obj, active: list[Obj]) -> bool:
    """pastBackoffLimitOnFailure: OnFailure pods restart in place, so restarts count as failures."""
    spec = _spec(job)
    if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    limit = int(spec.get("backoffLimit", 6))
    restarts = _restarts(active)
    return restarts > 0 if limit == 0 else restarts >= limit


class JobController:
    name = "job"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == KIND:
            if change.type == "DELETED":
                yield f"{GONE}{change.namespace}/{change.obj['metadata'].get('uid', '')}"
            else:
                yield ns_key(change.obj)
            return
        if change.kind != "Pod":
            return
        yield from sorted(controller_keys(change, KIND))

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(GONE):
            namespace, _, uid = key[len(GONE):].partition("/")
            for pod in ctx.list("Pod", namespace, owner_uid=uid):
                self._release(ctx, pod)
            return
        namespace, name = split_key(key)
        job = ctx.get(KIND, namespace, name)
        if job is not None:
            self._sync(ctx, job)

    # -- pods ------------------------------------------------------------------------------------

    def _release(self, ctx: Context, pod: Obj) -> None:
        """Remove the tracking finalizer (a pod being deleted then goes away)."""
        finalizers = pod["metadata"].get("finalizers") or []
        if FINALIZER not in finalizers:
            return
        updated = deep_copy(pod)
        rest = [f for f in finalizers if f != FINALIZER]
        if rest:
            updated["metadata"]["finalizers"] = rest
        else:
            updated["metadata"].pop("finalizers", None)
        ctx.update(updated)

    def _delete(self, ctx: Context, job: Obj, pods: Iterable[Obj], count_as_failed: bool = True) -> None:
        for pod in pods:
            name = pod["metadata"]["name"]
            if not count_as_failed:
                self._release(ctx, pod)
            try:
                ctx.delete("Pod", pod["metadata"].get("namespace", ""), name)
            except NotFoundError:
                continue
            ctx.record_event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")

    def _create(self, ctx: Context, job: Obj, index: int | None) -> None:
        template = _spec(job).get("template") or {}
        annotations = {ix.INDEX_ANNOTATION: str(index)} if index is not None else None
        labels = {ix.INDEX_ANNOTATION: str(index)} if index is not None else None
        pod = pod_from_template(job, template, labels=labels, annotations=annotations)
        pod["metadata"]["finalizers"] = [*(pod["metadata"].get("finalizers") or ()), FINALIZER]
        prefix = f"{job['metadata']['name']}-" + (f"{index}-" if index is not None else "")
        pod["metadata"]["generateName"] = prefix
        if index is not None:
            spec = pod["spec"]
            spec.setdefault("hostname", f"{job['metadata']['name']}-{index}")
            env = {"name": ix.INDEX_ENV, "valueFrom": {"fieldRef": {
                "fieldPath": f"metadata.annotations['{ix.INDEX_ANNOTATION}']"}}}
            for container in (*(spec.get("initContainers") or ()), *(spec.get("containers") or ())):
                container["env"] = [*(container.get("env") or ()), dict(env)]
        pod["metadata"]["name"] = generated_name(ctx, job["metadata"].get("namespace", ""), prefix)
        created = ctx.create(pod)
        ctx.record_event(job, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")

    # -- the sync --------------------------------------------------------------------------------

    def _sync(self, ctx: Context, job: Obj) -> None:
        sel = from_label_selector(_spec(job).get("selector"))
        meta = job["metadata"]
        if sel.empty:  # manualSelector without one: validation forbids it; keep what it owns
            pods = ctx.list("Pod", meta.get("namespace", ""), owner_uid=meta.get("uid", ""))
        else:
            pods = claim_kind(ctx, job, "Pod", sel)
        if jc.finished(job):
            for pod in pods:  # left over by a crash between counting and finishing
                if _phase(pod) in ("Succeeded", "Failed") or _deleting(pod):
                    self._release(ctx, pod)
            self._ttl(ctx, job)
            return
        _Sync(self, ctx, job, pods).run()

    def _ttl(self, ctx: Context, job: Obj) -> None:
        """The ttl-after-finished controller: delete the Job `ttlSecondsAfterFinished` after it finished."""
        ttl = _spec(job).get("ttlSecondsAfterFinished")
        if ttl is None:
            return
        done = jc.find(job, jc.finished(job) or "")
        status = job.get("status") or {}
        finished_at = (parse_time(status.get("completionTime"))
                       or parse_time((done or {}).get("lastTransitionTime")))
        if finished_at is None:
            return
        expire = finished_at + int(ttl)
        if ctx.now >= expire:
            ctx.delete(KIND, job["metadata"].get("namespace", ""), job["metadata"]["name"])
        else:
            ctx.requeue_at(expire, ns_key(job))


class _Sync:
    """One syncJob pass over a Job that has not finished."""

    def __init__(self, owner: JobController, ctx: Context, job: Obj, pods: list[Obj]) -> None:
        self.owner, self.ctx, self.job, self.pods = owner, ctx, job, pods
        self.spec = _spec(job)
        self.status: Obj = deep_copy(job.get("status") or {})
        self.conditions: list[Obj] = list(self.status.get("conditions") or [])
        self.indexed = self.spec.get("completionMode") == "Indexed"
        completions = self.spec.get("completions")
        self.completions: int | None = None if completions is None else int(completions)
        self.parallelism = int(self.spec.get("parallelism", 1))

    def run(self) -> None:
        ctx, job = self.ctx, self.job
        fail_job = self._count()
        active = [p for p in self.pods if is_pod_active(p)]
        suspended = bool(self.spec.get("suspend"))
        self._suspend_conditions(suspended)
        target = next((c for c in self.conditions
                       if c.get("type") in jc.FINAL and c.get("status") == "True"), None)
        if target is None and not suspended:
            target = self._criteria(fail_job, active)
        if target is not None:
            if target["type"] == jc.FAILURE_TARGET and active:
                self.owner._delete(ctx, job, active)
                active = []
            if not active and not any(_deleting(p) and p["metadata"].get("finalizers") for p in self._live()):
                self._finish(target)
        elif suspended:
            self.owner._delete(ctx, job, active, count_as_failed=False)
            active = []
        else:
            self._manage(active)
            self._deadline_timer()
        self._post()

    def _live(self) -> list[Obj]:
        meta = self.job["metadata"]
        return self.ctx.list("Pod", meta.get("namespace", ""), owner_uid=meta.get("uid", ""))

    def _count(self) -> failurepolicy.Match | None:
        """Count finished pods still carrying the finalizer, then release them."""
        succeeded, failed, fail_job = [], [], None
        for pod in self.pods:
            if FINALIZER not in (pod["metadata"].get("finalizers") or ()):
                continue
            if _phase(pod) == "Succeeded":
                succeeded.append(pod)
            elif is_failed(pod, self.job):
                failed.append(pod)
        counted = []
        for pod in failed:
            found = failurepolicy.match(self.job, pod) if self.spec.get("podFailurePolicy") else None
            if found is not None and found.action == "FailJob" and fail_job is None:
                fail_job = found
            if found is None or found.action != "Ignore":
                counted.append(pod)
        if self.indexed and self.completions is not None:
            done = ix.parse_intervals(self.status.get("completedIndexes"), self.completions)
            done |= {i for p in succeeded if (i := ix.valid_index(p, self.completions)) is not None}
            self.status["completedIndexes"] = ix.intervals(done)
            self.status["succeeded"] = len(done)
        else:
            self.status["succeeded"] = int(self.status.get("succeeded") or 0) + len(succeeded)
        self.status["failed"] = int(self.status.get("failed") or 0) + len(counted)
        for pod in (*succeeded, *failed):
            self.owner._release(self.ctx, pod)
        return fail_job

    def _suspend_conditions(self, suspended: bool) -> None:
        ctx, job = self.ctx, self.job
        if suspended:
            if jc.ensure(self.conditions, jc.SUSPENDED, "True", *jc.JOB_SUSPENDED, ctx.now):
                ctx.record_event(job, "Normal", "Suspended", "Job suspended")
            return
        if jc.holds(job, jc.SUSPENDED):
            jc.ensure(self.conditions, jc.SUSPENDED, "False", *jc.JOB_RESUMED, ctx.now)
            ctx.record_event(job, "Normal", "Resumed", "Job resumed")
            self.status["startTime"] = format_time(ctx.now)  # activeDeadlineSeconds starts over
        self.status.setdefault("startTime", format_time(ctx.now))

    def _criteria(self, fail_job: failurepolicy.Match | None, active: list[Obj]) -> Obj | None:
        """The interim terminal condition this pass sets, if any (with the failure's event)."""
        ctx = self.ctx
        failure: tuple[str, str] | None = None
        if fail_job is not None:
            failure = (jc.POD_FAILURE_POLICY, fail_job.message)
        elif int(self.status.get("failed") or 0) > int(self.spec.get("backoffLimit", 6)) \
                or past_backoff_on_failure(self.job, active):
            failure = jc.BACKOFF_LIMIT_EXCEEDED
        elif self._past_deadline():
            failure = jc.DEADLINE_EXCEEDED
        if failure is not None:
            jc.ensure(self.conditions, jc.FAILURE_TARGET, "True", *failure, ctx.now)
            ctx.record_event(self.job, "Warning", failure[0], failure[1])
            return next(c for c in self.conditions if c.get("type") == jc.FAILURE_TARGET)
        succeeded = int(self.status.get("succeeded") or 0)
        wanted = self.completions
        complete = (succeeded > 0 and not active) if wanted is None else succeeded >= wanted
        if complete:
            jc.ensure(self.conditions, jc.SUCCESS_CRITERIA_MET, "True", *jc.COMPLETIONS_REACHED, ctx.now)
            return next(c for c in self.conditions if c.get("type") == jc.SUCCESS_CRITERIA_MET)
        return None

    def _past_deadline(self) -> bool:
        deadline = self.spec.get("activeDeadlineSeconds")
        start = parse_time(self.status.get("startTime"))
        return deadline is not None and start is not None and self.ctx.now >= start + int(deadline)

    def _deadline_timer(self) -> None:
        deadline = self.spec.get("activeDeadlineSeconds")
        start = parse_time(self.status.get("startTime"))
        if deadline is not None and start is not None:
            self.ctx.requeue_at(start + int(deadline), ns_key(self.job))

    def _finish(self, target: Obj) -> None:
        final = jc.FINAL[target["type"]]
        reason, message = target.get("reason", ""), target.get("message", "")
        jc.ensure(self.conditions, final, "True", reason, message, self.ctx.now)
        if final == jc.COMPLETE:
            self.status["completionTime"] = format_time(self.ctx.now)
            self.ctx.record_event(self.job, "Normal", "Completed", "Job completed")

    def _manage(self, active: list[Obj]) -> None:
        """manageJob: delete extra pods, or create the missing ones once the back-off allows."""
        ctx, job = self.ctx, self.job
        succeeded = int(self.status.get("succeeded") or 0)
        if self.completions is None:
            want = len(active) if succeeded > 0 else self.parallelism
        else:
            want = max(0, min(self.completions - succeeded, self.parallelism))
        indexes: list[int | None] = []
        if self.indexed and self.completions is not None:
            by_index: dict[int, list[Obj]] = {}
            strays = []
            for pod in active:
                index = ix.valid_index(pod, self.completions)
                done = ix.parse_intervals(self.status.get("completedIndexes"), self.completions)
                if index is None or index in done:
                    strays.append(pod)
                else:
                    by_index.setdefault(index, []).append(pod)
            strays += [p for pods in by_index.values() for p in pods[1:]]
            if strays:
                self.owner._delete(ctx, job, strays)
                return
            done = ix.parse_intervals(self.status.get("completedIndexes"), self.completions)
            indexes = list(ix.first_pending(self.completions, done, set(by_index), want - len(active)))
        excess = len(active) - want
        if excess > 0:
            self.owner._delete(ctx, job, deletion_order(active, [], ctx.now)[:min(excess, MAX_PODS_PER_SYNC)])
            return
        missing = want - len(active)
        if only_replace_failed(job):
            missing -= sum(1 for p in self.pods if _deleting(p) and _phase(p) not in ("Succeeded", "Failed"))
        if missing <= 0:
            return
        finished = [p for p in self._live() if _phase(p) in ("Succeeded", "Failed") or _deleting(p)]
        failures, last = backoff.record([p for p in finished if _phase(p) == "Succeeded"],
                                        [p for p in finished if is_failed(p, job)])
        wait = backoff.remaining(failures, last, ctx.now)
        if wait > 0:
            ctx.requeue_after(wait, ns_key(job))
            return
        targets = indexes if self.indexed else [None] * missing
        for index in targets[:MAX_PODS_PER_SYNC]:
            self.owner._create(ctx, job, index)

    def _post(self) -> None:
        """Write the status (JSON omits zero active/succeeded/failed; ready and terminating stay)."""
        live = self._live()
        active = [p for p in live if is_pod_active(p)]
        status = {k: v for k, v in self.status.items() if k not in _MANAGED}
        for key in ("startTime", "completionTime"):
            if self.status.get(key):
                status[key] = self.status[key]
        if self.conditions:
            status["conditions"] = self.conditions
        counts = {"active": len(active), "succeeded": int(self.status.get("succeeded") or 0),
                  "failed": int(self.status.get("failed") or 0)}
        status.update({k: v for k, v in counts.items() if v})
        status["ready"] = sum(1 for p in active if is_pod_ready(p))
        status["terminating"] = sum(1 for p in live
                                    if _deleting(p) and _phase(p) not in ("Succeeded", "Failed"))
        if self.indexed and self.status.get("completedIndexes"):
            status["completedIndexes"] = self.status["completedIndexes"]
        status["uncountedTerminatedPods"] = {}
        if status == (self.job.get("status") or {}):
            return
        current = self.ctx.get(KIND, self.job["metadata"].get("namespace", ""), self.job["metadata"]["name"])
        if current is not None:
            self.ctx.update_status(dict(current, status=status))
