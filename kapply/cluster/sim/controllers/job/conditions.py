"""A Job's conditions and Kubernetes' reasons and messages for them (job_controller.go, utils.go).

A Job that meets its success or failure criteria first gets SuccessCriteriaMet / FailureTarget;
once none of its pods is still running or terminating, Complete / Failed follows with the same
reason and message (and completionTime for Complete).
"""

from __future__ import annotations

from kapply.cluster.sim.controllers.base import Obj
from kapply.cluster.sim.helpers.podutil import format_time

COMPLETE, FAILED = "Complete", "Failed"
SUCCESS_CRITERIA_MET, FAILURE_TARGET, SUSPENDED = "SuccessCriteriaMet", "FailureTarget", "Suspended"

COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")
BACKOFF_LIMIT_EXCEEDED = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Job was active longer than specified deadline")
JOB_SUSPENDED = ("JobSuspended", "Job suspended")
JOB_RESUMED = ("JobResumed", "Job resumed")
POD_FAILURE_POLICY = "PodFailurePolicy"

FINAL = {SUCCESS_CRITERIA_MET: COMPLETE, FAILURE_TARGET: FAILED}


def find(job: Obj, type_: str) -> Obj | None:
    for cond in (job.get("status") or {}).get("conditions") or ():
        if cond.get("type") == type_:
            return cond
    return None


def holds(job: Obj, type_: str) -> bool:
    cond = find(job, type_)
    return cond is not None and cond.get("status") == "True"


def finished(job: Obj) -> str | None:
    """IsJobFinished: "Complete" or "Failed" when that condition holds."""
    for type_ in (COMPLETE, FAILED):
        if holds(job, type_):
            return type_
    return None


def ensure(conditions: list[Obj], type_: str, status: str, reason: str, message: str, now: float) -> bool:
    """ensureJobConditionStatus: update the condition in place (or add it when it holds); changed?"""
    stamp = format_time(now)
    for cond in conditions:
        if cond.get("type") != type_:
            continue
        if cond.get("status") == status and cond.get("reason") == reason and cond.get("message") == message:
            return False
        if cond.get("status") != status:
            cond["lastTransitionTime"] = stamp
        cond.update(status=status, reason=reason, message=message, lastProbeTime=stamp)
        return True
    if status != "True":
        return False
    conditions.append({"type": type_, "status": status, "lastProbeTime": stamp, "lastTransitionTime": stamp,
                       "reason": reason, "message": message})
    return True
