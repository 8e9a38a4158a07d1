"""`kapply rollout status|history|undo|restart|pause|resume`: kubectl's rollout commands.

Deployments, StatefulSets and DaemonSets (status, history, undo, restart; pause and resume are
for Deployments only, as in kubectl). `status` follows a rollout with kubectl's lines
(`kapply.model.rollout`); on an embedded cluster with a manual clock it fast-forwards virtual
time to the next pending event instead of sleeping, with a wall clock it polls. `undo` uses
kubectl's client-side rollback (the deployment controller's `rollback.py`, or for the other two
the ControllerRevisions of `history.py`); `history` lists the revisions recorded on the
ReplicaSets or ControllerRevisions.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors

rollout_app = typer.Typer(help="Manage the rollout of a Deployment, StatefulSet or DaemonSet: status, "
                               "history, undo, restart, pause, resume.", no_args_is_help=True)

RESOURCE = typer.Argument(..., help="deployment/NAME, statefulset/NAME or daemonset/NAME.")
ROLLING_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
POLL_SECONDS = 0.2  # wall-clock polling interval when the cluster's clock is real


def register(app: typer.Typer) -> None:
    app.add_typer(rollout_app, name="rollout")


def _target(resource: list[str], verb: str) -> tuple[str, str]:
    """(kind, name) of the one Deployment named on the command line."""
    from kapply.cli.resources import parse_targets
    from kapply.errors import UsageError

    targets = parse_targets(resource)
    if len(targets) != 1 or targets[0][1] is None:
        raise UsageError(f"required resource not specified: use `kapply rollout {verb} deployment/NAME`")
    info, name = targets[0]
    supported = ROLLING_KINDS if verb in ("status", "history", "undo", "restart") else ("Deployment",)
    if info.kind not in supported:
        group_kind = f"{info.kind}.{info.group}" if info.group else info.kind
        what = {"status": "status viewer", "history": "history viewer", "undo": "rollbacker"}.get(verb)
        if what:
            raise UsageError(f"no {what} has been implemented for {group_kind}")
        raise UsageError(f"{verb} is not supported for {group_kind}")
    assert name is not None
    return info.kind, name


def _owned_replica_sets(sim: Any, deployment: dict[str, Any]) -> list[dict[str, Any]]:
    from kapply.cluster.sim.controllers.deployment.rollback import owned_replica_sets

    namespace = deployment["metadata"].get("namespace", "default")
    return owned_replica_sets(deployment, sim.list("ReplicaSet", namespace))


@rollout_app.command("status")
def status(
    resource: list[str] = RESOURCE,
    namespace: str | None = options.NAMESPACE,
    watch: bool = typer.Option(True, "--watch/--no-watch", "-w", help="Follow the rollout until it ends."),
    timeout: str = typer.Option("0s", "--timeout", help="Give up after this long (0s: never)."),
    revision: int = typer.Option(0, "--revision", help="Require this revision (0: any)."),
    cluster: str = options.CLUSTER,
) -> None:
    """Show the status of a rollout, following it until it completes (exit 1 if it failed)."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.errors import KapplyError
        from kapply.model.durations import flag_duration
        from kapply.model.rollout import rollout_status

        kind, name = _target(resource, "status")
        limit = flag_duration("--timeout", timeout)
        ns = namespace or "default"
        sim = open_cluster(cluster)
        manual = bool(sim.settings.manual_clock)
        start = sim.now()
        last = None
        while True:
            result = rollout_status(sim.get(kind, ns, name), revision)
            if result.error:
                raise KapplyError(result.error)
            if result.message != last:
                sys.stdout.write(result.message + "\n")
                sys.stdout.flush()
                last = result.message
            if result.done or not watch:
                return
            now = sim.now()
            if limit > 0 and now >= start + limit:
                raise KapplyError("timed out waiting for the condition")
            if manual:
                due = sim.next_due()
                if due is None:
                    if limit <= 0:
                        raise KapplyError(f'{kind.lower()} "{name}" rollout is stuck: nothing is due to '
                                          f'happen in cluster "{cluster}" (its clock is manual)')
                    due = start + limit
                if limit > 0:
                    due = min(due, start + limit)
                sim.advance(max(due - now, 0.001))  # always forward, even if a timer is due now
            else:
                time.sleep(POLL_SECONDS)


