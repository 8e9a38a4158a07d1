"""`kapply logs POD|KIND/NAME [-c CONTAINER] [--previous] [--tail N]`: simulated container logs.

The text comes from `kapply.cluster.sim.logs` (a pure function of the pod). For `deploy/x`,
`rs/x`, `rc/x` or `svc/x` the pod is chosen as kubectl's AttachablePodForObject does: the
selector's pods, most active first (scheduled, running, ready longest, fewest restarts, oldest),
with `Found N pods, using pod/NAME` on stderr when there is a choice.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors

PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def register(app: typer.Typer) -> None:
    app.command(name="logs")(logs)


def logs(
    target: str = typer.Argument(..., help="POD, or KIND/NAME (deploy/web: its first pod)."),
    container: str | None = typer.Option(None, "--container", "-c", help="Container name."),
    previous: bool = typer.Option(False, "--previous", "-p", help="The previous, terminated instance."),
    tail: int = typer.Option(-1, "--tail", help="Lines of recent log to show (-1: all)."),
    all_containers: bool = typer.Option(False, "--all-containers", help="Every container of the pod."),
    namespace: str | None = options.NAMESPACE,
    cluster: str = options.CLUSTER,
) -> None:
    """Print a container's (simulated) log, like `kubectl logs`."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim, report
        from kapply.cluster.sim.logs import container_log
        from kapply.errors import ClusterError

        ns = namespace_of(namespace)
        try:
            with open_sim(cluster) as sim:
                pod = _pod_for(sim, target, ns)
            if all_containers:
                chosen = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or ()]
            else:
                name, warning = choose_container(pod, container)
                sys.stderr.write(warning)
                chosen = [name]
            text = "".join(tail_lines(container_log(pod, name, previous), tail) for name in chosen)
        except ClusterError as exc:
            report(exc)
            raise typer.Exit(ExitStatus.FAILURE) from None
        sys.stdout.write(text)


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
