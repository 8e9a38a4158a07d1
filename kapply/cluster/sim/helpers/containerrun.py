"""What a running container does next: run forever, or exit after a while with a code.

The kubelet's state machine (`podstatus.py`) asks `run_plan` once a container runs. A container
runs forever unless something says otherwise, in this order:
- a crash fault (`kapply image fail IMAGE --reason CrashLoopBackOff`): exit 1 after one second,
  never ready;
- a run setting (`kapply image run IMAGE --duration 30s --exit-code 3`): exit with that code after
  that long, ready meanwhile; it holds for containers started at or after the setting was made
  (`since`, virtual time), so a container already running keeps its course;
- a Job's pod (its controller is a Job): exit 0 after the cluster's `job_duration`, so Jobs and
  CronJobs complete with no configuration.

Whether an exited container starts again is the pod's restartPolicy (kubelet's
ShouldContainerBeRestarted): Always restarts it, OnFailure only after a non-zero exit, Never not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CRASH_AFTER = 1.0  # seconds a crashing container runs before it exits
CRASH_LOOP = "CrashLoopBackOff"


@dataclass(frozen=True)
class RunPlan:
    duration: float  # seconds from start to exit
    exit_code: int
    ready: bool  # may it turn ready before it exits (a crashing container never does)
    since: float = 0.0  # only containers started at or after this virtual time follow the plan


def normalize_image(image: str) -> str:
    """`hello-node` -> `hello-node:latest`; `docker.io/library/x:1` -> `x:1` (how settings are keyed)."""
    name = image.strip()
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if "@" not in name and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def image_setting(table: Mapping[str, Any], image: str) -> Mapping[str, Any] | None:
    """The entry of a per-image settings table (keyed by normalized image) for `image`."""
    entry = table.get(normalize_image(image)) or table.get(image)
    return entry if isinstance(entry, Mapping) else None


def run_plan(image: str, fault: str | None, runs: Mapping[str, Any],
             job_duration: float | None) -> RunPlan | None:
    """How long a container of `image` runs and how it exits; None: it runs until stopped."""
    if fault == CRASH_LOOP:
        return RunPlan(CRASH_AFTER, 1, ready=False)
    entry = image_setting(runs, image) if runs else None
    if entry is not None:
        return RunPlan(float(entry.get("duration", 0)), int(entry.get("exitCode", 0)), ready=True,
                       since=float(entry.get("since", 0)))
    if job_duration is not None:
        return RunPlan(float(job_duration), 0, ready=True)
    return None


def restarts(restart_policy: str | None, exit_code: int) -> bool:
    """Whether the kubelet starts a container again after it exited with `exit_code`."""
    policy = restart_policy or "Always"
    return policy == "Always" or (policy == "OnFailure" and exit_code != 0)


def termination_reason(exit_code: int) -> str:
    """The terminated state's reason, as the container runtime reports it."""
    return "Completed" if exit_code == 0 else "Error"