@rollout_app.command("history")
def history(
    resource: list[str] = RESOURCE,
    namespace: str | None = options.NAMESPACE,
    revision: int = typer.Option(0, "--revision", help="Show the pod template of this revision."),
    cluster: str = options.CLUSTER,
) -> None:
    """List a Deployment's revisions (REVISION, CHANGE-CAUSE), or one revision's pod template."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.errors import KapplyError, UsageError

        if revision < 0:
            raise UsageError(f"revision must be a positive integer: {revision}")
        kind, name = _target(resource, "history")
        sim = open_cluster(cluster)
        obj = sim.get(kind, namespace or "default", name)
        templates: dict[int, dict[str, Any]] = {}
        causes: dict[int, str] = {}
        for number, template, cause in _revisions(sim, obj):
            templates[number], causes[number] = template, cause or "<none>"
        header = f"{kind.lower()}.apps/{name}"
        if not templates:
            sys.stdout.write(f"{header} \nNo rollout history found.\n")
            return
        if revision > 0:
            if revision not in templates:
                raise KapplyError("unable to find the specified revision")
            text = describe_template(templates[revision])
            sys.stdout.write(f"{header} with revision #{revision}\n{text}\n")
            return
        rows = [("REVISION", "CHANGE-CAUSE"), *((str(n), causes[n]) for n in sorted(templates))]
        width = max(len(r[0]) for r in rows) + 2
        table = "".join(f"{a.ljust(width)}{b}\n" for a, b in rows)
        sys.stdout.write(f"{header} \n{table}\n")


def _revisions(sim: Any, obj: dict[str, Any]) -> list[tuple[int, dict[str, Any], str]]:
    """(revision, pod template, change cause) from a Deployment's ReplicaSets or the others'
    ControllerRevisions."""
    from kapply.cluster.sim.controllers.deployment import revisions as rev
    from kapply.cluster.sim.helpers import history

    if obj.get("kind") == "Deployment":
        found = []
        for rs in _owned_replica_sets(sim, obj):
            number = rev.revision(rs)
            if number is not None:
                cause = (rs["metadata"].get("annotations") or {}).get(rev.CHANGE_CAUSE_ANNOTATION) or ""
                found.append((number, rs["spec"].get("template") or {}, cause))
        return found
    namespace = obj["metadata"].get("namespace", "default")
    return [(history.number(r), history.template_of(r),
             (r["metadata"].get("annotations") or {}).get(history.CHANGE_CAUSE_ANNOTATION) or "")
            for r in history.controlled_by(obj, sim.list("ControllerRevision", namespace))]


def describe_template(template: dict[str, Any]) -> str:
    """A pod template in `kubectl describe`'s layout (Labels, Annotations, Containers, Volumes)."""
    meta = template.get("metadata") or {}
    spec = template.get("spec") or {}
    lines = ["Pod Template:"]

    def mapping(title: str, values: dict[str, Any] | None) -> None:
        items = [f"{k}={v}" for k, v in sorted((values or {}).items())]
        lines.append(f"  {title}:\t{items[0] if items else '<none>'}")
        lines.extend(f"  \t{item}" for item in items[1:])

    mapping("Labels", meta.get("labels"))
    if meta.get("annotations"):
        mapping("Annotations", meta.get("annotations"))
    lines.append("  Containers:")
    for c in spec.get("containers") or ():
        lines.append(f"   {c.get('name', '')}:")
        lines.append(f"    Image:\t{c.get('image', '')}")
        ports = c.get("ports") or []
        port_text = ", ".join(f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}" for p in ports)
        lines.append(f"    Port:\t{port_text or '<none>'}")
        lines.append(f"    Host Port:\t{'0/TCP' if ports else '<none>'}")
        env = c.get("env") or []
        if env:
            lines.append("    Environment:")
            lines.extend(f"      {e.get('name')}:\t{e.get('value', '')}" for e in env)
        else:
            lines.append("    Environment:\t<none>")
        mounts = c.get("volumeMounts") or []
        if mounts:
            lines.append("    Mounts:")
            lines.extend(f"      {m.get('mountPath')} from {m.get('name')}" for m in mounts)
        else:
            lines.append("    Mounts:\t<none>")
    volumes = spec.get("volumes") or []
    lines.append(f"  Volumes:\t{'<none>' if not volumes else ''}".rstrip())
    lines.extend(f"   {v.get('name')}:" for v in volumes)
    return "\n".join(lines)


