"""The kubelet's pod lifecycle as a pure state machine: (pod, now, faults) -> (status, next due, events).

`kubelet.py` calls `step_pod` at every sync; everything here is a function of the pod's own
status (startTime, container states, restartCount, lastState) and the virtual time, so the
simulation stays deterministic across processes without hidden state. Timeline of a container:

    t0 (kubelet sees the pod)        waiting ContainerCreating, `Pulling image "x"`
    t0 + pod_startup + image_pull    running (`Pulled`, `Created container: c`, `Started container c`)
    + readinessProbe.initialDelay    ready; the pod's Ready / ContainersReady conditions turn True

An image already on the node (its status.images, kept by kubelet.py) is not pulled unless the
imagePullPolicy is Always: no `Pulling`, `Container image "x" already present on machine`, and no
image_pull delay. The decision made at t0 is kept in the container's imageID (set at once when
the image is present, empty while pulling), so later syncs agree with it.

Faults (`kapply image fail`): ErrImagePull fails each pull attempt: ErrImagePull, one second later
ImagePullBackOff, next attempt after the back-off (10s, 20s, 40s ... capped at 5m, counted from the
first attempt, so no hidden counter is needed). A fault applies when an image is pulled or a
container starts; clearing it (`image ok`) lets the next attempt succeed.

Exits (`containerrun.run_plan`: a CrashLoopBackOff fault, `kapply image run`, a Job's pod): the
container runs for the plan's duration and terminates with its exit code (`Completed` / `Error`).
The restartPolicy decides what follows: restarted at once the first time and after the back-off
(10s, 20s, 40s ... 5m) the next times, RESTARTS counting up; or it stays terminated, and once
every container has, the pod is Succeeded (all exited 0) or Failed.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from kapply.cluster.sim.helpers.containerrun import (
    CRASH_LOOP,
    RunPlan,
    restarts,
    run_plan,
    termination_reason,
)
from kapply.cluster.sim.helpers.containerrun import normalize_image as normalize_image
from kapply.cluster.sim.nodes import rfc3339

BACKOFF_INITIAL = 10.0
BACKOFF_MAX = 300.0
ERR_IMAGE_PULL = "ErrImagePull"
PULL_FAILING = ("ErrImagePull", "ImagePullBackOff")

Event = tuple[str, str, str]  # type, reason, message


@dataclass(frozen=True)
class Timings:
    pod_startup: float
    image_pull: float


def image_fault(faults: Mapping[str, Any], image: str) -> str | None:
    """The injected fault reason for an image (faults keyed by normalized image), if any."""
    entry = faults.get(normalize_image(image)) or faults.get(image)
    return str(entry.get("reason")) if entry else None


def parse_time(value: str | None) -> float | None:
    """RFC 3339 `2026-01-02T03:04:05Z` -> epoch seconds (None for None/empty)."""
    if not value:
        return None
    return _parse_time(value)


@functools.lru_cache(maxsize=4096)
def _parse_time(value: str) -> float:
    return float(calendar.timegm(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ")))


def backoff(n: int) -> float:
    """The n-th back-off delay (n >= 1): 10s doubling, capped at 5m."""
    return min(BACKOFF_INITIAL * 2 ** (min(n, 16) - 1), BACKOFF_MAX)


def pull_attempt(first: float, now: float) -> tuple[int, float, float]:
    """(k, time of attempt k, time of attempt k+1) for the latest attempt at or before `now`."""
    k, at = 1, first
    while True:
        nxt = at + backoff(k)
        if nxt > now:
            return k, at, nxt
        if backoff(k) >= BACKOFF_MAX:  # constant steps from here on: jump
            steps = int((now - nxt) // BACKOFF_MAX)
            k, at = k + 1 + steps, nxt + steps * BACKOFF_MAX
            return k, at, at + BACKOFF_MAX
        k, at = k + 1, nxt


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String for the values kubelet prints (`1.2s`, `523ms`, `1m20s`, `5m0s`)."""
    if seconds < 1:
        ms = round(seconds * 1000, 3)
        return f"{ms:g}ms" if ms else "0s"
    minutes, secs = divmod(seconds, 60)
    text = f"{round(secs, 3):g}s"
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{int(hours)}h{int(minutes)}m{text}"
    return f"{int(minutes)}m{text}" if minutes else text


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()


