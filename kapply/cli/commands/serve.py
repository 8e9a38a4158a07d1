"""`kapply serve`: the embedded cluster behind a Kubernetes-compatible API, for kubectl and every
Kubernetes client (the server itself is `kapply.serve`)."""

from __future__ import annotations

from pathlib import Path

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)


def serve(
    address: str = typer.Option(
        "127.0.0.1",
        "--address",
        help="Address to listen on. Anything but loopback is served with TLS and a bearer token.",
    ),
    port: int = typer.Option(6443, "--port", help="Port to listen on; 0 picks a free one."),
    kubeconfig: Path | None = typer.Option(
        None,
        "--kubeconfig",
        help="Write the kubeconfig entry only to this "
        "file (default: the first file of $KUBECONFIG, else "
        "~/.kube/config).",
    ),
    tls: bool = typer.Option(False, "--tls", help="TLS and a bearer token on loopback too."),
    cluster: str = options.CLUSTER,
) -> None:
    """Serve the embedded cluster over the Kubernetes API until SIGINT or SIGTERM."""
    with handle_errors():
        import sys

        from kapply.cluster.sim import kapply_home, open_cluster
        from kapply.errors import UsageError
        from kapply.serve.server import ServeOptions
        from kapply.serve.server import serve as run

        if not 0 <= port <= 65535:
            raise UsageError(f"--port must be between 0 and 65535, not {port}")
        sim = open_cluster(cluster)
        try:
            run(
                sim,
                ServeOptions(cluster, address, port, kubeconfig, tls, kapply_home() / "serve" / cluster),
                sys.stdout,
            )
        finally:
            sim.close()
