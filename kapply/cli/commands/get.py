"""`kapply get`: kubectl-style tables (and -o wide|yaml|json|name) of the embedded cluster's objects."""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors

OUTPUTS = ("text", "wide", "yaml", "json", "name")


def register(app: typer.Typer) -> None:
    app.command(name="get")(get)


def get(
    resources: list[str] = typer.Argument(..., help="KIND [NAME...], KIND/NAME..., or KIND,KIND."),
    namespace: str | None = options.NAMESPACE,
    all_namespaces: bool = options.ALL_NAMESPACES,
    selector: str | None = options.SELECTOR,
    output: str = typer.Option("text", "--output", "-o", help="wide, yaml, json or name."),
    show_labels: bool = typer.Option(False, "--show-labels", help="Show all labels as the last column."),
    show_managed_fields: bool = typer.Option(
        False, "--show-managed-fields", help="Keep metadata.managedFields in -o json|yaml output."),
    cluster: str = options.CLUSTER,
) -> None:
    """Display one or many objects, like `kubectl get`."""
    with handle_errors():
        from kapply.cli.resources import parse_targets
        from kapply.cluster.sim import open_cluster
        from kapply.errors import NotFoundError, UsageError
        from kapply.model.selectors import parse

        if output not in OUTPUTS:
            raise UsageError(f"--output must be one of {', '.join(OUTPUTS)}, not {output!r}")
        targets = parse_targets(resources)
        label_selector = parse(selector) if selector else None
        ns = None if all_namespaces else (namespace or "default")
        sim = open_cluster(cluster)
        if output == "name" and label_selector is None and all(name is None for _, name in targets):
            for info, _ in targets:  # names only: nothing needs decoding
                kind = f"{info.singular}.{info.group}" if info.group else info.singular
                scope = ns if info.namespaced else None
                sys.stdout.write("".join(f"{kind}/{name}\n" for _, name in sim.names(info.kind, scope)))
            raise typer.Exit(ExitStatus.OK)
        gc.disable()  # a short-lived process decoding many objects: collections only cost time
        found: list[tuple[Any, dict[str, Any]]] = []
        missing: list[str] = []
        for info, name in targets:
            scope = ns if info.namespaced else None
            if name is not None:
                try:
                    where = (ns or "default") if info.namespaced else ""
                    found.append((info, sim.get(info.kind, where, name)))
                except NotFoundError as exc:
                    missing.append(str(exc))
                continue
            for obj in sim.list(info.kind, namespace=scope, label_selector=label_selector):
                found.append((info, obj))
        single = len(targets) == 1 and targets[0][1] is not None
        namespaced = all(info.namespaced for info, _ in targets)
        where = f" in {ns} namespace." if ns is not None and namespaced else ""
        if not show_managed_fields:  # as kubectl: managedFields only on request
            found = [(info, _without_managed_fields(obj)) for info, obj in found]
        _print(found, output, all_namespaces, show_labels, sim.now(), where, len(targets) > 1, single,
               bool(missing))
        for message in missing:
            sys.stderr.write(f"Error from server (NotFound): {message}\n")
        raise typer.Exit(ExitStatus.FAILURE if missing else ExitStatus.OK)


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return obj


def _print(found: list[tuple[Any, dict[str, Any]]], output: str, all_namespaces: bool, show_labels: bool,
           now: float, where: str, several_kinds: bool, single: bool = False, errors: bool = False) -> None:
    if output in ("json", "yaml"):
        objs = [obj for _, obj in found]
        if single and not objs:
            return  # kubectl prints only the NotFound error
        doc: Any = objs[0] if single and objs else \
            {"apiVersion": "v1", "kind": "List", "items": objs, "metadata": {"resourceVersion": ""}}
        if output == "json":
            sys.stdout.write(json.dumps(doc, indent=4) + "\n")
        else:
            import yaml

            sys.stdout.write(yaml.safe_dump(doc, sort_keys=True, default_flow_style=False))
        return
    if output == "name":
        for info, obj in found:
            kind = f"{info.singular}.{info.group}" if info.group else info.singular
            sys.stdout.write(f"{kind}/{obj['metadata']['name']}\n")
        return
    if not found:
        if not errors:  # kubectl says so only when nothing failed
            sys.stderr.write(f"No resources found{where}\n")
        return
    _print_tables(found, output == "wide", all_namespaces, show_labels, now, several_kinds)


def _print_tables(found: list[tuple[Any, dict[str, Any]]], wide: bool, all_namespaces: bool,
                  show_labels: bool, now: float, several_kinds: bool) -> None:
    from kapply.cli.printers.columns import columns_for
    from kapply.cli.printers.table import render_table

    groups: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    for info, obj in found:
        groups.setdefault(info.kind, []).append((info, obj))
    chunks = []
    for kind, items in groups.items():
        cols = columns_for(kind)
        namespaced = items[0][0].namespaced
        headers = list(cols.headers) + (list(cols.wide_headers) if wide else [])
        rows = []
        for info, obj in items:
            row = cols.row(obj, now) + (cols.wide(obj, now) if wide and cols.wide else [])
            if several_kinds:
                prefix = f"{info.singular}.{info.group}" if info.group else info.singular
                row[0] = f"{prefix}/{row[0]}" if kind != "Event" else row[0]
            if all_namespaces and namespaced:
                row.insert(0, obj["metadata"].get("namespace", ""))
            if show_labels:
                labels = obj["metadata"].get("labels") or {}
                row.append(",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>")
            rows.append(row)
        if all_namespaces and namespaced:
            headers.insert(0, "NAMESPACE")
        if show_labels:
            headers.append("LABELS")
        chunks.append(render_table(headers, rows))
    sys.stdout.write("\n".join(chunks))
