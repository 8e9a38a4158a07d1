"""`kapply describe` pages, one pure function per kind: (obj, related, events, now) -> str.

`related` maps a kind to the objects a describer needs besides the object itself (a
Deployment's ReplicaSets, a Node's Pods, a Service's Endpoints); `RELATED` says which kinds each
describer wants, so the command fetches exactly those. `events` is None to leave the Events
section out (kubectl's `--show-events=false`). Kinds without a describer get the generic one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from kapply.cli.printers.describe.autoscaling import describe_horizontal_pod_autoscaler
from kapply.cli.printers.describe.batch import describe_cron_job, describe_job
from kapply.cli.printers.describe.config import (
    describe_config_map,
    describe_namespace,
    describe_secret,
    describe_service_account,
)
from kapply.cli.printers.describe.generic import describe_generic
from kapply.cli.printers.describe.network import describe_endpoints, describe_service
from kapply.cli.printers.describe.nodes import describe_node
from kapply.cli.printers.describe.pods import describe_pod
from kapply.cli.printers.describe.storage import (
    describe_persistent_volume,
    describe_persistent_volume_claim,
    describe_storage_class,
)
from kapply.cli.printers.describe.workloads import (
    describe_daemon_set,
    describe_deployment,
    describe_replica_set,
    describe_replication_controller,
    describe_stateful_set,
)
from kapply.cli.printers.describe.writer import Obj

Describer = Callable[[Obj, Mapping[str, Sequence[Obj]], Sequence[Obj] | None, float], str]

DESCRIBERS: dict[str, Describer] = {
    "Pod": describe_pod,
    "Deployment": describe_deployment,
    "ReplicaSet": describe_replica_set,
    "ReplicationController": describe_replication_controller,
    "StatefulSet": describe_stateful_set,
    "DaemonSet": describe_daemon_set,
    "Job": describe_job,
    "CronJob": describe_cron_job,
    "Service": describe_service,
    "Endpoints": describe_endpoints,
    "Node": describe_node,
    "Namespace": describe_namespace,
    "ConfigMap": describe_config_map,
    "Secret": describe_secret,
    "ServiceAccount": describe_service_account,
    "HorizontalPodAutoscaler": describe_horizontal_pod_autoscaler,
    "PersistentVolumeClaim": describe_persistent_volume_claim,
    "PersistentVolume": describe_persistent_volume,
    "StorageClass": describe_storage_class,
}

# kind -> (related kind, scope): "namespace" = the object's namespace, "named" = the object's name
# in its namespace (a Service's Endpoints), "node" = every namespace's objects on the node,
# "node-lease" = the kube-node-lease namespace, "self" = the namespace the object is.
RELATED: dict[str, tuple[tuple[str, str], ...]] = {
    "Deployment": (("ReplicaSet", "namespace"),),
    "ReplicaSet": (("Pod", "namespace"),),
    "ReplicationController": (("Pod", "namespace"),),
    "StatefulSet": (("Pod", "namespace"),),
    "DaemonSet": (("Pod", "namespace"),),
    "Service": (("Endpoints", "named"),),
    "Node": (("Pod", "node"), ("Lease", "node-lease")),
    "Namespace": (("ResourceQuota", "self"), ("LimitRange", "self")),
    "ServiceAccount": (("Secret", "namespace"),),
    "PersistentVolumeClaim": (("Pod", "namespace"),),
}

# kubectl's describers that print no Events section.
NO_EVENTS = frozenset({"Namespace", "Secret"})


def describe(obj: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None, now: float) -> str:
    """The `kubectl describe` page of one object."""
    kind = str(obj.get("kind", ""))
    describer = DESCRIBERS.get(kind, describe_generic)
    return describer(obj, related, None if kind in NO_EVENTS else events, now)


__all__ = ["DESCRIBERS", "RELATED", "describe"]
