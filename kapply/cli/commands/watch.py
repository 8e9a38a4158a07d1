"""`kapply watch`: the reconcile loop (GitOps on one machine). One line (or JSON object) per reconcile."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors

MIN_INTERVAL = 0.1


def register(app: typer.Typer) -> None:
    app.command(name="watch")(watch)


def watch(
    paths: list[str] | None = options.PATHS,
    filename: list[str] = options.FILENAMES,
    kustomize: list[str] = options.KUSTOMIZE,
    prune: bool = typer.Option(False, "--prune", help="Delete objects whose manifests were removed."),
    interval: str = typer.Option("30s", "--interval", help="How often to check the cluster for drift."),
    prune_after: str = typer.Option(
        "5s", "--prune-after",
        help="With --prune, how long an object must stay absent from the folder before it is deleted "
             "(a slow save or a checkout in progress prunes nothing)."),
    no_self_heal: bool = typer.Option(False, "--no-self-heal", help="Report drift without undoing it."),
    allow_empty: bool = options.ALLOW_EMPTY,
    inventory: str | None = options.INVENTORY,
    same_source: bool = options.SAME_SOURCE,
    skip_unknown: bool = options.SKIP_UNKNOWN,
    schema_dir: list[Path] = options.SCHEMA_DIR,
    output: str = typer.Option("text", "--output", "-o", help="text or json (one JSON object per line)."),
    cluster: str = options.CLUSTER,
) -> None:
    """Watch folders and keep the cluster matching them: on every file change and every --interval."""
    with handle_errors():
        from kapply.apply.ownership import resolve_source
        from kapply.cli.paths import source_paths
        from kapply.cluster.sim import open_cluster
        from kapply.errors import UsageError
        from kapply.model.durations import flag_duration
        from kapply.validate.pipeline import ValidateOptions
        from kapply.watch.loop import run
        from kapply.watch.reconciler import Reconciler
        from kapply.watch.result import ReconcileResult
        from kapply.watch.sources import SourceSet

        if output not in ("text", "json"):
            raise UsageError(f"--output must be text or json, not {output!r}")
        paths = source_paths(paths, filename, kustomize)
        if "-" in paths:
            raise UsageError("watch needs files or folders, not standard input")
        for p in paths:
            if not Path(p).exists():
                raise UsageError(f"path not found: {p}")
        _one_source(paths)
        seconds = flag_duration("--interval", interval, MIN_INTERVAL)  # a drift check: never a busy loop
        settle = flag_duration("--prune-after", prune_after)
        sim = open_cluster(cluster)
        sources = SourceSet(paths, ValidateOptions(skip_unknown=skip_unknown, schema_dirs=tuple(schema_dir)))
        ownership = resolve_source(sim, paths, inventory, same_source)  # as apply: one inventory
        ownership.check(prune)
        assert ownership.inventory_id is not None  # standard input was refused above
        reconciler = Reconciler(sim, sources, ownership.inventory_id, prune=prune,
                                allow_empty=allow_empty, self_heal=not no_self_heal, prune_after=settle,
                                ownership=ownership)

        def emit(result: ReconcileResult) -> None:
            text = json.dumps(result.to_json()) if output == "json" else result.line()
            sys.stdout.write(text + "\n")
            sys.stdout.flush()

        run(reconciler, paths, seconds, emit, tick=sim.catch_up, folders=sources.watched_folders)
        if output == "text":
            sys.stdout.write("stopped\n")


def _one_source(paths: list[str]) -> None:
    """A watch keeps one inventory: refuse paths that hold several sources (kustomizations)."""
    from kapply.errors import UsageError
    from kapply.load.walk import discover

    sources, _ = discover(paths)
    kustomizations = [s.display for s in sources if s.is_kustomization]
    plain = any(not s.is_kustomization for s in sources)
    if len(kustomizations) + plain > 1:
        named = ", ".join(kustomizations) + (" and plain manifests" if plain else "")
        raise UsageError(f"watch follows one source, and these paths hold {len(kustomizations) + plain} "
                         f"({named}), each with its own inventory: start one watch per source "
                         f"(kapply watch -k {os.path.dirname(kustomizations[0])})")
