"""The embedded cluster's metrics.k8s.io API: PodMetrics and NodeMetrics as metrics-server
serves them (`metrics.py` computes them), read in one session so every figure is of one instant.
`kapply top` reads these; so can anything that serves the metrics API over HTTP."""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.metrics import MetricsSource
from kapply.model.selectors import Selector

Obj = dict[str, Any]


def pod_metrics(cluster: Any, namespace: str | None, selector: Selector | None = None) -> list[Obj]:
    """PodMetrics of the measured pods (all namespaces when `namespace` is None)."""
    with cluster.session() as rt:
        return MetricsSource(rt.api, rt.api.settings, rt.now).pod_metrics(namespace, selector)


def node_metrics(cluster: Any, selector: Selector | None = None) -> tuple[list[Obj], list[Obj]]:
    """(NodeMetrics of the Ready nodes, every selected Node) - `top nodes` prints both."""
    with cluster.session() as rt:
        nodes = [n for n in rt.api.list("Node")
                 if selector is None or selector.matches(n["metadata"].get("labels"))]
        return MetricsSource(rt.api, rt.api.settings, rt.now).node_metrics(nodes), nodes