def image_size(image: str) -> int:
    return 40_000_000 + int(_digest("size", image)[:8], 16) % 200_000_000


def container_id(pod_uid: str, name: str, restart: int) -> str:
    return "docker://" + _digest(pod_uid, name, restart)


def image_id(image: str) -> str:
    repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"docker-pullable://{repo}@sha256:{_digest('image', image)}"


def pod_ref(pod: Mapping[str, Any]) -> str:
    """format.Pod: `name_namespace(uid)`, as kubelet names pods in messages."""
    meta = pod["metadata"]
    return f"{meta['name']}_{meta.get('namespace', '')}({meta.get('uid', '')})"


def qos_class(pod: Mapping[str, Any]) -> str:
    containers = list((pod.get("spec") or {}).get("containers") or ())
    requests = [(c.get("resources") or {}).get("requests") or {} for c in containers]
    limits = [(c.get("resources") or {}).get("limits") or {} for c in containers]
    if not any(requests) and not any(limits):
        return "BestEffort"
    for req, lim in zip(requests, limits, strict=True):
        for res in ("cpu", "memory"):
            if res not in lim or str(req.get(res, lim[res])) != str(lim[res]):
                return "Burstable"
    return "Guaranteed"


def _readiness_delay(spec: Mapping[str, Any]) -> float:
    probe = spec.get("readinessProbe")
    return float(probe.get("initialDelaySeconds") or 0) if probe else 0.0


class _Step:
    """One container's transition; collects events and the earliest next due time."""

    def __init__(self, pod: Mapping[str, Any], now: float) -> None:
        self.pod, self.now = pod, now
        self.events: list[Event] = []
        self.due: float | None = None
        self.pulled: list[str] = []  # images this step finished pulling onto the node

    def wake(self, when: float) -> None:
        if self.due is None or when < self.due:
            self.due = when

    def start(self, cs: dict[str, Any], image: str, restart: bool, pulled_in: float | None) -> None:
        name = cs["name"]
        if restart:
            cs["restartCount"] = cs.get("restartCount", 0) + 1
            self.events.append(("Normal", "Pulled",
                                f'Container image "{image}" already present on machine'))
        elif pulled_in is not None:
            d = go_duration(pulled_in)
            self.events.append(("Normal", "Pulled", f'Successfully pulled image "{image}" in {d} '
                                f"({d} including waiting). Image size: {image_size(image)} bytes."))
            self.pulled.append(image)
        else:
            self.events.append(("Normal", "Pulled", f'Container image "{image}" already present on machine'))
        cs["containerID"] = container_id(self.pod["metadata"].get("uid", ""), name, cs.get("restartCount", 0))
        cs["imageID"] = image_id(image)
        cs["state"] = {"running": {"startedAt": rfc3339(self.now)}}
        cs["started"] = True
        cs["ready"] = False
        self.events.append(("Normal", "Created", f"Created container: {name}"))
        self.events.append(("Normal", "Started", f"Started container {name}"))


def _initial_container_status(spec: Mapping[str, Any], present: bool) -> dict[str, Any]:
    """A new container, waiting. An image already on the node has its imageID from the start;
    an empty imageID means the kubelet is pulling it (and decides the timeline below)."""
    image = spec.get("image", "")
    return {"name": spec["name"], "image": image, "imageID": image_id(image) if present else "",
            "lastState": {}, "ready": False, "restartCount": 0, "started": False,
            "state": {"waiting": {"reason": "ContainerCreating"}}}


def must_pull(spec: Mapping[str, Any], present: Collection[str], fault: str | None) -> bool:
    """imagePullPolicy: Always pulls; IfNotPresent / Never use the node's copy when it has one.
    An image made to fail to pull (`kapply image fail`) counts as gone from every node."""
    image = spec.get("image", "")
    if fault == ERR_IMAGE_PULL:
        return True
    policy = spec.get("imagePullPolicy") or ("Always" if normalize_image(image).endswith(":latest")
                                              else "IfNotPresent")
    return policy == "Always" or normalize_image(image) not in present


