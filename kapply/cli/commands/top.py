"""`kapply top pods|nodes`: resource use from the embedded cluster's metrics API, as `kubectl top`.

The figures are simulated (`kapply load set`), never measured. A pod appears one metrics
window (15 s) after its containers started; nodes that are not Ready show `<unknown>`.
"""

from __future__ import annotations

import sys

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors

top_app = typer.Typer(help="Display resource (CPU/memory) usage of pods or nodes.", no_args_is_help=True)
METRICS_CREATION_DELAY = 120.0  # kubectl: a pod older than this without metrics is an error


def register(app: typer.Typer) -> None:
    app.add_typer(top_app, name="top")


def _sort(sort_by: str) -> None:
    from kapply.errors import UsageError

    if sort_by and sort_by not in ("cpu", "memory"):
        raise UsageError("--sort-by accepts only cpu or memory")


@top_app.command("pod")
@top_app.command("pods")
def pods(
    name: str | None = typer.Argument(None, help="One pod."),
    namespace: str | None = options.NAMESPACE,
    all_namespaces: bool = options.ALL_NAMESPACES,
    selector: str | None = options.SELECTOR,
    containers: bool = typer.Option(False, "--containers", help="Print usage of containers within a pod."),
    sort_by: str = typer.Option("", "--sort-by", help="cpu or memory."),
    no_headers: bool = typer.Option(False, "--no-headers", help="Print output without headers."),
    total: bool = typer.Option(False, "--sum", help="Print the sum of the resource usage."),
    cluster: str = options.CLUSTER,
) -> None:
    """Display resource usage of pods."""
    with handle_errors():
        from kapply.cli.kubectl import namespace_of, open_sim
        from kapply.cli.printers.top import print_pods
        from kapply.cluster.sim.clock import parse_rfc3339
        from kapply.cluster.sim.metricsapi import pod_metrics
        from kapply.errors import KapplyError, UsageError
        from kapply.model.durations import go_duration
        from kapply.model.selectors import parse

        _sort(sort_by)
        if name and selector:
            raise UsageError("only one of NAME or selector can be provided")
        ns = None if all_namespaces else namespace_of(namespace)
        sel = parse(selector) if selector else None
        with open_sim(cluster) as sim:
            metrics = pod_metrics(sim, ns, sel)
            if name:
                pod = sim.get("Pod", ns or "default", name)
                metrics = [m for m in metrics if m["metadata"]["name"] == name]
                candidates = [pod]
            else:
                candidates = sim.list("Pod", ns, label_selector=sel) if not metrics else []
            now = sim.now()
        if not metrics:
            for pod in candidates:  # verifyEmptyMetrics / checkPodAge
                age = now - parse_rfc3339(pod["metadata"]["creationTimestamp"])
                if age > METRICS_CREATION_DELAY:
                    meta = pod["metadata"]
                    where = f"{meta.get('namespace')}/{meta['name']}"
                    age_text = go_duration(round(age, 3))
                    raise KapplyError(f"Metrics not available for pod {where}, age: {age_text}")
            if candidates:
                raise KapplyError("metrics not available yet")
            sys.stderr.write("No resources found\n" if all_namespaces else
                             f"No resources found in {ns} namespace.\n")
            return
        sys.stdout.write(print_pods(metrics, containers, all_namespaces, no_headers, sort_by, total))


@top_app.command("node")
@top_app.command("nodes")
def nodes(
    name: str | None = typer.Argument(None, help="One node."),
    selector: str | None = options.SELECTOR,
    sort_by: str = typer.Option("", "--sort-by", help="cpu or memory."),
    no_headers: bool = typer.Option(False, "--no-headers", help="Print output without headers."),
    cluster: str = options.CLUSTER,
) -> None:
    """Display resource usage of nodes."""
    with handle_errors():
        from kapply.cli.kubectl import open_sim
        from kapply.cli.printers.top import print_nodes
        from kapply.cluster.sim.metricsapi import node_metrics
        from kapply.errors import KapplyError
        from kapply.model.selectors import parse

        _sort(sort_by)
        with open_sim(cluster) as sim:
            if name:
                sim.get("Node", "", name)
            metrics, all_nodes = node_metrics(sim, parse(selector) if selector else None)
        if name:
            metrics = [m for m in metrics if m["metadata"]["name"] == name]
            all_nodes = [n for n in all_nodes if n["metadata"]["name"] == name]
        if not metrics:
            raise KapplyError("metrics not available yet")
        sys.stdout.write(print_nodes(metrics, all_nodes, no_headers, sort_by))
