"""`kapply scale KIND/NAME --replicas N`: set a workload's replica count, as `kubectl scale`.

An imperative change: the object drifts from its manifest until the next apply (kapply's watch
reports it). `--current-replicas` and `--resource-version` are kubectl's preconditions; a
precondition that does not hold changes nothing and fails with kubectl's words
(`Expected replicas to be 2, was 3`).
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import ExitStatus, handle_errors


def register(app: typer.Typer) -> None:
    app.command(name="scale")(scale)


def scale(
    resources: list[str] = typer.Argument(..., help="KIND NAME..., KIND/NAME..., or KIND with -l / --all.",
                                          autocompletion=options.RESOURCE_COMPLETION),
    replicas: int = typer.Option(-1, "--replicas", help="The new desired number of replicas (required)."),
    current_replicas: int = typer.Option(-1, "--current-replicas",
                                         help="Precondition: the current replica count must be this."),
    resource_version: str = typer.Option("", "--resource-version",
                                         help="Precondition: the object's resourceVersion must be this."),
    selector: str | None = options.SELECTOR,
    all_objects: bool = typer.Option(False, "--all", help="Every object of the kind in the namespace."),
    namespace: str | None = options.NAMESPACE,
    cluster: str = options.CLUSTER,
) -> None:
    """Set a new size for a Deployment, ReplicaSet, ReplicationController or StatefulSet."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim, qualified, report
        from kapply.cli.resources import parse_targets
        from kapply.errors import ClusterError, KapplyError, StateError, UsageError
        from kapply.model.scale import scale_paths

        if replicas < 0:
            raise UsageError("The --replicas=COUNT flag is required, and COUNT must be greater than or "
                             "equal to 0")
        ns = namespace_of(namespace)
        targets = parse_targets(resources)
        with open_sim(cluster) as sim:
            found, failed = _objects(sim, targets, ns, selector, all_objects)
            for info, obj in found:
                name = obj["metadata"]["name"]
                if scale_paths(info.group, info.kind) is None:  # no scale subresource
                    sys.stderr.write("Error from server (NotFound): the server could not find the requested "
                                     "resource\n")
                    failed = True
                    continue
                try:
                    _check(obj, current_replicas, resource_version)
                    sim.patch(info.kind, ns, name, {"spec": {"replicas": replicas}}, patch_type="merge")
                except ClusterError as exc:
                    report(exc)
                    failed = True
                    continue
                except StateError:
                    raise  # the state file itself (read-only, busy): the command stops
                except KapplyError as exc:  # a precondition that does not hold
                    sys.stderr.write(f"error: {exc}\n")
                    failed = True
                    continue
                sys.stdout.write(f"{qualified(info)}/{name} scaled\n")
        raise typer.Exit(ExitStatus.FAILURE if failed else ExitStatus.OK)


def _check(obj: dict[str, Any], current: int, resource_version: str) -> None:
    """kubectl's ScalePrecondition.validate."""
    from kapply.errors import KapplyError

    actual = int((obj.get("spec") or {}).get("replicas", 1))
    if current >= 0 and actual != current:
        raise KapplyError(f"Expected replicas to be {current}, was {actual}")
    have = str(obj["metadata"].get("resourceVersion", ""))
    if resource_version and have != resource_version:
        raise KapplyError(f"Expected resource version to be {resource_version}, was {have}")


def _objects(sim: Any, targets: list[tuple[Any, str | None]], ns: str, selector: str | None,
             all_objects: bool) -> tuple[list[tuple[Any, dict[str, Any]]], bool]:
    """The objects named, or selected with -l / --all; and whether a named one was missing."""
    from kapply.cli.kubectl import report
    from kapply.errors import NotFoundError, UsageError

    found: list[tuple[Any, dict[str, Any]]] = []
    missing = False
    for info, name in targets:
        if name is None:
            if not selector and not all_objects:
                raise UsageError("resource(s) were provided, but no name was specified")
            found.extend((info, obj) for obj in sim.list(info.kind, ns if info.namespaced else None,
                                                         label_selector=selector))
            continue
        try:
            found.append((info, sim.get(info.kind, ns if info.namespaced else "", name)))
        except NotFoundError as exc:
            report(exc)
            missing = True
    if not found and not missing:
        sys.stderr.write("No resources found\n")
    return found, missing
