"""`kapply logs POD|KIND/NAME|-l SEL [-c C] [-f] [--since D] [--timestamps] [--tail N]`: simulated logs.

The text comes from `kapply.cluster.sim.logs` (a pure function of the pod). For `deploy/x`,
`rs/x`, `rc/x` or `svc/x` the pod is chosen as kubectl's AttachablePodForObject does: the
selector's pods, most active first (scheduled, running, ready longest, fewest restarts, oldest),
with `Found N pods, using pod/NAME` on stderr when there is a choice. `-l SEL` reads every
matching pod (the last 10 lines of each unless `--tail`, as kubectl). `-f` keeps reading while
the cluster runs: every half second the cluster catches up and the new lines are printed, until
each container followed has terminated, its pod is gone, the user interrupts, or
`--request-timeout` passes. `--since` keeps the lines of the last D (each simulated line starts
with its time), `--timestamps` puts the time before each line as the kubelet does (RFC 3339).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors

PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}
FOLLOW_POLL = 0.5
SELECTOR_TAIL = 10


def register(app: typer.Typer) -> None:
    app.command(name="logs")(logs)


@dataclass
class _Stream:
    """One container's log being printed: how many of its lines are out already."""

    pod: str
    container: str
    printed: int = 0
    done: bool = False


def logs(
    target: str | None = typer.Argument(None, help="POD, or KIND/NAME (deploy/web: its first pod).",
                                        autocompletion=options.RESOURCE_COMPLETION),
    container: str | None = typer.Option(None, "--container", "-c", help="Container name."),
    previous: bool = typer.Option(False, "--previous", "-p", help="The previous, terminated instance."),
    tail: int | None = typer.Option(None, "--tail", help="Lines of recent log to show (-1: all; "
                                    "10 with a selector)."),
    all_containers: bool = typer.Option(False, "--all-containers", help="Every container of the pod."),
    selector: str | None = options.SELECTOR,
    follow: bool = typer.Option(False, "--follow", "-f",
                                help="Keep printing new lines while the cluster runs."),
    since: str | None = typer.Option(None, "--since", help="Only lines newer than this (e.g. 5s, 2m, 1h)."),
    timestamps: bool = typer.Option(False, "--timestamps", help="Put each line's time before it."),
    prefix: bool = typer.Option(False, "--prefix", help="Put [pod/NAME/CONTAINER] before each line."),
    max_log_requests: int = typer.Option(5, "--max-log-requests",
                                         help="With -l and -f, how many logs may be followed at once."),
    request_timeout: str | None = typer.Option(None, "--request-timeout",
                                               help="Stop following after this long."),
    namespace: str | None = options.NAMESPACE,
    cluster: str = options.CLUSTER,
) -> None:
    """Print a container's (simulated) log, like `kubectl logs`."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim, report
        from kapply.errors import ClusterError, UsageError

        if target is None and selector is None:
            raise UsageError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                             "POD or TYPE/NAME is a required argument for the logs command")
        if target is not None and selector is not None:
            raise UsageError("only a selector (-l) or a POD name is allowed")
        ns = namespace_of(namespace)
        cutoff_seconds = _seconds("--since", since) if since else None
        limit = _seconds("--request-timeout", request_timeout) if request_timeout else None
        count = tail if tail is not None else (SELECTOR_TAIL if selector else -1)
        try:
            with open_sim(cluster) as sim:
                pods = _selected(sim, selector, ns) if selector else [_pod_for(sim, target or "", ns)]
                pairs = _streams(pods, container, all_containers)
                streams = [stream for stream, _ in pairs]
                if follow and len(streams) > max_log_requests:
                    raise UsageError(f"you are attempting to follow {len(streams)} log streams, but maximum "
                                     f"allowed concurrency is {max_log_requests}, use --max-log-requests to "
                                     "increase the limit")
                cutoff = None if cutoff_seconds is None else sim.now() - cutoff_seconds
                show = _Shower(prefix, timestamps, cutoff)
                for stream, pod in pairs:
                    lines = _lines(pod, stream.container, previous)
                    stream.printed = len(lines)
                    stream.done = previous or _terminated(pod, stream.container)
                    sys.stdout.write(show(stream, tail_lines("".join(show.recent(lines)), count)))
                if follow and not previous:
                    _follow(sim, ns, streams, show, limit)
        except ClusterError as exc:
            report(exc)
            raise typer.Exit(ExitStatus.FAILURE) from None


def _seconds(flag: str, text: str) -> float:
    from kapply.model.durations import flag_duration

    return flag_duration(flag, text)


def _selected(sim: Any, selector: str, ns: str) -> list[dict[str, Any]]:
    pods = [dict(p) for p in sim.list("Pod", ns, selector)]
    if not pods:
        sys.stderr.write(f"No resources found in {ns} namespace.\n")
    return pods


def _names(pod: dict[str, Any], container: str | None, every: bool) -> list[str]:
    if every:
        return [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or ()]
    name, warning = choose_container(pod, container)
    sys.stderr.write(warning)
    return [name]


def _streams(pods: list[dict[str, Any]], container: str | None,
             every: bool) -> list[tuple[_Stream, dict[str, Any]]]:
    return [(_Stream(p["metadata"]["name"], name), p) for p in pods for name in _names(p, container, every)]


def _lines(pod: dict[str, Any], container: str, previous: bool = False) -> list[str]:
    from kapply.cluster.sim.logs import container_log

    return container_log(pod, container, previous).splitlines(keepends=True)


def _terminated(pod: dict[str, Any], container: str) -> bool:
    for status in (pod.get("status") or {}).get("containerStatuses") or ():
        if status.get("name") == container:
            return bool((status.get("state") or {}).get("terminated"))
    return False


class _Shower:
    """Formats lines as the flags say: --since keeps the recent ones, --prefix and --timestamps."""

    def __init__(self, prefix: bool, timestamps: bool, cutoff: float | None) -> None:
        self.prefix = prefix
        self.timestamps = timestamps
        self.cutoff = cutoff

    def recent(self, lines: list[str]) -> list[str]:
        if self.cutoff is None:
            return lines
        cutoff = self.cutoff
        return [line for line in lines if (_time_of(line) or cutoff) >= cutoff]

    def __call__(self, stream: _Stream, text: str) -> str:
        out = []
        for line in text.splitlines(keepends=True):
            head = f"[pod/{stream.pod}/{stream.container}] " if self.prefix else ""
            if self.timestamps:
                head += f"{line.split(' ', 1)[0]} "
            out.append(head + line)
        return "".join(out)


def _time_of(line: str) -> float | None:
    """The epoch time a simulated log line starts with (`2026-11-28T09:19:40Z ...`)."""
    import calendar

    try:
        return float(calendar.timegm(time.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%SZ")))
    except ValueError:
        return None


def _follow(sim: Any, ns: str, streams: list[_Stream], show: _Shower, limit: float | None) -> None:
    from kapply.errors import ClusterError, NotFoundError

    sys.stdout.flush()
    deadline = None if limit is None else time.monotonic() + limit
    try:
        while not all(s.done for s in streams):
            if deadline is not None and time.monotonic() >= deadline:
                return
            left = FOLLOW_POLL if deadline is None else deadline - time.monotonic()
            time.sleep(max(0.0, min(FOLLOW_POLL, left)))
            for stream in streams:
                if stream.done:
                    continue
                try:
                    pod = dict(sim.get("Pod", ns, stream.pod))
                    lines = _lines(pod, stream.container)
                except NotFoundError:
                    stream.done = True
                    continue
                except ClusterError:
                    continue  # restarting: the next instance's log comes once it runs
                if len(lines) < stream.printed:  # a new instance (a restart): its log from the start
                    stream.printed = 0
                sys.stdout.write(show(stream, "".join(show.recent(lines[stream.printed:]))))
                stream.printed = len(lines)
                stream.done = _terminated(pod, stream.container)
            sys.stdout.flush()
    except KeyboardInterrupt:
        return


def choose_container(pod: dict[str, Any], requested: str | None) -> tuple[str, str]:
    """kubectl's container choice for logs: (container name, warning for stderr or "")."""
    from kapply.cluster.sim.logs import DEFAULT_CONTAINER_ANNOTATION
    from kapply.errors import KapplyError

    spec, name = pod.get("spec") or {}, pod["metadata"]["name"]
    containers = [c.get("name", "") for c in spec.get("containers") or ()]
    inits = [c.get("name", "") for c in spec.get("initContainers") or ()]
    ephemeral = [c.get("name", "") for c in spec.get("ephemeralContainers") or ()]
    if requested:
        if requested not in (*containers, *inits, *ephemeral):
            raise KapplyError(f"container {requested} is not valid for pod {name}")
        return requested, ""
    warning = ""
    annotated = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    if annotated:
        if annotated in (*containers, *inits, *ephemeral):
            return str(annotated), ""
        warning = f'Default container name "{annotated}" not found in pod {name}\n'
    if not containers:
        raise KapplyError(f"pod {pod['metadata'].get('namespace', '')}/{name} does not have any containers")
    if len(containers) > 1 or inits or ephemeral:
        every = [*containers, *(f"{n} (init)" for n in inits), *(f"{n} (ephem)" for n in ephemeral)]
        warning += f'Defaulted container "{containers[0]}" out of: {", ".join(every)}\n'
    return containers[0], warning


