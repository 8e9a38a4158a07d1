"""`kapply delete KIND NAME... | KIND/NAME... | -f PATH | KIND -l SEL | KIND --all`, as `kubectl delete`.

Returns once the API server accepted each delete (no `--wait` for finalisation): a running pod
lingers as Terminating for its grace period of virtual time, dependents go by background garbage
collection. Imperative: kapply's watch reports the missing objects as drift. Lines are those of
current kubectl (the embedded cluster is v1.34): `deployment.apps "web" deleted from default
namespace`, `pod "x" force deleted from default namespace`, `namespace "shop" deleted`; NotFound
errors do not stop the other deletions but make the exit status 1.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors

FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running resource "
                 "has been terminated. The resource may continue to run on the cluster indefinitely.\n")
CASCADE = {"background": "Background", "orphan": "Orphan", "foreground": "Foreground", "true": "Background",
           "false": "Orphan"}


def register(app: typer.Typer) -> None:
    app.command(name="delete")(delete)


def delete(
    resources: list[str] = typer.Argument(None, help="KIND NAME..., KIND/NAME..., or KIND with -l / --all.",
                                          autocompletion=options.RESOURCE_COMPLETION),
    filenames: list[str] = typer.Option([], "--filename", "-f",
                                        help="Delete the objects these manifests name."),
    selector: str | None = options.SELECTOR,
    all_objects: bool = typer.Option(False, "--all", help="Every object of the kind(s) in the namespace."),
    namespace: str | None = options.NAMESPACE,
    all_namespaces: bool = options.ALL_NAMESPACES,
    grace_period: int = typer.Option(-1, "--grace-period",
                                     help="Seconds a pod gets to terminate (-1: its own setting)."),
    force: bool = typer.Option(False, "--force", help="With --grace-period=0: remove at once."),
    now: bool = typer.Option(False, "--now", help="Same as --grace-period=1."),
    cascade: str = typer.Option("background", "--cascade", help="background, orphan or foreground."),
    ignore_not_found: bool = typer.Option(False, "--ignore-not-found", help="Treat NotFound as success."),
    output: str = typer.Option("", "--output", "-o", help="name: print KIND/NAME of each deleted object."),
    cluster: str = options.CLUSTER,
) -> None:
    """Delete objects by kind and name, label selector, or manifest files."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim
        from kapply.errors import UsageError

        if cascade.lower() not in CASCADE:
            raise UsageError(f'invalid cascade value ({cascade}). Must be "background", "foreground", '
                             'or "orphan".')
        grace = effective_grace(grace_period, force, now)
        ns = namespace_of(namespace)
        if output not in ("", "name"):
            raise UsageError(f"unable to match a printer suitable for the output format \"{output}\", "
                             "allowed formats are: name")
        if all_objects and selector:
            raise UsageError("cannot set --all and --selector at the same time")
        if filenames and resources:
            raise UsageError("resources cannot be given both as arguments and with --filename")
        with open_sim(cluster) as sim:
            if filenames:
                items = _from_files(sim, filenames, namespace)
            else:
                items = _from_args(sim, resources or [], ns, selector, all_objects, all_namespaces)
            if grace == 0 and force:
                sys.stderr.write(FORCE_WARNING)
            failed = _delete_all(sim, items, grace, CASCADE[cascade.lower()], ignore_not_found,
                                 output == "name")
        raise typer.Exit(ExitStatus.FAILURE if failed else ExitStatus.OK)


def effective_grace(grace_period: int, force: bool, now: bool) -> float | None:
    """kubectl's rules: --now is 1s; 0 without --force becomes 1; --force alone means 0."""
    from kapply.errors import UsageError

    if now:
        if grace_period >= 0:
            raise UsageError("--now and --grace-period cannot be specified together")
        grace_period = 1
    if grace_period == 0 and not force:
        grace_period = 1
    if force and grace_period < 0:
        grace_period = 0
    return None if grace_period < 0 else float(grace_period)


# (kind info, namespace, name, source file or None)
Item = tuple[Any, str, str, str | None]


def _from_args(sim: Any, resources: list[str], ns: str, selector: str | None,
               all_objects: bool, all_namespaces: bool = False) -> list[Item]:
    from kapply.cli.resources import parse_targets, served
    from kapply.errors import UsageError

    if not resources:
        raise UsageError("You must provide one or more resources by argument or filename.")
    items: list[Item] = []
    listed = False
    for info, name in parse_targets(resources, served(sim)):
        where = ns if info.namespaced else ""
        if name is not None:
            items.append((info, where, name, None))
            continue
        if not selector and not all_objects:
            raise UsageError("resource(s) were provided, but no name was specified")
        listed = True
        scope = None if all_namespaces or not info.namespaced else where
        for obj in sim.list(info.kind, scope, label_selector=selector, group=info.group):
            items.append((info, obj["metadata"].get("namespace") or "", obj["metadata"]["name"], None))
    if listed and not items:
        sys.stderr.write("No resources found\n")
    return items


def _from_files(sim: Any, paths: list[str], namespace: str | None) -> list[Item]:
    from kapply.cli.resources import served
    from kapply.errors import LoadError, UsageError
    from kapply.load.loader import load_paths

    kinds = served(sim)

    loaded = load_paths(paths)
    errors = [i for i in loaded.issues if i.severity == "error"]
    if errors:
        raise LoadError(str(errors[0]))
    items: list[Item] = []
    for doc in loaded.documents:
        obj = doc.obj
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        kind = str(obj.get("kind", ""))
        info = kinds.lookup_kind(group, kind) or kinds.by_kind(kind)
        if info is None:
            raise UsageError(f'{doc.file}: the server doesn\'t have a resource type "{obj.get("kind")}"')
        md = obj.get("metadata") or {}
        where = (md.get("namespace") or namespace or "default") if info.namespaced else ""
        items.append((info, where, str(md.get("name", "")), doc.file))
    return items


def deleted_line(kind: str, name: str, namespace: str, forced: bool, names_only: bool = False) -> str:
    """kubectl's PrintObj for a deletion: `pod "x" force deleted from default namespace`."""
    if names_only:
        return f"{kind}/{name}\n"
    operation = "force deleted" if forced else "deleted"
    if namespace:
        operation += f" from {namespace} namespace"
    return f'{kind} "{name}" {operation}\n'


def _delete_all(sim: Any, items: list[Item], grace: float | None, propagation: str,
                ignore_not_found: bool, names_only: bool) -> bool:
    from kapply.cli.kubectl import qualified, server_error
    from kapply.errors import ClusterError, NotFoundError

    failed = False
    for info, where, name, source in items:
        try:
            sim.delete(info.kind, where, name, grace_seconds=grace, propagation=propagation, group=info.group)
        except ClusterError as exc:
            if isinstance(exc, NotFoundError) and ignore_not_found:
                continue
            if source is not None:
                sys.stderr.write(f'Error from server ({exc.reason}): error when deleting "{source}": {exc}\n')
            else:
                sys.stderr.write(server_error(exc) + "\n")
            failed = True
            continue
        sys.stdout.write(deleted_line(qualified(info), name, where if info.namespaced else "", grace == 0,
                                      names_only))
    return failed
