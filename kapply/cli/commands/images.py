"""`kapply image fail|ok|list`: fault injection for the embedded cluster's container images.

`image fail IMAGE --reason ErrImagePull` makes every pull of IMAGE fail (ErrImagePull, then
ImagePullBackOff with growing back-off); `--reason CrashLoopBackOff` makes its containers exit
soon after starting (restarts counting up). `image ok IMAGE` clears the fault: pods recover at
their next pull or restart attempt, as they would after fixing a real registry or image.
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


@image_app.command("ok")
def ok(image: str = typer.Argument(..., help="Image."), cluster: str = CLUSTER) -> None:
    """Clear the fault of IMAGE (pods recover at their next attempt)."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.nodeops import set_image_fault

        sim = open_cluster(cluster)
        try:
            key, changed = set_image_fault(sim, image, None)
        finally:
            sim.close()
        typer.echo(f'image "{key}" ok' if changed else f'image "{key}" was not failing')


@image_app.command("list")
def list_(
    cluster: str = CLUSTER,
    output: str = typer.Option("text", "--output", "-o", help="text or json."),
) -> None:
    """List the injected image faults and how many pods use each image."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.nodeops import image_faults

        sim = open_cluster(cluster)
        try:
            rows = image_faults(sim)
        finally:
            sim.close()
        if output == "json":
            typer.echo(json.dumps([{"image": i, "reason": r, "pods": n} for i, r, n in rows], indent=2))
            return
        if not rows:
            sys.stderr.write("No image faults.\n")
            return
        table = [("IMAGE", "REASON", "PODS"), *((i, r, str(n)) for i, r, n in rows)]
        widths = [max(len(row[c]) for row in table) for c in range(3)]
        for row in table:
            typer.echo("   ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