def tail_lines(text: str, count: int) -> str:
    """The last `count` lines (all of them for a negative count)."""
    if count < 0:
        return text
    if count == 0:
        return ""
    lines = text.splitlines(keepends=True)
    return "".join(lines[-count:])


def _pod_for(sim: Any, target: str, ns: str) -> dict[str, Any]:
    from kapply.cli.resources import resolve_kind
    from kapply.errors import KapplyError
    from kapply.model.selectors import from_label_selector, from_match_labels

    if "/" not in target:
        return dict(sim.get("Pod", ns, target))
    kind_text, _, name = target.partition("/")
    info = resolve_kind(kind_text)
    if info.kind == "Pod":
        return dict(sim.get("Pod", ns, name))
    obj = sim.get(info.kind, ns, name)
    spec = obj.get("spec") or {}
    if info.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        selector = from_label_selector(spec.get("selector"))
    elif info.kind in ("ReplicationController", "Service"):
        selector = from_match_labels(spec.get("selector"))
    else:
        raise KapplyError(f"cannot get the logs of {info.singular}/{name}: it has no pods")
    if selector.empty:
        raise KapplyError(f"cannot get the logs of {info.singular}/{name}: it has no selector")
    pods = sorted(sim.list("Pod", ns, selector), key=_most_active)
    if not pods:
        raise KapplyError(f"no pods found for {info.singular}/{name}")
    if len(pods) > 1:
        sys.stderr.write(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}\n")
    return dict(pods[0])


def _most_active(pod: dict[str, Any]) -> tuple[Any, ...]:
    """sort.Reverse(podutils.ActivePods): the pod kubectl would attach to comes first."""
    status = pod.get("status") or {}
    ready = next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), {})
    is_ready = ready.get("status") == "True"
    restarts = max((int(cs.get("restartCount") or 0) for cs in status.get("containerStatuses") or ()),
                   default=0)
    return (not (pod.get("spec") or {}).get("nodeName"), -PHASE_RANK.get(status.get("phase", ""), 0),
            not is_ready, str(ready.get("lastTransitionTime") or "") if is_ready else "", restarts,
            str(pod["metadata"].get("creationTimestamp") or ""))
