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
from kapply.cli.exits import ExitStatus, exit_status, handle_errors

OUTPUT = typer.Option("text", "--output", "-o", help="text or json.")


def register(app: typer.Typer) -> None:
    app.command(name="diff")(diff)
    app.command(name="apply")(apply)
    app.command(name="prune")(prune)


def _plan_options(prune: bool, inventory: str | None, skip_unknown: bool, schema_dir: list[Path],
                  allow_empty: bool, adopt: bool = False, force_replace: bool = False,
                  same_source: bool = False) -> Any:
    from kapply.apply.reconcile import PlanOptions
    from kapply.validate.pipeline import ValidateOptions

    return PlanOptions(prune=prune, adopt=adopt, force_replace=force_replace, allow_empty=allow_empty,
                       inventory=inventory, same_source=same_source,
                       validate=ValidateOptions(skip_unknown=skip_unknown, schema_dirs=tuple(schema_dir)))


def _check_output(output: str) -> None:
    from kapply.errors import UsageError

    if output not in ("text", "json"):
        raise UsageError(f"--output must be text or json, not {output!r}")


def _load(cluster_name: str, paths: list[str], plan_options: Any, verb: str) -> tuple[Any, Any]:
    """Load and validate (an invalid folder prints its diagnostics and exits 2), then open the cluster.

    An empty source is kubectl's `error: no objects passed to <verb>` unless --prune or
    --allow-empty says that an empty source is meant.
    """
    from kapply.apply.reconcile import InvalidInputError, load_desired
    from kapply.cluster.sim import open_cluster
    from kapply.errors import NothingAppliedError

    cluster = open_cluster(cluster_name)
    plan_options = _with_cluster_crds(plan_options, cluster)
    try:
        validated = load_desired(paths, plan_options, sys.stdin)
    except InvalidInputError as exc:
        from kapply.validate.formats import render_text  # only now: it pulls in xml (and http, ssl)

        sys.stderr.write(render_text(exc.report))
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(ExitStatus.ERROR) from None
    for d in validated.report.warnings:  # as kubectl prints them
        sys.stderr.write(f"Warning: {d.file}:{d.line}:{d.column}: {d.text}\n")
    if not validated.documents and not (plan_options.prune or plan_options.allow_empty):
        raise NothingAppliedError(f"no objects passed to {verb}")
    if validated.report.kustomizations:
        sys.stderr.write(f"kustomize: {validated.report.rendered()}\n")
    return cluster, validated


def _with_cluster_crds(plan_options: Any, cluster: Any) -> Any:
    """The options validating custom resources against the cluster's CRDs too (a folder's own CRDs
    are found by validation itself)."""
    from dataclasses import replace

    from kapply.errors import ClusterError

    try:
        crds = cluster.list("CustomResourceDefinition")
    except ClusterError:
        return plan_options
    return replace(plan_options, validate=replace(plan_options.validate, crds=tuple(crds)))


def _units(paths: list[str], validated: Any, plan_options: Any) -> list[tuple[Any, Any]]:
    """The run's sources (each kustomization, and the plain manifests), each with its documents."""
    from kapply.apply.units import check_units, split

    units = split(paths, validated)
    check_units(units, plan_options)
    return units


def _header(units: list[Any], unit: Any, inventory_id: str | None) -> str:
    """With several sources, which one the lines below are about."""
    return f"# {unit.name}: inventory {inventory_id}\n" if len(units) > 1 else ""


def _plan_list(plans: list[Any]) -> str:
    """Several sources' plans: a list of `kapply.io/plan/v1` plans."""
    from kapply.plan.plan import PLAN_FORMAT

    return json.dumps({"apiVersion": PLAN_FORMAT, "kind": "PlanList",
                       "items": [p.to_json() for p in plans]}, indent=2) + "\n"


def _all_skipped(plan: Any, would: bool = False) -> str:
    """The summary line when every object of the source was skipped ('' otherwise)."""
    own = plan.applied
    if not own or any(c.action != "skip" for c in own):
        return ""
    were, applied = ("would be", "would be applied") if would else ("were", "was applied")
    which = "the only object of the source" if len(own) == 1 else f"all {len(own)} objects of the source"
    were = were.replace("were", "was") if len(own) == 1 else were
    return f"nothing {applied}: {which} {were} skipped (reasons above)"


def _warn_unknown_source(plan: Any) -> None:
    """Say once per run that an inventory of an earlier kapply is used but not yet confirmed."""
    own = plan.ownership
    if own is not None and own.relation == "unknown" and not own.same_source:
        sys.stderr.write(f'Warning: inventory "{plan.inventory_id}" records no source (an earlier kapply '
                         "wrote it): its objects are updated, but nothing is pruned from it until "
                         f"--same-source confirms it is this source's ({own.source.display()})\n")


