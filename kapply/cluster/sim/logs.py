"""Simulated container logs, computed from a pod's spec and status when they are read.

Nothing is stored: a container instance's log is a pure function of the pod (its image, port,
start and finish times from the container status), so `kapply logs POD [-c C] [--previous]` prints
the same text every time, and restarts show up as the previous instance's log ending in the
crash. Errors are the API server's 400 texts (`container "c" in pod "p" is waiting to start:
ContainerCreating`, `previous terminated container "c" in pod "p" not found`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kapply.errors import ClusterError

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


class LogsUnavailableError(ClusterError):
    """The API server's BadRequest for logs that do not exist (yet)."""

    code = 400
    reason = "BadRequest"


def default_container(pod: Mapping[str, Any]) -> str:
    """The container `logs` reads without -c: the annotated default, else the first."""
    annotated = ((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or ()]
    if annotated in names:
        return str(annotated)
    return names[0] if names else ""


def _port(spec: Mapping[str, Any]) -> int:
    for port in spec.get("ports") or ():
        if port.get("containerPort"):
            return int(port["containerPort"])
    return 8080


def _instance(pod: Mapping[str, Any], spec: Mapping[str, Any], started: str, finished: str | None,
              exit_code: int) -> str:
    image = spec.get("image", "")
    app = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0] or spec.get("name", "app")
    name = pod["metadata"]["name"]
    lines = [
        f"{started} Starting {app} (image {image}) in pod {name}",
        f"{started} Listening on port {_port(spec)}",
    ]
    if finished is not None:
        if exit_code == 0:
            lines.append(f"{finished} Received SIGTERM, shutting down")
        else:
            lines.append(f"{finished} Error: unhandled exception, exiting")
            lines.append(f"{finished} Process exited with code {exit_code}")
    return "\n".join(lines) + "\n"


def container_log(pod: Mapping[str, Any], container: str | None = None, previous: bool = False) -> str:
    """The log of the container's current (or, with previous, last terminated) instance."""
    name = pod["metadata"]["name"]
    container = container or default_container(pod)
    specs = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or ()}
    spec = specs.get(container)
    if spec is None:
        raise LogsUnavailableError(f"container {container} is not valid for pod {name}")
    statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses") or ()}
    status = statuses.get(container) or {}
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated")
    if previous:
        if not last:
            raise LogsUnavailableError(
                f'previous terminated container "{container}" in pod "{name}" not found')
        return _instance(pod, spec, last.get("startedAt", ""), last.get("finishedAt", ""),
                         int(last.get("exitCode", 1)))
    if state.get("running"):
        return _instance(pod, spec, state["running"].get("startedAt", ""), None, 0)
    if state.get("terminated"):
        term = state["terminated"]
        return _instance(pod, spec, term.get("startedAt", ""), term.get("finishedAt", ""),
                         int(term.get("exitCode", 0)))
    if last:  # waiting to restart (CrashLoopBackOff): the most recent instance's log
        return _instance(pod, spec, last.get("startedAt", ""), last.get("finishedAt", ""),
                         int(last.get("exitCode", 1)))
    reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
    if reason in ("ErrImagePull", "ImagePullBackOff"):
        reason = "trying and failing to pull image"
    raise LogsUnavailableError(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
