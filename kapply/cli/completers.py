"""What the shell completion script completes, beyond commands and flags (which typer knows).

Resource arguments complete kinds (`deployments`, `deploy`, `svc`...) and then the names of that
kind's objects in the target cluster (`deploy/<TAB>` too), `--cluster` the embedded clusters, `-n`
the namespaces, `-o` the output formats. Completion never creates a cluster: with none yet, no
names are offered. Nothing heavy is imported until a completion is asked for.
"""

from __future__ import annotations

import os
from typing import Any

import typer

COMPLETE_VAR = "_KAPPLY_COMPLETE"
OUTPUT_FORMATS = ("text", "wide", "yaml", "json", "name", "jsonpath=", "jsonpath-file=", "custom-columns=",
                  "custom-columns-file=")


def enable_if_completing() -> None:
    """Register the shells' completion classes when the script is calling back."""
    if COMPLETE_VAR in os.environ:
        from typer.completion import completion_init

        completion_init()


def _cluster_name(ctx: Any) -> str:
    params = getattr(ctx, "params", {}) or {}
    return str(params.get("cluster") or os.environ.get("KAPPLY_CLUSTER") or "default")


def _names(ctx: Any, kind: str) -> list[str]:
    """Names of `kind`'s objects in the target cluster (none when it does not exist yet)."""
    from kapply.cluster.sim.home import state_path
    from kapply.model.kinds import REGISTRY

    info = REGISTRY.resolve(kind)
    cluster = _cluster_name(ctx)
    if info is None or not state_path(cluster).exists():
        return []
    from kapply.cluster.sim import open_cluster

    params = getattr(ctx, "params", {}) or {}
    scope = None if params.get("all_namespaces") else (params.get("namespace") or "default")
    sim = open_cluster(cluster)
    try:
        return [name for _, name in sim.names(info.kind, scope if info.namespaced else None)]
    finally:
        sim.close()


def kinds() -> list[str]:
    """Every spelling of every kind: plurals, singulars and short names."""
    from kapply.model.kinds import REGISTRY

    out: set[str] = set()
    for info in REGISTRY:
        out.update([info.plural, info.singular, *info.short_names])
    return sorted(out)


def complete_resources(ctx: typer.Context, args: list[str], incomplete: str) -> list[str]:
    """KIND, then NAME of that kind; `KIND/NAME` as one word; `logs` offers its pods first."""
    try:
        if "/" in incomplete:
            kind, _, start = incomplete.partition("/")
            return [f"{kind}/{n}" for n in _names(ctx, kind) if n.startswith(start)]
        if ctx.command.name == "logs":
            return [n for n in [*_names(ctx, "pods"), *kinds()] if n.startswith(incomplete)]
        given = [a for a in ctx.params.get("resources") or () if a]
        if not given:
            return [k for k in kinds() if k.startswith(incomplete)]
        return [n for n in _names(ctx, given[0].split(",")[0]) if n.startswith(incomplete)]
    except Exception:  # completion must never print a traceback into the user's shell
        return []


def complete_clusters(incomplete: str) -> list[str]:
    try:
        from kapply.cluster.sim.home import list_clusters

        return [c for c in list_clusters() if c.startswith(incomplete)]
    except Exception:
        return []


def complete_namespaces(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        return [n for n in _names(ctx, "namespaces") if n.startswith(incomplete)]
    except Exception:
        return []


def complete_outputs(incomplete: str) -> list[str]:
    return [f for f in OUTPUT_FORMATS if f.startswith(incomplete)]