def diff(
    paths: list[str] | None = options.PATHS,
    filename: list[str] = options.FILENAMES,
    kustomize: list[str] = options.KUSTOMIZE,
    prune: bool = typer.Option(False, "--prune", help="Also show what would be pruned."),
    output: str = OUTPUT,
    inventory: str | None = options.INVENTORY,
    skip_unknown: bool = options.SKIP_UNKNOWN,
    schema_dir: list[Path] = options.SCHEMA_DIR,
    allow_empty: bool = options.ALLOW_EMPTY,
    same_source: bool = options.SAME_SOURCE,
    cluster: str = options.CLUSTER,
) -> None:
    """Show what apply would change. Exit 0: no changes, 1: changes, 2: error."""
    with handle_errors(), _errors_exit_2():
        from kapply.apply.applier import ApplyFailedError, execute
        from kapply.apply.units import plan_unit
        from kapply.cli.paths import source_paths
        from kapply.errors import NothingAppliedError
        from kapply.plan.render import render_json, render_text

        _check_output(output)
        paths = source_paths(paths, filename, kustomize)
        plan_options = _plan_options(prune, inventory, skip_unknown, schema_dir, allow_empty,
                                     same_source=same_source)
        sim, validated = _load(cluster, paths, plan_options, "diff")
        units = _units(paths, validated, plan_options)
        prepared_all = [(unit, plan_unit(sim, unit, part, plan_options)) for unit, part in units]
        plans = [prepared.plan for _, prepared in prepared_all]
        for plan in plans:
            _warn_unknown_source(plan)
        if output == "json":
            sys.stdout.write(render_json(plans[0]) if len(plans) == 1 else _plan_list(plans))
        else:
            for unit, prepared in prepared_all:
                sys.stdout.write(_header(units, unit, prepared.plan.inventory_id))
                sys.stdout.write(render_text(prepared.plan, colour=_colour()))
        skipped = [s for s in (_all_skipped(p, would=True) for p in plans) if s]
        if skipped:  # apply would fail the same way: an error, not "no changes"
            raise NothingAppliedError("; ".join(skipped))
        for _, prepared in prepared_all:
            plan = prepared.plan
            if plan.has_changes and not plan.errors:
                try:  # the server's dry run, as kubectl diff does: what apply would be refused is an error
                    execute(sim, plan, prepared.inventory, dry_run=True)
                except ApplyFailedError as exc:
                    refusals = str(exc).partition("\n")[2]
                    sys.stderr.write(f"error: the cluster would refuse part of the plan:\n{refusals}\n")
                    raise typer.Exit(ExitStatus.ERROR) from None
        errors, changes = any(p.errors for p in plans), any(p.has_changes for p in plans)
        raise typer.Exit(ExitStatus.ERROR if errors else ExitStatus.CHANGES if changes else ExitStatus.OK)


@contextmanager
def _errors_exit_2() -> Iterator[None]:
    """kubectl diff's convention: 1 means changes, so every error exits 2 or more."""
    from kapply.errors import KapplyError

    try:
        yield
    except KapplyError as exc:
        exc.exit_code = max(exit_status(exc), ExitStatus.ERROR)
        raise


def _colour() -> bool:
    import os

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def apply(
    paths: list[str] | None = options.PATHS,
    filename: list[str] = options.FILENAMES,
    kustomize: list[str] = options.KUSTOMIZE,
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
    same_source: bool = options.SAME_SOURCE,
    cluster: str = options.CLUSTER,
) -> None:
    """Make the cluster match the manifests: validate everything, then create, update (and prune)."""
    with handle_errors():
        from kapply.cli.paths import source_paths

        _check_output(output)
        paths = source_paths(paths, filename, kustomize)
        seconds = _duration("--timeout", timeout)
        plan_options = _plan_options(prune, inventory, skip_unknown, schema_dir, allow_empty, adopt,
                                     force_replace, same_source)
        sim, validated = _load(cluster, paths, plan_options, "apply")
        _execute(sim, validated, paths, plan_options, dry_run=dry_run, wait=wait, timeout=seconds,
                 output=output)


def prune(
    paths: list[str] | None = options.PATHS,
    filename: list[str] = options.FILENAMES,
    kustomize: list[str] = options.KUSTOMIZE,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be pruned; delete nothing."),
    output: str = OUTPUT,
    inventory: str | None = options.INVENTORY,
    skip_unknown: bool = options.SKIP_UNKNOWN,
    schema_dir: list[Path] = options.SCHEMA_DIR,
    allow_empty: bool = options.ALLOW_EMPTY,
    same_source: bool = options.SAME_SOURCE,
    cluster: str = options.CLUSTER,
) -> None:
    """Delete what kapply applied from these paths and they no longer hold (the prune half of apply)."""
    with handle_errors():
        from kapply.cli.paths import source_paths

        _check_output(output)
        paths = source_paths(paths, filename, kustomize)
        plan_options = _plan_options(True, inventory, skip_unknown, schema_dir, allow_empty,
                                     same_source=same_source)
        sim, validated = _load(cluster, paths, plan_options, "prune")
        _execute(sim, validated, paths, plan_options, dry_run=dry_run, wait=False, timeout=0,
                 output=output, narrow=_prunes_only)