@rollout_app.command("undo")
def undo(
    resource: list[str] = RESOURCE,
    namespace: str | None = options.NAMESPACE,
    to_revision: int = typer.Option(0, "--to-revision", help="Roll back to this revision (0: the previous)."),
    cluster: str = options.CLUSTER,
) -> None:
    """Roll back to the previous (or a given) revision: `deployment.apps/NAME rolled back`."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.controllers.deployment.rollback import rollback

        kind, name = _target(resource, "undo")
        sim = open_cluster(cluster)
        obj = sim.get(kind, namespace or "default", name)
        if kind == "Deployment":
            result = rollback(obj, _owned_replica_sets(sim, obj), to_revision)
            message, restored = result.message, result.deployment
        else:
            from kapply.cluster.sim.helpers import history

            ns = obj["metadata"].get("namespace", "default")
            message, restored = history.rollback(obj, sim.list("ControllerRevision", ns), to_revision)
        if restored is not None:
            sim.update(restored)
        sys.stdout.write(f"{kind.lower()}.apps/{name} {message}\n")


def _patch_deployment(resource: list[str], namespace: str | None, cluster: str, verb: str) -> None:
    from kapply.cluster.sim import open_cluster
    from kapply.cluster.sim.clock import rfc3339
    from kapply.errors import KapplyError

    kind, name = _target(resource, verb)
    sim = open_cluster(cluster)
    ns = namespace or "default"
    deployment = sim.get(kind, ns, name)
    paused = bool((deployment.get("spec") or {}).get("paused"))
    label = f'{kind.lower()}s.apps "{name}"'
    body: dict[str, Any]
    if verb == "pause":
        if paused:
            raise KapplyError(f"{label} is already paused")
        body, done = {"spec": {"paused": True}}, "paused"
    elif verb == "resume":
        if not paused:
            raise KapplyError(f"{label} is not paused")
        body, done = {"spec": {"paused": None}}, "resumed"
    else:
        if paused:
            raise KapplyError(f"{label} can't restart paused deployment (run rollout resume first)")
        stamp = rfc3339(sim.now())
        annotation = {"kubectl.kubernetes.io/restartedAt": stamp}
        body = {"spec": {"template": {"metadata": {"annotations": annotation}}}}
        done = "restarted"
    sim.patch(kind, ns, name, body, patch_type="merge")
    sys.stdout.write(f"{kind.lower()}.apps/{name} {done}\n")


@rollout_app.command("restart")
def restart(resource: list[str] = RESOURCE, namespace: str | None = options.NAMESPACE,
            cluster: str = options.CLUSTER) -> None:
    """Restart a Deployment's pods by a rolling update (kubectl.kubernetes.io/restartedAt)."""
    with handle_errors():
        _patch_deployment(resource, namespace, cluster, "restart")


@rollout_app.command("pause")
def pause(resource: list[str] = RESOURCE, namespace: str | None = options.NAMESPACE,
          cluster: str = options.CLUSTER) -> None:
    """Pause a Deployment: template changes are not rolled out until resumed."""
    with handle_errors():
        _patch_deployment(resource, namespace, cluster, "pause")


@rollout_app.command("resume")
def resume(resource: list[str] = RESOURCE, namespace: str | None = options.NAMESPACE,
           cluster: str = options.CLUSTER) -> None:
    """Resume a paused Deployment."""
    with handle_errors():
        _patch_deployment(resource, namespace, cluster, "resume")
