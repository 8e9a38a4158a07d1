"""The API server's reconciler of its own `kubernetes` Service (pkg/controlplane/controller).

kube-apiserver keeps `default/kubernetes` (ClusterIP 10.96.0.1, port 443), its Endpoints and its
EndpointSlice (the API server's address) in place, checking every 10 s: `kubectl delete svc --all`
deletes it and it is back moments later. Here a deletion of either arms one timer 10 s later that re-creates
what is missing, so an idle cluster pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context
from kapply.cluster.sim.services import (
    KUBERNETES_SERVICE,
    make_kubernetes_endpoints,
    make_kubernetes_endpointslice,
    make_kubernetes_service,
)

INTERVAL = 10.0  # seconds: the API server's EndpointInterval
DELETED = "deleted"
RECONCILE = "reconcile"
DEFAULT_NODE_IP = "192.168.49.2"


class KubernetesServiceController:
    """Re-creates the `kubernetes` Service and its Endpoints after they are deleted."""

    name = "kubernetesservice"

    def watches(self, change: Change) -> Iterable[str]:
        if change.type == "DELETED" and change.kind in ("Service", "Endpoints", "EndpointSlice") and \
                (change.namespace, change.name) == KUBERNETES_SERVICE:
            return (DELETED,)
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key == DELETED:
            ctx.requeue_after(INTERVAL, RECONCILE)
            return
        namespace, name = KUBERNETES_SERVICE
        if ctx.get("Service", namespace, name) is None:
            ctx.create(make_kubernetes_service(ctx.settings))
        if ctx.get("Endpoints", namespace, name) is None:
            ctx.create(make_kubernetes_endpoints(_api_server_ip(ctx)))
        if ctx.get("EndpointSlice", namespace, name) is None:
            ctx.create(make_kubernetes_endpointslice(_api_server_ip(ctx)))


def _api_server_ip(ctx: Context) -> str:
    """The InternalIP of the control-plane node (the first node), where the API server listens."""
    nodes = sorted(ctx.list("Node"), key=lambda n: "node-role.kubernetes.io/control-plane" not in
                   ((n.get("metadata") or {}).get("labels") or {}))
    for node in nodes[:1]:
        for address in (node.get("status") or {}).get("addresses") or ():
            if address.get("type") == "InternalIP":
                return str(address.get("address"))
    return DEFAULT_NODE_IP
