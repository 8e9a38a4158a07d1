"""`describe job | cronjob`, as kubectl's describers print them.

The pages show what the stored objects say (the Job and CronJob controllers keep their status),
laid out exactly as kubectl does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kapply.cli.printers.describe.pods import describe_pod_template
from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    controller_of,
    describe_events,
    format_label_selector,
    labels_multiline,
    meta,
    rfc1123z,
)
from kapply.model.columns import parse_time
from kapply.model.durations import human_duration


def _selector(selector: Obj | None) -> str:
    text = format_label_selector(selector)
    return "" if text == "<none>" else text


def describe_job(job: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                 now: float) -> str:
    """kubectl describe job."""
    w = PrefixWriter()
    md, spec, status = meta(job), job.get("spec") or {}, job.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if controlled := controller_of(job):
        w.write(0, f"Controlled By:\t{controlled}\n")
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{int(spec['parallelism'])}\n")
    completions = spec.get("completions")
    w.write(0, f"Completions:\t{int(completions) if completions is not None else '<unset>'}\n")
    if spec.get("completionMode"):
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{int(spec['backoffLimit'])}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{int(spec['ttlSecondsAfterFinished'])}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    if status.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123z(status['completionTime'])}\n")
    started, finished = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if started is not None and finished is not None:
        w.write(0, f"Duration:\t{human_duration(finished - started)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{int(spec['activeDeadlineSeconds'])}s\n")
    active, done, failed = (int(status.get(k) or 0) for k in ("active", "succeeded", "failed"))
    if status.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{active} Active / {done} Succeeded / {failed} Failed\n")
    else:
        w.write(0, f"Pods Statuses:\t{active} Active ({int(status['ready'])} Ready) / {done} Succeeded / "
                   f"{failed} Failed\n")
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{cap_indexes(str(status.get('completedIndexes') or ''))}\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events, now)
    return w.render()


def cap_indexes(indexes: str, soft_limit: int = 50) -> str:
    """capIndexesListOrNone: the list cut after the first comma past 50 characters."""
    if not indexes:
        return "<none>"
    cut = indexes.find(",", soft_limit)
    return indexes if cut < 0 else indexes[:cut + 1] + "..."


def describe_cron_job(cron: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                      now: float) -> str:
    """kubectl describe cronjob."""
    w = PrefixWriter()
    md, spec, status = meta(cron), cron.get("spec") or {}, cron.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else 'True' if suspend else 'False'}\n")
    for title, key in (("Successful Job History Limit", "successfulJobsHistoryLimit"),
                       ("Failed Job History Limit", "failedJobsHistoryLimit")):
        value = spec.get(key)
        w.write(0, f"{title}:\t{int(value) if value is not None else '<unset>'}\n")
    deadline = spec.get("startingDeadlineSeconds")
    w.write(0, f"Starting Deadline Seconds:\t{f'{int(deadline)}s' if deadline is not None else '<unset>'}\n")
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    w.write(0, f"Selector:\t{_selector(job_spec['selector']) if job_spec.get('selector') else '<unset>'}\n")
    for title, key in (("Parallelism", "parallelism"), ("Completions", "completions")):
        value = job_spec.get(key)
        w.write(0, f"{title}:\t{int(value) if value is not None else '<unset>'}\n")
    if job_spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{int(job_spec['activeDeadlineSeconds'])}s\n")
    describe_pod_template(w, job_spec.get("template"))
    last = status.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = [str(ref.get("name", "")) for ref in status.get("active") or ()]
    w.write(0, f"Active Jobs:\t{', '.join(active) or '<none>'}\n")
    describe_events(w, events, now)
    return w.render()
