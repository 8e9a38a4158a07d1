"""`kapply node list|add|fail|recover|cordon|uncordon|drain`: the embedded cluster's nodes.

Thin wrappers over `kapply.cluster.sim.nodeops`, printing kubectl's (and minikube's) words:
`node/minikube-m02 cordoned`, `evicting pod default/web-abc`, `node/minikube-m02 drained`.
`fail` stops a node's heartbeats (NotReady after the cluster's node grace period, pods evicted
after their toleration), `recover` starts them again. Drain evicts through the eviction
subresource's checks: an eviction a PodDisruptionBudget refuses is retried every 5 s of cluster time
(the clock moves on, so replacements become ready), as kubectl drain retries it. Drain does not
wait for the evicted pods' grace periods: they terminate as the virtual clock moves on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from kapply.cli.exits import ExitStatus, handle_errors
from kapply.cli.options import CLUSTER

node_app = typer.Typer(help="Nodes of the embedded cluster: list, add, fail, recover, cordon, drain.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(node_app, name="node")


@contextmanager
def _cluster(name: str, kubectl_errors: bool = True) -> Iterator[Any]:
    """The embedded cluster for one command; API errors reported as kubectl does (exit 1):
    `Error from server (NotFound): nodes "x" not found`."""
    from kapply.cli.kubectl import open_sim, report
    from kapply.errors import ClusterError

    with open_sim(name) as sim:
        try:
            yield sim
        except ClusterError as exc:
            if not kubectl_errors:
                raise
            report(exc)
            raise typer.Exit(ExitStatus.FAILURE) from None


def node_status(node: dict[str, Any]) -> str:
    """kubectl's STATUS column: Ready / NotReady / Unknown, plus SchedulingDisabled."""
    ready = next((c for c in (node.get("status") or {}).get("conditions") or ()
                  if c.get("type") == "Ready"), None)
    status = "Unknown" if ready is None else "Ready" if ready.get("status") == "True" else "NotReady"
    if (node.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    return status


def node_roles(node: dict[str, Any]) -> str:
    roles = sorted(key.split("/", 1)[1] for key in (node["metadata"].get("labels") or {})
                   if key.startswith("node-role.kubernetes.io/") and key.split("/", 1)[1])
    return ",".join(roles) or "<none>"


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


@node_app.command("list")
def list_(
    cluster: str = CLUSTER,
    output: str = typer.Option("text", "--output", "-o", help="text, wide, json or yaml."),
) -> None:
    """List nodes as `kubectl get nodes` does."""
    with handle_errors():
        from kapply.cluster.sim.clock import parse_rfc3339
        from kapply.errors import UsageError
        from kapply.model.durations import human_duration

        if output not in ("text", "wide", "json", "yaml"):
            raise UsageError(f"unknown output format {output!r}: use text, wide, json or yaml")
        with _cluster(cluster) as sim:
            nodes, now = sim.list("Node"), sim.now()
        listing = {"apiVersion": "v1", "items": nodes, "kind": "List", "metadata": {"resourceVersion": ""}}
        if output == "json":
            typer.echo(json.dumps(listing, indent=4))
            return
        if output == "yaml":
            import yaml

            typer.echo(yaml.safe_dump(listing, default_flow_style=False, sort_keys=True), nl=False)
            return
        head = ("NAME", "STATUS", "ROLES", "AGE", "VERSION")
        wide = ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME")
        rows = [head + wide if output == "wide" else head]
        for node in nodes:
            status = node.get("status") or {}
            info = status.get("nodeInfo") or {}
            age = human_duration(now - parse_rfc3339(node["metadata"]["creationTimestamp"]))
            row = (node["metadata"]["name"], node_status(node), node_roles(node), age,
                   info.get("kubeletVersion", ""))
            if output == "wide":
                ips = {a.get("type"): a.get("address") for a in status.get("addresses") or ()}
                row += (ips.get("InternalIP") or "<none>", ips.get("ExternalIP") or "<none>",
                        info.get("osImage", ""), info.get("kernelVersion", ""),
                        info.get("containerRuntimeVersion", ""))
            rows.append(row)
        if len(rows) == 1:
            sys.stderr.write("No resources found\n")
            return
        _table(rows)


@node_app.command("add")
def add(
    cpu: str = typer.Option(None, "--cpu", help="CPU of the new node (default: the cluster's)."),
    memory: str = typer.Option(None, "--memory", help="Memory of the new node (default: the cluster's)."),
    pods: int = typer.Option(None, "--pods", help="Max pods of the new node (default: the cluster's)."),
    cluster: str = CLUSTER,
) -> None:
    """Add a node (named minikube-mNN, like `minikube node add`)."""
    with handle_errors():
        from kapply.cluster.sim.nodeops import add_node

        with _cluster(cluster) as sim:
            node = add_node(sim, cpu, memory, pods)
        typer.echo(f"node/{node['metadata']['name']} created")


@node_app.command("fail")
def fail(name: str = typer.Argument(..., help="Node name."), cluster: str = CLUSTER) -> None:
    """Stop a node's kubelet: NotReady after the grace period, then its pods are evicted."""
    with handle_errors():
        from kapply.cluster.sim.nodeops import fail_node
        from kapply.model.durations import go_duration

        with _cluster(cluster) as sim:
            changed = fail_node(sim, name)
            settings = sim.settings
        if not changed:
            typer.echo(f"node/{name} already failed")
            return
        typer.echo(f"node/{name} failed: kubelet stopped posting status (NotReady after "
                   f"{go_duration(settings.node_grace)}, pods evicted "
                   f"{go_duration(settings.eviction_timeout)} later unless they tolerate longer)")


@node_app.command("recover")
def recover(name: str = typer.Argument(..., help="Node name."), cluster: str = CLUSTER) -> None:
    """Restart a failed node's kubelet: Ready and schedulable again."""
    with handle_errors():
        from kapply.cluster.sim.nodeops import recover_node

        with _cluster(cluster) as sim:
            changed = recover_node(sim, name)
        typer.echo(f"node/{name} recovered" if changed else f"node/{name} was not failed")


@node_app.command("cordon")
def cordon(name: str = typer.Argument(..., help="Node name."), cluster: str = CLUSTER) -> None:
    """Mark a node unschedulable."""
    with handle_errors():
        from kapply.cluster.sim.nodeops import set_unschedulable

        with _cluster(cluster) as sim:
            changed = set_unschedulable(sim, name, True)
        typer.echo(f"node/{name} cordoned" if changed else f"node/{name} already cordoned")


@node_app.command("uncordon")
def uncordon(name: str = typer.Argument(..., help="Node name."), cluster: str = CLUSTER) -> None:
    """Mark a node schedulable again."""
    with handle_errors():
        from kapply.cluster.sim.nodeops import set_unschedulable

        with _cluster(cluster) as sim:
            changed = set_unschedulable(sim, name, False)
        typer.echo(f"node/{name} uncordoned" if changed else f"node/{name} already uncordoned")


@node_app.command("drain")
def drain(
    name: str = typer.Argument(..., help="Node name."),
    ignore_daemonsets: bool = typer.Option(False, "--ignore-daemonsets",
                                           help="Ignore DaemonSet-managed pods."),
    force: bool = typer.Option(False, "--force", help="Also delete pods that declare no controller."),
    delete_emptydir_data: bool = typer.Option(False, "--delete-emptydir-data",
                                              help="Also delete pods using emptyDir volumes."),
    timeout: str = typer.Option("0s", "--timeout",
                                help="Give up on evictions a disruption budget refuses after this long "
                                     "(cluster time; 0: until nothing can change)."),
    cluster: str = CLUSTER,
) -> None:
    """Cordon a node and evict its pods, as `kubectl drain` (waiting while a disruption budget refuses)."""
    with handle_errors():
        from kapply.cluster.sim.nodeops import drain_node
        from kapply.model.durations import flag_duration

        limit = flag_duration("--timeout", timeout)
        with _cluster(cluster) as sim:
            cordoned, plan = drain_node(sim, name, ignore_daemonsets, force, delete_emptydir_data)
        typer.echo(f"node/{name} cordoned" if cordoned else f"node/{name} already cordoned")
        if plan.errors:
            errors = "; ".join(plan.error_lines())
            sys.stderr.write(f'error: unable to drain node "{name}" due to error: {errors}, '
                             "continuing command...\n")
            sys.stderr.write(f"There are pending nodes to be drained:\n {name}\n")
            for line in plan.error_lines():
                sys.stderr.write(f"error: {line}\n")
            raise typer.Exit(ExitStatus.FAILURE)
        if plan.warnings:
            sys.stderr.write(f"Warning: {plan.warning_line()}\n")
        for pod in plan.evict:
            typer.echo(f"evicting pod {pod['metadata'].get('namespace')}/{pod['metadata']['name']}")
        for pod, why in plan.refused:
            sys.stderr.write(f"{_eviction_error(pod)} (will retry after 5s): {why}\n")
        for pod in plan.evicted:
            typer.echo(f"pod/{pod['metadata']['name']} evicted")
        if plan.refused and not _retry(cluster, name, [pod for pod, _ in plan.refused], limit):
            raise typer.Exit(ExitStatus.FAILURE)
        typer.echo(f"node/{name} drained")


def _eviction_error(pod: dict[str, Any]) -> str:
    return f'error when evicting pods/"{pod["metadata"]["name"]}" -n "{pod["metadata"].get("namespace", "")}"'


def _retry(cluster: str, node: str, pods: list[dict[str, Any]], timeout: float) -> bool:
    """kubectl drain's retries of refused evictions, printed as kubectl prints them; False when some
    pod was never evicted (reported as kubectl reports a drain that did not finish)."""
    from kapply.cluster.sim.nodeops import retry_evictions

    failed: list[str] = []
    with _cluster(cluster) as sim:
        for event, pod, why in retry_evictions(sim, pods, timeout):
            meta = pod["metadata"]
            if event == "evicting":
                typer.echo(f"evicting pod {meta.get('namespace')}/{meta['name']}")
            elif event == "evicted":
                typer.echo(f"pod/{meta['name']} evicted")
            elif event == "refused":
                sys.stderr.write(f"{_eviction_error(pod)} (will retry after 5s): {why}\n")
            elif event == "timeout":
                failed.append(f"{_eviction_error(pod)}: {why}")
            else:
                failed.append(f"{_eviction_error(pod)}: Cannot evict pod as it would violate the pod's "
                              "disruption budget (nothing pending in the cluster can change it)")
    if failed:
        sys.stderr.write(f'error: unable to drain node "{node}" due to error: [{", ".join(failed)}], '
                         "continuing command...\n")
        sys.stderr.write(f"There are pending nodes to be drained:\n {node}\n")
        for line in failed:
            sys.stderr.write(f"error: {line}\n")
    return not failed
