"""`kapply version`: what is running, as `kubectl version` reports it: client, schemas, renderer, target.

The target is the embedded cluster the command would use (`--cluster`), and its Kubernetes
version; a cluster not created yet is said to be so, and is not created by asking. `--client`
leaves the target out; `-o json|yaml` prints the same facts as an object.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors


def register(app: typer.Typer) -> None:
    app.command(name="version")(version)


def version(
    client: bool = typer.Option(False, "--client", help="The client only, not the target."),
    output: str = typer.Option("text", "--output", "-o", help="text, json or yaml."),
    cluster: str = options.CLUSTER,
) -> None:
    """Print the versions of kapply, its schemas, the kustomize it uses, and the target cluster."""
    with handle_errors():
        from kapply.errors import UsageError

        if output not in ("text", "json", "yaml"):
            raise UsageError(f"--output must be text, json or yaml, not {output!r}")
        facts = versions(cluster, client)
        if output == "json":
            sys.stdout.write(json.dumps(facts, indent=2) + "\n")
        elif output == "yaml":
            from kapply.cli.printers.goyaml import dump

            sys.stdout.write(dump(facts))
        else:
            sys.stdout.write(_text(facts))
        raise typer.Exit(ExitStatus.OK)


def versions(cluster: str, client_only: bool) -> dict[str, Any]:
    from kapply import __version__
    from kapply.load.kustomize import find_renderer
    from kapply.validate.pipeline import ValidateOptions
    from kapply.validate.schema_store import find_version_dir

    schemas = ValidateOptions().kubernetes_version
    renderer = find_renderer()
    facts: dict[str, Any] = {
        "clientVersion": {"kapply": __version__, "python": sys.version.split()[0]},
        "schemaVersion": {"kubernetes": schemas, "path": str(find_version_dir(schemas))},
        "kustomize": {"renderer": renderer.name, "path": renderer.argv[0]} if renderer else None,
    }
    if not client_only:
        facts["target"] = _target(cluster)
    return facts


def _target(cluster: str) -> dict[str, Any]:
    from kapply.cluster.sim.home import state_path

    path = state_path(cluster)
    if not path.exists():
        return {"kind": "embedded", "cluster": cluster, "state": str(path), "created": False}
    from kapply.cli.kubectl import open_sim

    with open_sim(cluster) as sim:
        nodes = sim.list("Node")
    versions = sorted({(n.get("status") or {}).get("nodeInfo", {}).get("kubeletVersion", "") for n in nodes})
    return {"kind": "embedded", "cluster": cluster, "state": str(path), "created": True,
            "kubernetes": ", ".join(v for v in versions if v) or None, "nodes": len(nodes)}


def _text(facts: dict[str, Any]) -> str:
    client = facts["clientVersion"]
    lines = [f"Client Version: kapply {client['kapply']} (Python {client['python']})",
             f"Schema Version: Kubernetes {facts['schemaVersion']['kubernetes']}"]
    renderer = facts["kustomize"]
    lines.append(f"Kustomize: {renderer['renderer']} ({renderer['path']})" if renderer else
                 "Kustomize: none (neither `kustomize` nor `kubectl` is on PATH)")
    target = facts.get("target")
    if target is not None:
        if target["created"]:
            lines.append(f"Server Version: {target['kubernetes'] or 'unknown'} (embedded cluster "
                         f"\"{target['cluster']}\", {target['nodes']} nodes, {target['state']})")
        else:
            lines.append(f"Server Version: none yet: embedded cluster \"{target['cluster']}\" is created "
                         f"by the first command that needs it ({target['state']})")
    return "\n".join(lines) + "\n"