def _prunes_only(prepared: Any) -> Any:
    """The plan narrowed to what prune does: deletions, and the inventory objects it keeps."""
    only = tuple(c for c in prepared.plan.changes if c.action in ("prune", "cascade") or
                 (c.action == "skip" and c.desired is None))
    prepared.plan = dataclasses.replace(prepared.plan, changes=only)
    return prepared


def _duration(flag: str, text: str) -> float:
    from kapply.model.durations import flag_duration

    return flag_duration(flag, text)


def _execute(sim: Any, validated: Any, paths: list[str], plan_options: Any, *, dry_run: bool, wait: bool,
             timeout: float, output: str, narrow: Any = None) -> None:
    from kapply.apply.atomic import apply_planned
    from kapply.apply.units import plan_unit
    from kapply.errors import NothingAppliedError

    units = _units(paths, validated, plan_options)

    def planner(unit: Any, part: Any) -> Any:
        def planned() -> Any:
            prepared = plan_unit(sim, unit, part, plan_options)
            return narrow(prepared) if narrow is not None else prepared
        return planned

    if len(units) > 1 and not dry_run:
        _dry_run_all(sim, [planner(unit, part)() for unit, part in units])
    text = output == "text"
    echo = (lambda o: typer.echo(o.line(dry_run))) if text else None
    results: list[dict[str, Any]] = []
    plans: list[Any] = []
    failed = False
    skipped: list[str] = []
    for unit, part in units:
        planned = planner(unit, part)
        first = planned()
        if text:
            sys.stdout.write(_header(units, unit, first.plan.inventory_id))
        prepared, report = apply_planned(sim, first, planned, dry_run=dry_run, on_outcome=echo)
        plan = prepared.plan
        plans.append(plan)
        results.append({"source": unit.name, "inventory": plan.inventory_id, **report.to_json()})
        failed |= bool(report.failed)
        _warn_unknown_source(plan)
        if text and not report.failed:
            note = _nothing_note(plan, narrow is not None, part, plan_options.prune)
            if note:
                typer.echo(note)
        if text and report.failed:
            typer.echo(f"error: {len(report.failed)} object(s) failed to apply; the others were applied "
                       "(re-run apply to finish)", err=True)
        if _all_skipped(plan):
            skipped.append(_all_skipped(plan))
    result: dict[str, Any] = results[0] if len(results) == 1 else {"items": results}
    if len(results) == 1:
        del result["source"], result["inventory"]
    if wait and not dry_run and not failed and not skipped:
        waited = _wait(sim, plans, timeout, text)
        result["wait"] = {"ok": waited.ok, "timedOut": waited.timed_out, "problems": waited.problems}
        failed = not waited.ok
    if not text:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    if skipped:
        raise NothingAppliedError("; ".join(skipped))
    raise typer.Exit(ExitStatus.FAILURE if failed else ExitStatus.OK)


def _dry_run_all(sim: Any, prepared_all: list[Any]) -> None:
    """Several sources: each one's dry run first, so a refusal in one writes none of them."""
    from kapply.apply.applier import ApplyFailedError, execute

    for prepared in prepared_all:
        try:
            execute(sim, prepared.plan, prepared.inventory, dry_run=True)
        except ApplyFailedError as exc:
            raise ApplyFailedError(f"{exc}\nnothing was applied from any of the {len(prepared_all)} "
                                   "sources") from None


def _nothing_note(plan: Any, prune_only: bool, validated: Any, prune: bool) -> str:
    """What to say when a run had nothing to do, so no run ends in silence."""
    if prune_only:
        if any(c.action == "prune" for c in plan.changes):
            return ""
        kept = sum(1 for c in plan.changes if c.action == "skip")
        if plan.ownership is not None and plan.ownership.relation == "new":
            return "nothing to prune: nothing was applied from this source yet"
        return "nothing to prune" + (f" ({kept} kept, reasons above)" if kept else
                                     ": every object applied from this source is still in it")
    if not validated.documents and not plan.changes:
        return ("the source holds no objects, and nothing applied from it is left to prune" if prune
                else "the source holds no objects: nothing to apply")
    return ""


def _wait(sim: Any, plans: list[Any], timeout: float, text: bool) -> Any:
    from kapply.apply.wait import wait_ready
    from kapply.cli.progress import progress_display
    from kapply.model.durations import go_duration

    keys = [c.key for plan in plans for c in plan.changes
            if c.action in ("create", "update", "replace", "unchanged")]
    if not keys:
        if text:
            typer.echo("nothing to wait for: no object of the source was applied")
        from kapply.apply.wait import WaitResult

        return WaitResult(ok=True, timed_out=False)
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
