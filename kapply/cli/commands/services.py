"""`kapply service url NAME`: where a Service is reachable, as `minikube service --url` prints it.

One URL per service port: `http://NODE-IP:NODEPORT` for NodePort (and for a LoadBalancer still
`<pending>`), `http://LB-IP:PORT` once the pool assigned one, `http://CLUSTER-IP:PORT` for a
ClusterIP Service (with a note on stderr that it only answers inside the cluster), the external
name for ExternalName. Then the pods backing it right now, read from its Endpoints (what the
cluster would route to): name, IP, node, ready. URLs go to stdout first so `| head -1` scripts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import typer

from kapply.cli import options
from kapply.cli.exits import handle_errors

Obj = dict[str, Any]


def node_ip(nodes: Iterable[Obj]) -> str | None:
    """The InternalIP of a node to reach NodePorts on: Ready first, the control plane first, by name."""
    def internal(node: Obj) -> str | None:
        for address in (node.get("status") or {}).get("addresses") or ():
            if address.get("type") == "InternalIP":
                return str(address.get("address"))
        return None

    def ready(node: Obj) -> bool:
        return any(c.get("type") == "Ready" and c.get("status") == "True"
                   for c in (node.get("status") or {}).get("conditions") or ())

    def control_plane(node: Obj) -> bool:
        return "node-role.kubernetes.io/control-plane" in (node.get("metadata", {}).get("labels") or {})

    ordered = sorted(nodes, key=lambda n: (not ready(n), not control_plane(n),
                                           n.get("metadata", {}).get("name", "")))
    for node in ordered:
        ip = internal(node)
        if ip:
            return ip
    return None


def service_urls(svc: Obj, node_address: str | None) -> tuple[list[str], str | None]:
    """(URLs, a note for stderr or None) for a Service."""
    spec = svc.get("spec") or {}
    name = svc.get("metadata", {}).get("name", "")
    kind = spec.get("type") or "ClusterIP"
    ports = spec.get("ports") or []
    if kind == "ExternalName":
        note = f'service "{name}" is an alias (ExternalName): no proxy, no endpoints'
        return [str(spec.get("externalName", ""))], note
    ingress = [i.get("ip") or i.get("hostname") for i in
               ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ()]
    if kind == "LoadBalancer" and ingress and ingress[0]:
        return [f"http://{ingress[0]}:{p['port']}" for p in ports], None
    if kind in ("NodePort", "LoadBalancer"):
        with_node_port = [p for p in ports if p.get("nodePort")]
        if node_address is None:
            return [], f'service "{name}": no node with an internal IP to reach its NodePort on'
        note = (f'service "{name}": load balancer IP still <pending>; reachable on the node port'
                if kind == "LoadBalancer" else None)
        return [f"http://{node_address}:{p['nodePort']}" for p in with_node_port], note
    cluster_ip = spec.get("clusterIP")
    if not cluster_ip or cluster_ip == "None":
        return [], f'service "{name}" is headless (clusterIP: None): clients reach its pods directly'
    return ([f"http://{cluster_ip}:{p['port']}" for p in ports],
            f'service "{name}" is of type ClusterIP: reachable only from inside the cluster')


def backing_pods(endpoints: Obj | None) -> list[tuple[str, str, str, bool]]:
    """(pod name, IP, node, ready) of every address in the Service's Endpoints, by name then IP."""
    rows: dict[tuple[str, str], tuple[str, str, str, bool]] = {}
    for subset in (endpoints or {}).get("subsets") or ():
        for field, ready in (("notReadyAddresses", False), ("addresses", True)):
            for address in subset.get(field) or ():
                name = (address.get("targetRef") or {}).get("name") or "-"
                ip = str(address.get("ip", ""))
                previous = rows.get((name, ip))
                rows[(name, ip)] = (name, ip, str(address.get("nodeName") or "-"),
                                    ready or bool(previous and previous[3]))
    return sorted(rows.values())


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns as kubectl aligns them: left-aligned, three spaces apart."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["   ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [headers, *rows]]
    return "\n".join(lines)


def describe_backing(svc: Obj, endpoints: Obj | None) -> str:
    """The 'which pods back it' block printed after the URLs."""
    name = svc.get("metadata", {}).get("name", "")
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return ""
    rows = backing_pods(endpoints)
    if not rows:
        if not spec.get("selector") and endpoints is None:
            return f'service "{name}" has no selector and no Endpoints: nothing backs it'
        return f'no pods back service "{name}" yet'
    ready = sum(1 for r in rows if r[3])
    table = render_table(["POD", "IP", "NODE", "READY"],
                         [[r[0], r[1], r[2], "true" if r[3] else "false"] for r in rows])
    return f"{ready}/{len(rows)} backing pods ready:\n{table}"


def register(app: typer.Typer) -> None:
    """Add the `service` command group."""
    service_app = typer.Typer(help="Reach Services of the embedded cluster.", no_args_is_help=True)

    @service_app.command("url")
    def url(
        name: str = typer.Argument(..., help="Service name."),
        namespace: str | None = options.NAMESPACE,
        cluster: str = options.CLUSTER,
    ) -> None:
        """Print where a Service is reachable (as `minikube service --url`) and which pods back it."""
        with handle_errors():
            from kapply.cluster.sim import open_cluster
            from kapply.errors import NotFoundError

            ns = namespace or "default"
            sim = open_cluster(cluster)
            try:
                svc = sim.get("Service", ns, name)
                nodes = sim.list("Node")
                try:
                    endpoints: Obj | None = sim.get("Endpoints", ns, name)
                except NotFoundError:
                    endpoints = None
            finally:
                sim.close()
            urls, note = service_urls(svc, node_ip(nodes))
            for line in urls:
                typer.echo(line)
            if note:
                typer.echo(f"note: {note}", err=True)
            backing = describe_backing(svc, endpoints)
            if backing:
                typer.echo(("\n" if urls else "") + backing)

    app.add_typer(service_app, name="service", help="Reach Services: `service url NAME`.")
