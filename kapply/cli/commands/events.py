"""`kapply events [-n NS | -A] [--for KIND/NAME] [--types Warning] [-o json|yaml]`, as `kubectl events`."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors

EVENT_TYPES = ("Normal", "Warning")


def register(app: typer.Typer) -> None:
    app.command(name="events")(events)


def events(
    namespace: str | None = options.NAMESPACE,
    all_namespaces: bool = options.ALL_NAMESPACES,
    for_object: str | None = typer.Option(None, "--for", help="Only events about this object (KIND/NAME)."),
    types: list[str] = typer.Option([], "--types", help="Only these event types (Normal, Warning); "
                                                        "repeat or separate with commas."),
    output: str = typer.Option("text", "--output", "-o", help="json or yaml."),
    no_headers: bool = typer.Option(False, "--no-headers", help="Leave out the header line."),
    cluster: str = options.CLUSTER,
) -> None:
    """List events, oldest first, like `kubectl events`."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim
        from kapply.cli.printers.events import render_events
        from kapply.errors import UsageError

        if output not in ("text", "json", "yaml"):
            raise UsageError(f"--output must be one of text, json, yaml, not {output!r}")
        wanted = _types(types)
        ns = None if all_namespaces else namespace_of(namespace)
        kind, name = _target(for_object) if for_object else (None, None)
        with open_sim(cluster) as sim:
            found = [ev for ev in sim.events(ns) if _keep(ev, wanted, kind, name)]
            now = sim.now()
        if not found:
            sys.stderr.write("No events found.\n" if ns is None else f"No events found in {ns} namespace.\n")
            return
        if output != "text":
            _dump(found, output)
            return
        table = render_events(found, now, all_namespaces)
        sys.stdout.write(table.split("\n", 1)[1] if no_headers else table)


def _types(values: list[str]) -> set[str]:
    from kapply.errors import UsageError

    wanted = set()
    for value in values:
        for part in value.split(","):
            match = next((t for t in EVENT_TYPES if t.lower() == part.strip().lower()), None)
            if match is None:
                raise UsageError("valid --types are Normal or Warning")
            wanted.add(match)
    return wanted


def _target(text: str) -> tuple[str, str]:
    from kapply.cli.resources import resolve_kind
    from kapply.errors import UsageError

    kind, _, name = text.partition("/")
    if not kind or not name:
        raise UsageError("--for must be in resource/name form")
    if "/" in name:
        raise UsageError("arguments in resource/name form may not have more than one slash")
    return resolve_kind(kind).kind, name


def _keep(ev: dict[str, Any], wanted: set[str], kind: str | None, name: str | None) -> bool:
    if wanted and ev.get("type") not in wanted:
        return False
    if kind is None:
        return True
    inv = ev.get("involvedObject") or {}
    return inv.get("kind") == kind and inv.get("name") == name


def _dump(found: list[dict[str, Any]], output: str) -> None:
    """kubectl events -o json|yaml: an EventList, oldest first."""
    doc = {"apiVersion": "v1", "items": found, "kind": "EventList", "metadata": {}}
    if output == "json":
        sys.stdout.write(json.dumps(doc, indent=4) + "\n")
    else:
        import yaml

        sys.stdout.write(yaml.safe_dump(doc, sort_keys=True, default_flow_style=False))