def _step_container(step: _Step, spec: Mapping[str, Any], cs: dict[str, Any], t0: float,
                    timings: Timings, fault: str | None, plan: RunPlan | None) -> None:
    now, image = step.now, spec.get("image", "")
    state = cs.get("state") or {}
    waiting = state.get("waiting")
    if waiting is not None and cs.get("restartCount", 0) == 0 and not cs.get("lastState"):
        pulling = not cs.get("imageID")
        first = t0 + timings.pod_startup + (timings.image_pull if pulling else 0.0)
        if now < first:
            step.wake(first)
            return
        k, at, nxt = pull_attempt(first, now)
        at_attempt = abs(now - at) < 1e-6
        failing = waiting.get("reason") in PULL_FAILING
        if pulling and (fault == ERR_IMAGE_PULL or (failing and not at_attempt)):
            reason = ERR_IMAGE_PULL if now < at + 1 else "ImagePullBackOff"
            step.wake(at + 1 if reason == ERR_IMAGE_PULL else nxt)
            if waiting.get("reason") == reason:
                return
            error = (f"Error response from daemon: pull access denied for {image.split(':')[0]}, "
                     "repository does not exist or may require 'docker login': denied: "
                     "requested access to the resource is denied")
            if reason == ERR_IMAGE_PULL:
                if k > 1:
                    step.events.append(("Normal", "Pulling", f'Pulling image "{image}"'))
                step.events += [("Warning", "Failed", f'Failed to pull image "{image}": {error}'),
                                ("Warning", "Failed", "Error: ErrImagePull")]
                cs["state"] = {"waiting": {"reason": reason, "message": error}}
            else:
                step.events += [("Normal", "BackOff", f'Back-off pulling image "{image}"'),
                                ("Warning", "Failed", "Error: ImagePullBackOff")]
                message = f'Back-off pulling image "{image}": ErrImagePull: {error}'
                cs["state"] = {"waiting": {"reason": reason, "message": message}}
            return
        if failing:
            step.events.append(("Normal", "Pulling", f'Pulling image "{image}"'))
        if not pulling:
            step.start(cs, image, restart=False, pulled_in=None)
        else:
            step.start(cs, image, restart=False, pulled_in=(now - t0) if not failing else timings.image_pull)
    elif waiting is not None:  # CrashLoopBackOff: restart when the back-off has passed
        finished = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")) or now
        due = finished + backoff(cs.get("restartCount", 0) or 1)
        if now < due:
            step.wake(due)
            return
        step.start(cs, image, restart=True, pulled_in=None)
    running = (cs.get("state") or {}).get("running")
    if running is None:
        return
    started = parse_time(running.get("startedAt")) or now
    if plan is not None and started < plan.since:
        plan = None  # started before the run setting was made
    exit_at = None if plan is None else started + plan.duration
    if exit_at is not None and now >= exit_at:
        _exit(step, cs, image, started, plan, _readiness_delay(spec))  # type: ignore[arg-type]
        return
    if not cs.get("ready") and (plan is None or plan.ready):
        ready_at = started + _readiness_delay(spec)
        if now < ready_at:
            step.wake(ready_at)
        else:
            cs["ready"] = True
    if exit_at is not None:
        step.wake(exit_at)


def _exit(step: _Step, cs: dict[str, Any], image: str, started: float, plan: RunPlan,
          ready_delay: float) -> None:
    """The container's process ended: terminated, then restarted or not by the restartPolicy."""
    now, name = step.now, cs["name"]
    terminated = {"exitCode": plan.exit_code, "reason": termination_reason(plan.exit_code),
                  "startedAt": rfc3339(started), "finishedAt": rfc3339(now),
                  "containerID": cs.get("containerID", "")}
    cs["ready"] = False
    cs["started"] = False
    if not restarts((step.pod.get("spec") or {}).get("restartPolicy"), plan.exit_code):
        cs["state"] = {"terminated": terminated}  # stays terminated (lastState: the one before)
        return
    cs["lastState"] = {"terminated": terminated}
    if cs.get("restartCount", 0) == 0:
        step.start(cs, image, restart=True, pulled_in=None)
        step.wake(now + plan.duration)
        if plan.ready:
            step.wake(now + ready_delay)
        return
    delay = backoff(cs["restartCount"])
    cs["state"] = {"waiting": {"reason": CRASH_LOOP, "message":
                               f"back-off {go_duration(delay)} restarting failed container={name} "
                               f"pod={pod_ref(step.pod)}"}}
    cs.pop("containerID", None)
    step.events.append(("Warning", "BackOff",
                        f"Back-off restarting failed container {name} in pod {pod_ref(step.pod)}"))
    step.wake(now + delay)


