"""The `kapply` command: a typer app assembled from one module per command group.

Command modules import only typer and this package's light modules at import time; the
pipeline (yaml, jsonschema, sqlite, rich) is imported inside the command bodies so that
`kapply --help` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import typer

from kapply import __version__
from kapply.cli.exits import ExitStatus

app = typer.Typer(
    name="kapply",
    help="Make a Kubernetes cluster match a folder of manifests (GitOps-style), "
    "on an embedded simulated cluster or a real one.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each module under kapply/cli/commands defines `register(app)`.
COMMAND_MODULES: tuple[str, ...] = (
    "validate",
    "apply",
    "get",
    "watch",
    "cluster",
    "nodes",
    "images",
    "describe",
    "events",
    "logs",
    "scale",
    "delete",
    "rollout",
    "services",
    "version",
    "completion",
    "schema",
    "serve",
    "load",
    "top",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kapply {__version__}")
        raise typer.Exit(ExitStatus.OK)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """kapply: load, validate, diff, apply, prune and watch Kubernetes manifests."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"kapply.cli.commands.{_name}").register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from kapply.cli.completers import enable_if_completing

    enable_if_completing()
    try:
        app(args=argv, prog_name="kapply")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(ExitStatus.INTERRUPTED)
