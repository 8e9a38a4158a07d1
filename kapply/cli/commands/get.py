"""`kapply get`: kubectl-style tables and outputs of the embedded cluster's objects.

Outputs as kubectl's: tables (`-o wide`, `--no-headers`, `-L key`, `--show-labels`), `-o
yaml|json|name`, `-o jsonpath=...`, `-o custom-columns=...` (and their `-file=` forms), sorted
with `--sort-by`, filtered with `-l` and `--field-selector`. `-w` streams the changes after the
first listing, one row (or object) per change, until interrupted or `--request-timeout`. A
resource type the cluster does not serve, and a named object that is missing, exit 1 as in
kubectl.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors

OUTPUTS = ("text", "wide", "yaml", "json", "name")


def register(app: typer.Typer) -> None:
    app.command(name="get")(get)


def get(
    resources: list[str] = typer.Argument(..., help="KIND [NAME...], KIND/NAME..., or KIND,KIND.",
                                          autocompletion=options.RESOURCE_COMPLETION),
    namespace: str | None = options.NAMESPACE,
    all_namespaces: bool = options.ALL_NAMESPACES,
    selector: str | None = options.SELECTOR,
    field_selector: str | None = typer.Option(None, "--field-selector",
                                              help="Field selector, e.g. status.phase=Running."),
    output: str = typer.Option("text", "--output", "-o", autocompletion=options.OUTPUT_COMPLETION,
                               help="wide, yaml, json, name, jsonpath=TEMPLATE, jsonpath-file=FILE, "
                               "custom-columns=SPEC or custom-columns-file=FILE."),
    show_labels: bool = typer.Option(False, "--show-labels", help="Show all labels as the last column."),
    label_columns: list[str] = typer.Option([], "--label-columns", "-L",
                                            help="Labels to show as columns (comma-separated; repeatable)."),
    no_headers: bool = typer.Option(False, "--no-headers", help="Print tables without their header line."),
    show_managed_fields: bool = typer.Option(
        False, "--show-managed-fields", help="Keep metadata.managedFields in -o json|yaml output."),
    sort_by: str | None = typer.Option(None, "--sort-by",
                                       help="Sort by a JSONPath field, e.g. .metadata.name."),
    watch: bool = typer.Option(False, "--watch", "-w",
                               help="After listing, stream changes until interrupted."),
    watch_only: bool = typer.Option(False, "--watch-only", help="Stream changes without listing first."),
    request_timeout: str | None = typer.Option(None, "--request-timeout",
                                               help="Stop watching after this long (e.g. 30s)."),
    cluster: str = options.CLUSTER,
) -> None:
    """Display one or many objects, like `kubectl get`."""
    with handle_errors():
        from kapply.cli.printers.listing import Printer
        from kapply.cli.printers.templates import parse_output
        from kapply.cli.resources import parse_targets, served
        from kapply.cluster.sim import open_cluster
        from kapply.model.selectors import parse

        printer = Printer(parse_output(output, OUTPUTS), all_namespaces=all_namespaces,
                          show_labels=show_labels, no_headers=no_headers,
                          label_columns=[k for text in label_columns for k in text.split(",") if k])
        if not resources:
            parse_targets(resources)  # the usage error, before opening anything
        label_selector = parse(selector) if selector else None
        ns = None if all_namespaces else (namespace or "default")
        sim = open_cluster(cluster)
        targets = parse_targets(resources, served(sim))
        streaming = watch or watch_only
        if streaming and len({info.kind for info, _ in targets}) > 1:
            raise _usage("watch is only supported on individual resources and resource collections, but "
                         f"{len(targets)} resources were found")
        if printer.names_only and not streaming and label_selector is None and not field_selector \
                and not sort_by and all(name is None for _, name in targets):
            for info, _ in targets:  # names only: nothing needs decoding
                scope = ns if info.namespaced else None
                sys.stdout.write("".join(f"{printer.qualified(info)}/{name}\n"
                                         for _, name in sim.names(info.kind, scope, group=info.group)))
            raise typer.Exit(ExitStatus.OK)
        gc.disable()  # a short-lived process decoding many objects: collections only cost time
        version = sim.resource_version() if streaming else None
        found, missing = _find(sim, targets, ns, label_selector, field_selector)
        if sort_by:
            from kapply.cli.printers.templates import sort_by as sorted_by

            found = sorted_by(found, sort_by, key=lambda pair: pair[1])
        if not show_managed_fields:  # as kubectl: managedFields only on request
            found = [(info, _without_managed_fields(obj)) for info, obj in found]
        single = len(targets) == 1 and targets[0][1] is not None
        if not watch_only:
            namespaced = all(info.namespaced for info, _ in targets)
            where = f" in {ns} namespace." if ns is not None and namespaced else ""
            printer.print(found, sim.now(), several_kinds=len(targets) > 1, single=single)
            if not found and not missing and not streaming and printer.says_none:
                sys.stderr.write(f"No resources found{where}\n")  # kubectl says so only when nothing failed
        for message in missing:
            sys.stderr.write(f"Error from server (NotFound): {message}\n")
        if streaming:
            _stream(sim, printer, targets[0], ns, selector, field_selector, version, request_timeout,
                    show_managed_fields)
        raise typer.Exit(ExitStatus.FAILURE if missing else ExitStatus.OK)


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return obj


def _usage(message: str) -> Exception:
    from kapply.errors import UsageError

    return UsageError(message)


def _find(sim: Any, targets: list[tuple[Any, str | None]], ns: str | None, label_selector: Any,
          field_selector: str | None) -> tuple[list[tuple[Any, dict[str, Any]]], list[str]]:
    from kapply.errors import NotFoundError

    found: list[tuple[Any, dict[str, Any]]] = []
    missing: list[str] = []
    for info, name in targets:
        scope = ns if info.namespaced else None
        if name is not None:
            try:
                where = (ns or "default") if info.namespaced else ""
                found.append((info, sim.get(info.kind, where, name, group=info.group)))
            except NotFoundError as exc:
                missing.append(str(exc))
            continue
        for obj in sim.list(info.kind, namespace=scope, label_selector=label_selector,
                            field_selector=field_selector, group=info.group):
            found.append((info, obj))
    return found, missing


def _stream(sim: Any, printer: Any, target: tuple[Any, str | None], ns: str | None, selector: str | None,
            field_selector: str | None, version: str | None, request_timeout: str | None,
            keep_managed: bool) -> None:
    """kubectl get -w: one row (or object) per change, until interrupted or the timeout."""
    from kapply.cluster.fields import matches_fields, parse_field_selector
    from kapply.model.durations import flag_duration

    info, name = target
    seconds = flag_duration("--request-timeout", request_timeout) if request_timeout else 365 * 86400.0
    fields = parse_field_selector(info.kind, field_selector) if field_selector else ()
    scope = ns if info.namespaced else None
    sys.stdout.flush()
    try:
        for event in sim.watch(info.kind, scope, resource_version=version, label_selector=selector,
                               timeout_seconds=seconds, group=info.group):
            obj = event.object
            wrong_name = name is not None and obj["metadata"].get("name") != name
            if wrong_name or not matches_fields(obj, fields):
                continue
            printer.print_change(info, obj if keep_managed else _without_managed_fields(obj), sim.now())
            sys.stdout.flush()
    except KeyboardInterrupt:
        return