def _condition(before: Mapping[str, Any] | None, type_: str, status: str, stamp: str,
               reason: str | None = None, message: str | None = None) -> dict[str, Any]:
    """A pod condition; lastTransitionTime kept while the status does not change."""
    if before is not None and before.get("status") == status and before.get("lastTransitionTime"):
        stamp = before["lastTransitionTime"]
    cond: dict[str, Any] = {"type": type_, "status": status, "lastProbeTime": None,
                            "lastTransitionTime": stamp}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


_CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


class PodStep(NamedTuple):
    status: dict[str, Any]
    due: float | None  # when to look again
    events: list[Event]
    pulled: list[str]  # images now on the node (for its status.images)


def step_pod(pod: Mapping[str, Any], now: float, timings: Timings, faults: Mapping[str, Any],
             host_ip: str, pod_ip: str, present: Collection[str] = (), runs: Mapping[str, Any] | None = None,
             job_duration: float | None = None) -> PodStep:
    """The pod's status at `now`, when to look again, the events of the transitions made and the
    images pulled; `present` holds the (normalized) images already on the node, `runs` the run
    settings per image and `job_duration` how long a Job's containers run (None: not a Job's pod)."""
    status = dict(pod.get("status") or {})  # nested values are replaced, never mutated
    step = _Step(pod, now)
    first_sync = not status.get("startTime")
    if first_sync:
        status["startTime"] = rfc3339(now)
    t0 = parse_time(status["startTime"]) or now
    status.update(hostIP=host_ip, hostIPs=[{"ip": host_ip}], podIP=pod_ip, podIPs=[{"ip": pod_ip}])
    if "qosClass" not in status:
        status["qosClass"] = qos_class(pod)
    specs = list((pod.get("spec") or {}).get("containers") or ())
    existing = {cs.get("name"): cs for cs in status.get("containerStatuses") or ()}
    statuses = []
    for spec in specs:
        cs = existing.get(spec["name"])
        cs = dict(cs) if cs is not None else None
        fault = image_fault(faults, spec.get("image", "")) if faults else None
        if cs is None or cs.get("image") != spec.get("image", ""):
            pull = must_pull(spec, present, fault)
            cs = _initial_container_status(spec, present=not pull)
            if pull:
                step.events.append(("Normal", "Pulling", f'Pulling image "{spec.get("image", "")}"'))
        plan = run_plan(spec.get("image", ""), fault, runs or {}, job_duration)
        _step_container(step, spec, cs, t0, timings, fault, plan)
        statuses.append(cs)
    status["containerStatuses"] = statuses
    ran = any(cs["state"].get("running") or cs.get("restartCount") for cs in statuses)
    ended = [cs["state"]["terminated"] for cs in statuses if cs["state"].get("terminated")]
    if statuses and len(ended) == len(statuses):
        status["phase"] = "Failed" if any(t.get("exitCode") for t in ended) else "Succeeded"
    else:
        status["phase"] = "Running" if ran or ended else "Pending"
    unready = [cs["name"] for cs in statuses if not cs.get("ready")]
    old = {c.get("type"): c for c in status.get("conditions") or ()}
    stamp = rfc3339(now)
    if status["phase"] == "Succeeded":  # GeneratePodReadyCondition for a completed pod
        ready = [_condition(old.get(t), t, "False", stamp, "PodCompleted")
                 for t in ("Ready", "ContainersReady")]
    elif unready:
        why = ("ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]")
        ready = [_condition(old.get(t), t, "False", stamp, *why) for t in ("Ready", "ContainersReady")]
    else:
        ready = [_condition(old.get(t), t, "True", stamp) for t in ("Ready", "ContainersReady")]
    first = "PodReadyToStartContainers"
    conditions = [_condition(old.get(first), first, "True", stamp),
                  _condition(old.get("Initialized"), "Initialized", "True", stamp), *ready,
                  _condition(old.get("PodScheduled"), "PodScheduled", "True", stamp)]
    conditions += [c for t, c in old.items() if t not in _CONDITION_ORDER]  # e.g. DisruptionTarget
    status["conditions"] = conditions
    return PodStep(status, step.due, step.events, step.pulled)
