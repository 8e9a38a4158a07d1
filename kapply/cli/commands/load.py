"""`kapply load set|clear|list`: the simulated resource use behind `kapply top` and autoscaling.

`load set deploy/web --cpu 400m --memory 256Mi` makes each of the workload's pods use that much
(a pod takes the load of the nearest object in its controller chain); `--total` makes the
figures the workload's, shared by its ready pods. `load clear` returns them to idle.
"""

from __future__ import annotations

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors

load_app = typer.Typer(help="Simulated resource use of a workload's pods (for top and autoscaling).",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(load_app, name="load")


def _target(text: str) -> tuple[str, str]:
    from kapply.cli.resources import resolve_kind
    from kapply.errors import UsageError

    kind, _, name = text.partition("/")
    if not name:
        raise UsageError(f"expected KIND/NAME (e.g. deployment/web), not {text!r}")
    info = resolve_kind(kind)
    if not info.namespaced:
        raise UsageError(f"{info.kind} objects have no pods: give a workload (deployment/NAME, "
                         "statefulset/NAME, pod/NAME, ...)")
    return info.kind, name


@load_app.command("set")
def set_(
    target: str = typer.Argument(..., help="KIND/NAME: deployment/web, statefulset/db, pod/x."),
    cpu: str | None = typer.Option(None, "--cpu", help="CPU per pod, e.g. 400m or 1.5."),
    memory: str | None = typer.Option(None, "--memory", help="Memory per pod, e.g. 256Mi."),
    total: bool = typer.Option(False, "--total", help="The figures are the workload's, shared by its "
                                                      "ready pods."),
    namespace: str | None = options.NAMESPACE,
    cluster: str = options.CLUSTER,
) -> None:
    """Set the simulated resource use of a workload's pods."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim
        from kapply.cluster.sim.loads import set_load
        from kapply.cluster.sim.metrics import parse_load

        kind, name = _target(target)
        load = parse_load(cpu, memory, total)
        with open_sim(cluster) as sim:
            changed = set_load(sim, kind, namespace_of(namespace), name, load)
        parts = [f"cpu {cpu}" if cpu is not None else "", f"memory {memory}" if memory is not None else ""]
        what = ", ".join(p for p in parts if p) + (" in total" if total else " per pod")
        typer.echo(f"{kind.lower()}/{name} {'now uses' if changed else 'already uses'} {what}")


@load_app.command("clear")
def clear(
    target: str = typer.Argument(..., help="KIND/NAME."),
    namespace: str | None = options.NAMESPACE,
    cluster: str = options.CLUSTER,
) -> None:
    """Return a workload's pods to idle."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim
        from kapply.cluster.sim.loads import set_load

        kind, name = _target(target)
        with open_sim(cluster) as sim:
            changed = set_load(sim, kind, namespace_of(namespace), name, None)
        typer.echo(f"{kind.lower()}/{name} {'load cleared' if changed else 'had no load'}")


@load_app.command("list")
def list_(cluster: str = options.CLUSTER) -> None:
    """The loads that are set."""
    with handle_errors():
        from kapply.cli.kubectl import open_sim
        from kapply.cli.printers.tabwriter import align
        from kapply.cluster.sim.loads import loads_of
        from kapply.model.quantity import format_bytes, format_millicores

        with open_sim(cluster) as sim:
            loads = loads_of(sim)
        if not loads:
            typer.echo("No loads set (every pod idles)", err=True)
            return
        lines = ["TARGET\tNAMESPACE\tCPU\tMEMORY\tPER\n"]
        for key, load in loads.items():
            kind, namespace, name = key.split("/", 2)
            cpu = format_millicores(load.cpu) if load.cpu is not None else "<idle>"
            mem = format_bytes(load.memory) if load.memory is not None else "<idle>"
            per = "workload" if load.total else "pod"
            lines.append(f"{kind.lower()}/{name}\t{namespace}\t{cpu}\t{mem}\t{per}\n")
        typer.echo(align("".join(lines), padding=3), nl=False)
