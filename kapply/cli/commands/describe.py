"""`kapply describe KIND [NAME_PREFIX...]`: kubectl's detail pages with the objects' events.

Thin: resolves the arguments (kubectl forms, name prefixes as kubectl matches them), fetches the
object, the related objects its describer asks for (`printers.describe.RELATED`) and its events,
and prints `printers.describe.describe(...)`. Pages are separated by two blank lines, as kubectl.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors


def register(app: typer.Typer) -> None:
    app.command(name="describe")(describe)


def describe(
    resources: list[str] = typer.Argument(..., help="KIND [NAME_PREFIX...] or KIND/NAME...",
                                          autocompletion=options.RESOURCE_COMPLETION),
    namespace: str | None = options.NAMESPACE,
    all_namespaces: bool = options.ALL_NAMESPACES,
    selector: str | None = options.SELECTOR,
    show_events: bool = typer.Option(True, "--show-events/--no-show-events",
                                     help="Include the objects' events (default true)."),
    cluster: str = options.CLUSTER,
) -> None:
    """Show details of objects and their events, like `kubectl describe`."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim, report
        from kapply.cli.printers.describe import describe as render
        from kapply.cli.resources import parse_targets, served
        from kapply.errors import NotFoundError

        if not resources:
            parse_targets(resources)  # the usage error, before opening anything
        # kubectl matches name prefixes only for the two-argument form `describe TYPE NAME_PREFIX`
        prefix_match = len(resources) == 2 and not any("/" in arg for arg in resources)
        ns = None if all_namespaces else namespace_of(namespace)
        pages: list[str] = []
        failed = False
        with open_sim(cluster) as sim:
            targets = parse_targets(resources, served(sim))
            now = sim.now()
            lookups = _Lookups(sim)
            for info, name in targets:
                try:
                    objs = _find(sim, info, name, ns, selector, prefix_match)
                except NotFoundError as exc:
                    report(exc)
                    failed = True
                    continue
                for obj in objs:
                    events = lookups.events_about(obj) if show_events else None
                    pages.append(render(obj, lookups.related(obj), events, now))
        if not pages and not failed:
            where = "" if ns is None else f" in {ns} namespace"
            sys.stderr.write(f"No resources found{where}.\n")
        sys.stdout.write("\n\n".join(pages))
        raise typer.Exit(ExitStatus.FAILURE if failed else ExitStatus.OK)


def _find(sim: Any, info: Any, name: str | None, ns: str | None, selector: str | None,
          prefix_match: bool) -> list[dict[str, Any]]:
    """The object named, else those whose name starts with it (kubectl's prefix match)."""
    from kapply.errors import NotFoundError

    scope = ns if info.namespaced else None
    if name is None:
        return list(sim.list(info.kind, namespace=scope, label_selector=selector, group=info.group))
    where = (ns or "default") if info.namespaced else ""
    try:
        return [sim.get(info.kind, where, name, group=info.group)]
    except NotFoundError:
        if not prefix_match:
            raise
        found = [o for o in sim.list(info.kind, namespace=scope, label_selector=selector, group=info.group)
                 if o["metadata"]["name"].startswith(name)]
        if not found:
            raise
        return found


class _Lookups:
    """Lists fetched once per command, so describing many objects stays one read per kind."""

    def __init__(self, sim: Any) -> None:
        self._sim = sim
        self._lists: dict[tuple[str, str | None, str | None], list[dict[str, Any]]] = {}
        self._event_index: dict[str | None, tuple[dict[str, Any], dict[tuple[Any, ...], Any]]] = {}

    def _list(self, kind: str, namespace: str | None,
              field_selector: str | None = None) -> list[dict[str, Any]]:
        key = (kind, namespace, field_selector)
        if key not in self._lists:
            self._lists[key] = (self._sim.events(namespace) if kind == "Event"
                                else self._sim.list(kind, namespace, field_selector=field_selector))
        return self._lists[key]

    def related(self, obj: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """The objects `printers.describe.RELATED` says this kind's describer needs."""
        from kapply.cli.printers.describe import RELATED

        md = obj.get("metadata") or {}
        out: dict[str, list[dict[str, Any]]] = {}
        for kind, scope in RELATED.get(str(obj.get("kind")), ()):
            if scope == "node":
                out[kind] = self._list(kind, None, f"spec.nodeName={md.get('name')}")
            elif scope == "node-lease":
                out[kind] = self._list(kind, "kube-node-lease")
            elif scope == "self":
                out[kind] = self._list(kind, md.get("name"))
            elif scope == "named":
                out[kind] = [o for o in self._list(kind, md.get("namespace"))
                             if o["metadata"]["name"] == md.get("name")]
            else:
                out[kind] = self._list(kind, md.get("namespace"))
        return out

    def events_about(self, obj: dict[str, Any]) -> list[dict[str, Any]]:
        """Events whose involvedObject is `obj` (by uid when both have one, else kind/name)."""
        md = obj.get("metadata") or {}
        namespace = md.get("namespace") or None
        if namespace not in self._event_index:
            by_uid: dict[str, list[dict[str, Any]]] = {}
            by_name: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
            for ev in self._list("Event", namespace):
                inv = ev.get("involvedObject") or {}
                if inv.get("uid"):
                    by_uid.setdefault(inv["uid"], []).append(ev)
                key = (inv.get("kind"), inv.get("name"), inv.get("namespace") or "")
                by_name.setdefault(key, []).append(ev)
            self._event_index[namespace] = (by_uid, by_name)
        by_uid, by_name = self._event_index[namespace]
        named = by_name.get((obj.get("kind"), md.get("name"), md.get("namespace") or ""), [])
        uid = md.get("uid")
        if not uid:
            return list(named)
        if obj.get("kind") == "Node":  # kubelets record node events with the node's name as uid
            return [*by_uid.get(uid, []), *by_uid.get(md.get("name"), []),
                    *(ev for ev in named if not (ev.get("involvedObject") or {}).get("uid"))]
        # by uid, plus the same-named events that carry no uid at all
        without_uid = [ev for ev in named if not (ev.get("involvedObject") or {}).get("uid")]
        return [*by_uid.get(uid, []), *without_uid]
