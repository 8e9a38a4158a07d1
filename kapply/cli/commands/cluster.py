"""`kapply cluster create|delete|list|info|advance`: the embedded clusters and their clock."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from kapply.cli.exits import handle_errors
from kapply.cli.options import CLUSTER

cluster_app = typer.Typer(help="Embedded clusters: create, delete, list, info, advance the clock.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(cluster_app, name="cluster")


def _tolerance(value: float) -> float:
    from kapply.errors import UsageError

    if not 0 <= value < 1:
        raise UsageError(f"invalid --hpa-tolerance {value!r}: must be at least 0 and below 1")
    return value


def _check_settings(cpu: str, memory: str, nodes: int, pods: int, lb_pool: str) -> None:
    import ipaddress

    from kapply.cluster.sim.nodes import check_node_count
    from kapply.errors import UsageError
    from kapply.model.quantity import QuantityError, millicores, to_bytes

    for flag, text, amount in (("--cpu", cpu, millicores), ("--memory", memory, to_bytes)):
        try:
            positive = amount(text) > 0
        except (QuantityError, ValueError) as exc:
            raise UsageError(f"invalid {flag} {text!r}: {exc}") from None
        if not positive:
            raise UsageError(f"invalid {flag} {text!r}: must be greater than 0")
    check_node_count(nodes)
    if pods < 1:
        raise UsageError(f"invalid --pods {pods}: must be at least 1")
    if lb_pool:
        first, sep, last = lb_pool.partition("-")
        try:
            lo, hi = ipaddress.IPv4Address(first.strip()), ipaddress.IPv4Address(last.strip())
        except ValueError:
            lo = hi = None
        if not sep or lo is None or hi is None or lo > hi:
            raise UsageError(f"invalid --lb-pool {lb_pool!r}: expected FIRST-LAST IPv4 addresses, "
                             "e.g. 192.168.49.100-192.168.49.120")


@cluster_app.command("create")
def create(
    name: str = typer.Argument(..., help="Cluster name (a DNS label)."),
    nodes: int = typer.Option(1, "--nodes", help="Number of nodes (0 to 5000)."),
    cpu: str = typer.Option("4", "--cpu", help="CPU per node."),
    memory: str = typer.Option("8Gi", "--memory", help="Memory per node."),
    pods: int = typer.Option(110, "--pods", help="Max pods per node."),
    pod_startup: str = typer.Option("2s", "--pod-startup", help="Scheduled -> Running delay."),
    image_pull: str = typer.Option("0s", "--image-pull", help="Extra delay when pulling an image."),
    node_grace: str = typer.Option("50s", "--node-grace", help="node-monitor-grace-period."),
    eviction_timeout: str = typer.Option("300s", "--eviction-timeout",
                                         help="Default toleration for not-ready/unreachable nodes."),
    lb_pool: str = typer.Option("", "--lb-pool", help="LoadBalancer IP pool FIRST-LAST (empty: <pending>)."),
    job_duration: str = typer.Option("5s", "--job-duration",
                                     help="How long a Job's containers run before exiting 0 "
                                          "(unless `image run` says otherwise)."),
    hpa_sync_period: str = typer.Option("15s", "--hpa-sync-period",
                                        help="How often each HorizontalPodAutoscaler is processed."),
    hpa_downscale_stabilization: str = typer.Option(
        "5m", "--hpa-downscale-stabilization", help="How long an autoscaler keeps its highest recent size."),
    hpa_tolerance: float = typer.Option(0.1, "--hpa-tolerance",
                                        help="Autoscalers ignore a ratio to target this close to 1."),
    manual_clock: bool = typer.Option(False, "--manual-clock",
                                      help="Virtual time moves only with `cluster advance`."),
    seed: int = typer.Option(0, "--seed", help="Seed of the simulation's randomness."),
) -> None:
    """Create an embedded cluster."""
    with handle_errors():
        from kapply.cluster.sim import ClusterSettings, create_cluster
        from kapply.model.durations import flag_duration

        _check_settings(cpu, memory, nodes, pods, lb_pool)
        settings = ClusterSettings(
            nodes=nodes, cpu=cpu, memory=memory, pods=pods,
            pod_startup=flag_duration("--pod-startup", pod_startup),
            image_pull=flag_duration("--image-pull", image_pull),
            node_grace=flag_duration("--node-grace", node_grace),
            eviction_timeout=flag_duration("--eviction-timeout", eviction_timeout),
            job_duration=flag_duration("--job-duration", job_duration),
            hpa_sync_period=flag_duration("--hpa-sync-period", hpa_sync_period, minimum=1.0),
            hpa_downscale_stabilization=flag_duration("--hpa-downscale-stabilization",
                                                      hpa_downscale_stabilization),
            hpa_tolerance=_tolerance(hpa_tolerance),
            lb_pool=lb_pool, manual_clock=manual_clock, seed=seed)
        create_cluster(name, settings).close()
        plural = "node" if nodes == 1 else "nodes"
        typer.echo(f'cluster "{name}" created ({nodes} {plural}: {cpu} CPU, {memory} memory, '
                   f"{pods} pods each)")


@cluster_app.command("delete")
def delete(
    name: str = typer.Argument(..., help="Cluster name."),
    force: bool = typer.Option(False, "--force", help="Delete even a state file kapply cannot read."),
) -> None:
    """Delete an embedded cluster and its state."""
    with handle_errors():
        from kapply.cluster.sim import delete_cluster

        delete_cluster(name, force=force)
        typer.echo(f'cluster "{name}" deleted')


@cluster_app.command("list")
def list_(
    cluster: str = CLUSTER,
    output: str = typer.Option("text", "--output", "-o", help="text or json."),
) -> None:
    """List the embedded clusters."""
    with handle_errors():
        from kapply.cluster.sim import kapply_home, list_clusters
        from kapply.cluster.sim.settings import ClusterSettings
        from kapply.cluster.sim.store import Store
        from kapply.errors import StateError

        rows: list[dict[str, Any]] = []
        for name in list_clusters():
            row: dict[str, Any] = {"name": name, "current": name == cluster}
            try:
                store = Store.open(kapply_home() / f"{name}.db")
                settings = ClusterSettings.from_dict(store.meta()["settings"])
                nodes = len(store.names("Node"))  # `node add` and `delete node` change the count
                store.close()
                row.update(nodes=nodes, cpu=settings.cpu, memory=settings.memory,
                           pods=settings.pods, manualClock=settings.manual_clock)
            except StateError as exc:
                row["error"] = str(exc)
            rows.append(row)
        if output == "json":
            typer.echo(json.dumps(rows, indent=2))
            return
        if not rows:
            sys.stderr.write(f"No clusters found in {kapply_home()}.\n")
            return
        table = [("CURRENT", "NAME", "NODES", "CPU", "MEMORY", "PODS", "CLOCK")]
        for r in rows:
            if "error" in r:
                table.append(("*" if r["current"] else "", r["name"], "?", "?", "?", "?", "unreadable"))
            else:
                table.append(("*" if r["current"] else "", r["name"], str(r["nodes"]), r["cpu"],
                              r["memory"], str(r["pods"]), "manual" if r["manualClock"] else "wall"))
        _print_table(table)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


@cluster_app.command("info")
def info(
    name: str = typer.Argument(None, help="Cluster name (default: --cluster)."),
    cluster: str = CLUSTER,
    output: str = typer.Option("text", "--output", "-o", help="text or json."),
) -> None:
    """Settings, nodes, object counts and virtual time of a cluster."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.clock import rfc3339
        from kapply.model.durations import go_duration, human_duration

        sim = open_cluster(name or cluster)
        data = sim.info()
        from kapply.model.columns import node_status

        nodes = [{"name": node["metadata"]["name"], "status": node_status(node)} for node in sim.list("Node")]
        data["nodes"] = nodes
        wall = sim.clock.time()
        sim.close()
        if output == "json":
            typer.echo(json.dumps(data, indent=2, sort_keys=True))
            return
        s = data["settings"]
        typer.echo(f"Cluster:        {data['name']}")
        typer.echo(f"State:          {data['path']}" + (" (read-only)" if data.get("readOnly") else ""))
        ahead = data["now"] - wall
        clock = "manual" if s["manual_clock"] else "wall clock"
        shift = f", {go_duration(round(ahead))} ahead of the wall clock" if round(ahead) > 0 else ""
        typer.echo(f"Virtual time:   {rfc3339(data['now'])} ({clock}{shift})")
        if data.get("created"):
            typer.echo(f"Age:            {human_duration(data['now'] - data['created'])}")
        typer.echo(f"Nodes:          {len(nodes)} x ({s['cpu']} CPU, {s['memory']} memory, {s['pods']} pods)")
        width = max((len(node["name"]) for node in nodes), default=0)
        for node in nodes:
            typer.echo(f"  {node['name']:<{width}}  {node['status']}")
        typer.echo(f"Timings:        pod start-up {go_duration(s['pod_startup'])}, image pull "
                   f"{go_duration(s['image_pull'])}, node grace {go_duration(s['node_grace'])}, "
                   f"eviction {go_duration(s['eviction_timeout'])}, Job containers "
                   f"{go_duration(s.get('job_duration', 5.0))}")
        typer.echo(f"Autoscaling:    sync every {go_duration(s.get('hpa_sync_period', 15.0))}, tolerance "
                   f"{s.get('hpa_tolerance', 0.1):g}, scale-down stabilization "
                   f"{go_duration(s.get('hpa_downscale_stabilization', 300.0))}")
        typer.echo(f"LB pool:        {s['lb_pool'] or '(none: LoadBalancer IPs stay <pending>)'}")
        typer.echo(f"Seed:           {s['seed']}")
        typer.echo("Objects:")
        for kind, count in sorted(data["counts"].items()):
            typer.echo(f"  {kind:<24}{count}")
        due = data["nextDue"]
        nxt = f", next in {go_duration(max(0.0, round(due - data['now'], 3)))}" if due is not None else ""
        typer.echo(f"Pending timers: {data['timers']}{nxt}")


