"""`kapply diff`, `kapply apply` and `kapply prune`: the GitOps core, as thin renderers of one plan.

Exit statuses: diff 0 no changes / 1 changes / 2+ error (kubectl diff's convention); apply and
prune 0 ok / 1 apply or rollout failed / 2 invalid input.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors

PATHS = typer.Argument(..., help="Files or folders of manifests; - for stdin.")
OUTPUT = typer.Option("text", "--output", "-o", help="text or json.")


def register(app: typer.Typer) -> None:
    app.command(name="diff")(diff)
    app.command(name="apply")(apply)
    app.command(name="prune")(prune)


def _plan_options(prune: bool, inventory: str | None, skip_unknown: bool, schema_dir: list[Path],
                  allow_empty: bool, adopt: bool = False, force_replace: bool = False) -> Any:
    from kapply.apply.reconcile import PlanOptions
    from kapply.validate.pipeline import ValidateOptions

    return PlanOptions(prune=prune, adopt=adopt, force_replace=force_replace, allow_empty=allow_empty,
                       inventory=inventory,
                       validate=ValidateOptions(skip_unknown=skip_unknown, schema_dirs=tuple(schema_dir)))


def _check_output(output: str) -> None:
    from kapply.errors import UsageError

    if output not in ("text", "json"):
        raise UsageError(f"--output must be text or json, not {output!r}")


def _prepare(cluster_name: str, paths: list[str], plan_options: Any) -> tuple[Any, Any]:
    """Open the cluster and plan; an invalid folder prints its diagnostics and exits 2."""
    from kapply.apply.reconcile import InvalidInputError, prepare
    from kapply.cluster.sim import open_cluster

    cluster = open_cluster(cluster_name)
    try:
        prepared = prepare(cluster, paths, plan_options, stdin=sys.stdin)
    except InvalidInputError as exc:
        from kapply.validate.formats import render_text  # only now: it pulls in xml (and http, ssl)

        sys.stderr.write(render_text(exc.report))
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(2) from None
    for d in prepared.validated.report.warnings if prepared.validated else ():  # as kubectl prints them
        sys.stderr.write(f"Warning: {d.file}:{d.line}:{d.column}: {d.text}\n")
    return cluster, prepared


def diff(
    paths: list[str] = PATHS,
    prune: bool = typer.Option(False, "--prune", help="Also show what would be pruned."),
    output: str = OUTPUT,
    inventory: str | None = options.INVENTORY,
    skip_unknown: bool = options.SKIP_UNKNOWN,
    schema_dir: list[Path] = options.SCHEMA_DIR,
    allow_empty: bool = options.ALLOW_EMPTY,
    cluster: str = options.CLUSTER,
) -> None:
    """Show what apply would change. Exit 0: no changes, 1: changes, 2: error."""
    with handle_errors(), _errors_exit_2():
        from kapply.plan.render import render_json, render_text

        _check_output(output)
        sim, prepared = _prepare(cluster, paths, _plan_options(prune, inventory, skip_unknown, schema_dir,
                                                               allow_empty))
        plan = prepared.plan
        if output == "json":
            sys.stdout.write(render_json(plan))
        else:
            sys.stdout.write(render_text(plan, colour=_colour()))
        if plan.has_changes and not plan.errors:
            from kapply.apply.applier import ApplyFailedError, execute

            try:  # the server's dry run, as kubectl diff does: what apply would be refused is an error
                execute(sim, plan, prepared.inventory, dry_run=True)
            except ApplyFailedError as exc:
                refusals = str(exc).partition("\n")[2]
                sys.stderr.write(f"error: the cluster would refuse part of the plan:\n{refusals}\n")
                raise typer.Exit(2) from None
        raise typer.Exit(2 if plan.errors else 1 if plan.has_changes else 0)


@contextmanager
def _errors_exit_2() -> Iterator[None]:
    """kubectl diff's convention: 1 means changes, so every error exits 2 or more."""
    from kapply.errors import KapplyError

    try:
        yield
    except KapplyError as exc:
        exc.exit_code = max(exc.exit_code, 2)
        raise


