"""`kapply image fail|run|ok|list`: fault injection and run times for the embedded cluster's images.

`image fail IMAGE --reason ErrImagePull` makes every pull of IMAGE fail (ErrImagePull, then
ImagePullBackOff with growing back-off); `--reason CrashLoopBackOff` makes its containers exit
soon after starting (restarts counting up). `image run IMAGE --duration 30s --exit-code 0` makes
its containers started from now on exit with that code after that long (Job pods complete or
fail; other pods restart as their restartPolicy says). `image ok IMAGE` clears both: pods recover
at their next pull or restart attempt, as they would after fixing a real registry or image.
"""

from __future__ import annotations

import json
import sys

import typer

from kapply.cli.exits import handle_errors
from kapply.cli.options import CLUSTER

image_app = typer.Typer(help="Fault injection: make an image fail to pull or crash, or work again.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(image_app, name="image")


@image_app.command("fail")
def fail(
    image: str = typer.Argument(..., help="Image, e.g. hello-node:v2."),
    reason: str = typer.Option("ErrImagePull", "--reason", help="ErrImagePull or CrashLoopBackOff."),
    cluster: str = CLUSTER,
) -> None:
    """Make pods of IMAGE fail like the real thing."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.nodeops import set_image_fault

        sim = open_cluster(cluster)
        try:
            key, changed = set_image_fault(sim, image, reason)
        finally:
            sim.close()
        typer.echo(f'image "{key}" {"now fails" if changed else "already fails"} with {reason}')


@image_app.command("run")
def run(
    image: str = typer.Argument(..., help="Image, e.g. perl:5.34."),
    duration: str = typer.Option(..., "--duration", help="How long its containers run, e.g. 30s."),
    exit_code: int = typer.Option(0, "--exit-code", help="The code they exit with (0-255)."),
    cluster: str = CLUSTER,
) -> None:
    """Make containers of IMAGE exit with a code after a while (Jobs complete or fail)."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.helpers.podstatus import go_duration
        from kapply.cluster.sim.nodeops import set_image_run
        from kapply.model.durations import flag_duration

        seconds = flag_duration("--duration", duration)
        sim = open_cluster(cluster)
        try:
            key, changed = set_image_run(sim, image, seconds, exit_code)
        finally:
            sim.close()
        what = f"runs for {go_duration(seconds)} and exits with code {exit_code}"
        typer.echo(f'image "{key}" {"now " if changed else "already "}{what}')


@image_app.command("ok")
def ok(image: str = typer.Argument(..., help="Image."), cluster: str = CLUSTER) -> None:
    """Clear the fault and the run setting of IMAGE (pods recover at their next attempt)."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.nodeops import set_image_fault, set_image_run

        sim = open_cluster(cluster)
        try:
            key, fixed = set_image_fault(sim, image, None)
            _, cleared = set_image_run(sim, image, None)
        finally:
            sim.close()
        if fixed or cleared:
            typer.echo(f'image "{key}" ok')
        else:
            typer.echo(f'image "{key}" was not failing')


@image_app.command("list")
def list_(
    cluster: str = CLUSTER,
    output: str = typer.Option("text", "--output", "-o", help="text or json."),
) -> None:
    """List the injected image faults (with how many pods use each image) and the run settings."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.helpers.podstatus import go_duration
        from kapply.cluster.sim.nodeops import image_faults, image_runs

        sim = open_cluster(cluster)
        try:
            rows = image_faults(sim)
            runs = image_runs(sim)
        finally:
            sim.close()
        if output == "json":
            entries = [{"image": i, "reason": r, "pods": n} for i, r, n in rows]
            entries += [{"image": i, "duration": d, "exitCode": c} for i, d, c in runs]
            typer.echo(json.dumps(entries, indent=2))
            return
        if not rows and not runs:
            sys.stderr.write("No image faults or run settings.\n")
            return
        if rows:
            _table([("IMAGE", "REASON", "PODS"), *((i, r, str(n)) for i, r, n in rows)])
        if runs:
            if rows:
                typer.echo("")
            _table([("IMAGE", "RUNS FOR", "EXIT CODE"), *((i, go_duration(d), str(c)) for i, d, c in runs)])


def _table(table: list[tuple[str, str, str]]) -> None:
    widths = [max(len(row[c]) for row in table) for c in range(3)]
    for row in table:
        typer.echo("   ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
