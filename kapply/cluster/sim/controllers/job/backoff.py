"""The back-off before a Job replaces failed pods (backoff_utils.go).

After n failures since the last success the next pod waits 10s x 2^(n-1), at most 10 minutes,
counted from the last failure. Kubernetes keeps this record in memory and feeds it the pods it
sees finish; the simulation derives the same record from the Job's finished pods (they stay
until the Job is deleted), so it holds across processes without hidden state.
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Obj
from kapply.cluster.sim.helpers.podutil import parse_time

DEFAULT_BACKOFF = 10.0  # DefaultJobPodFailureBackOff
MAX_BACKOFF = 600.0  # MaxJobPodFailureBackOff


def finished_time(pod: Obj) -> float:
    """getFinishedTime: the latest container finish, else the deletion time, else creation."""
    times = [parse_time((cs.get("state") or {}).get("terminated", {}).get("finishedAt"))
             for cs in (pod.get("status") or {}).get("containerStatuses") or ()]
    finished = [t for t in times if t is not None]
    if finished:
        return max(finished)
    meta = pod["metadata"]
    return parse_time(meta.get("deletionTimestamp")) or parse_time(meta.get("creationTimestamp")) or 0.0


def record(succeeded: Iterable[Obj], failed: Iterable[Obj]) -> tuple[int, float | None]:
    """(failures after the last success, time of the last failure)."""
    last_success = max((finished_time(p) for p in succeeded), default=None)
    failures = sorted(finished_time(p) for p in failed)
    if last_success is not None:
        failures = [t for t in failures if t > last_success]
    return len(failures), (failures[-1] if failures else None)


def delay(failures: int) -> float:
    """The back-off after `failures` consecutive failures."""
    if failures <= 0:
        return 0.0
    value = DEFAULT_BACKOFF
    for _ in range(1, failures):
        value *= 2
        if value >= MAX_BACKOFF:
            return MAX_BACKOFF
    return value


def remaining(failures: int, last_failure: float | None, now: float) -> float:
    """getRemainingTimeForFailuresCount: seconds still to wait before creating pods."""
    if failures == 0 or last_failure is None:
        return 0.0
    elapsed = now - last_failure
    wait = delay(failures)
    return 0.0 if wait < elapsed else wait - elapsed