@cluster_app.command("advance")
def advance(
    duration: str = typer.Argument(None, help="How far to fast-forward: 30s, 5m, 1h30m, 2d."),
    until_idle: bool = typer.Option(False, "--until-idle",
                                    help="Jump from event to event until nothing is pending."),
    limit: str = typer.Option("1h", "--max", help="Bound for --until-idle."),
    cluster: str = CLUSTER,
) -> None:
    """Fast-forward the cluster's virtual clock; everything due runs in order."""
    with handle_errors():
        from kapply.cluster.sim import open_cluster
        from kapply.cluster.sim.clock import rfc3339
        from kapply.errors import UsageError
        from kapply.model.durations import flag_duration, go_duration

        if (duration is None) == (not until_idle):
            raise UsageError("give either a DURATION (e.g. 5m) or --until-idle")
        seconds = flag_duration("DURATION", duration) if duration is not None else 0.0
        bound = flag_duration("--max", limit)
        sim = open_cluster(cluster)
        result = sim.advance_until_idle(bound) if until_idle else sim.advance(seconds)
        sim.close()
        typer.echo(f"advanced {go_duration(round(result.end - result.start, 3))} to {rfc3339(result.end)}: "
                   f"{result.timers} timers fired, {result.syncs} controller syncs")
        if until_idle and not result.idle:
            typer.echo(f"stopped at the --max bound of {go_duration(bound)}; events are still pending")