def _colour() -> bool:
    import os

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def apply(
    paths: list[str] = PATHS,
    prune: bool = typer.Option(False, "--prune", help="Delete what kapply applied from here before "
                               "and the source no longer holds."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan's results; write nothing."),
    wait: bool = typer.Option(False, "--wait", help="Follow rollouts until ready (exit 1 on failure)."),
    timeout: str = typer.Option("5m", "--timeout", help="How long --wait waits (e.g. 90s, 5m)."),
    adopt: bool = typer.Option(False, "--adopt", help="Take over existing objects kapply did not create."),
    force_replace: bool = typer.Option(False, "--force-replace",
                                       help="Delete and recreate objects whose immutable fields changed."),
    output: str = OUTPUT,
    inventory: str | None = options.INVENTORY,
    skip_unknown: bool = options.SKIP_UNKNOWN,
    schema_dir: list[Path] = options.SCHEMA_DIR,
    allow_empty: bool = options.ALLOW_EMPTY,
    cluster: str = options.CLUSTER,
) -> None:
    """Make the cluster match the manifests: validate everything, then create, update (and prune)."""
    with handle_errors():
        _check_output(output)
        seconds = _duration("--timeout", timeout)
        sim, prepared = _prepare(cluster, paths, _plan_options(prune, inventory, skip_unknown, schema_dir,
                                                               allow_empty, adopt, force_replace))
        _execute(sim, prepared, dry_run=dry_run, wait=wait, timeout=seconds, output=output)


def prune(
    paths: list[str] = PATHS,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be pruned; delete nothing."),
    output: str = OUTPUT,
    inventory: str | None = options.INVENTORY,
    skip_unknown: bool = options.SKIP_UNKNOWN,
    schema_dir: list[Path] = options.SCHEMA_DIR,
    allow_empty: bool = options.ALLOW_EMPTY,
    cluster: str = options.CLUSTER,
) -> None:
    """Delete what kapply applied from these paths and they no longer hold (the prune half of apply)."""
    with handle_errors():
        _check_output(output)
        sim, prepared = _prepare(cluster, paths, _plan_options(True, inventory, skip_unknown, schema_dir,
                                                               allow_empty))
        only = tuple(c for c in prepared.plan.changes if c.action == "prune" or
                     (c.action == "skip" and c.live is not None and c.desired is None))
        prepared.plan = dataclasses.replace(prepared.plan, changes=only)
        _execute(sim, prepared, dry_run=dry_run, wait=False, timeout=0, output=output)


def _duration(flag: str, text: str) -> float:
    from kapply.errors import UsageError
    from kapply.model.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _execute(sim: Any, prepared: Any, *, dry_run: bool, wait: bool, timeout: float, output: str) -> None:
    from kapply.apply.applier import execute

    text = output == "text"
    echo = (lambda o: typer.echo(o.line(dry_run))) if text else None
    report = execute(sim, prepared.plan, prepared.inventory, dry_run=dry_run, on_outcome=echo)
    result: dict[str, Any] = report.to_json()
    failed = bool(report.failed)
    if wait and not dry_run and not failed:
        waited = _wait(sim, prepared.plan, timeout, text)
        result["wait"] = {"ok": waited.ok, "timedOut": waited.timed_out, "problems": waited.problems}
        failed = not waited.ok
    if not text:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    elif report.failed:
        typer.echo(f"error: {len(report.failed)} object(s) failed to apply; the others were applied "
                   "(re-run apply to finish)", err=True)
    raise typer.Exit(1 if failed else 0)


def _wait(sim: Any, plan: Any, timeout: float, text: bool) -> Any:
    from kapply.apply.wait import wait_ready
    from kapply.cli.progress import progress_display
    from kapply.model.durations import go_duration

    keys = [c.key for c in plan.changes if c.action in ("create", "update", "replace", "unchanged")]
    with progress_display(keys, enabled=text) as progress:
        result = wait_ready(sim, keys, timeout, progress)
    if text:
        inert = sum(1 for state in result.states.values() if state.inert)
        if result.ok and inert:
            typer.echo(f"{len(keys) - inert} of {len(keys)} objects ready, {inert} not acted on by "
                       "this cluster")
        elif result.ok:
            typer.echo(f"all {len(keys)} objects ready")
        else:
            why = "timed out after " + go_duration(timeout) if result.timed_out else "failed"
            typer.echo(f"error: wait {why}; not ready:", err=True)
            for line in result.problems:
                typer.echo(f"  {line}", err=True)
    return result
