"""Node objects of the embedded cluster, shaped like a minikube multi-node cluster.

`create_cluster` and `kapply node add` call `make_nodes`; everything else about nodes
(heartbeats, taints, conditions) belongs to `controllers/nodelifecycle.py`. Names follow
minikube (`minikube`, `minikube-m02`, ...), internal IPs count up from 192.168.49.2 and every
node owns one /24 of the pod CIDR (`10.244.<index>.0/24`), which the kubelet hands out pod IPs
from.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import time
from typing import Any

from kapply.cluster.sim.settings import ClusterSettings
from kapply.errors import UsageError
from kapply.model.quantity import format_bytes, format_millicores, millicores, to_bytes

FIRST_NODE_IP = ipaddress.IPv4Address("192.168.49.2")
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
HEARTBEAT_ANNOTATION = "kapply.io/heartbeat-stopped"  # value: RFC3339 time the kubelet stopped
# Kubernetes' documented ceiling ("Considerations for large clusters": no more than 5,000 nodes);
# `cluster create --nodes` and `node add` stop there.
MAX_NODES = 5000


def check_node_count(count: int, flag: str = "--nodes") -> None:
    """UsageError unless 0 <= count <= MAX_NODES."""
    if not 0 <= count <= MAX_NODES:
        raise UsageError(f"invalid {flag} {count}: must be between 0 and {MAX_NODES} (Kubernetes supports "
                         f"clusters of up to {MAX_NODES:,} nodes)")


def node_name(index: int) -> str:
    """minikube's naming: the first node is `minikube`, then `minikube-m02`, `minikube-m03`..."""
    return "minikube" if index == 0 else f"minikube-m{index + 1:02d}"


def node_index(name: str) -> int | None:
    """Inverse of `node_name` (None for names kapply did not make)."""
    if name == "minikube":
        return 0
    prefix, _, number = name.rpartition("-m")
    if prefix == "minikube" and number.isdigit() and int(number) >= 2:
        return int(number) - 1
    return None


def node_ip(index: int) -> str:
    return str(FIRST_NODE_IP + index)


def pod_cidr(settings: ClusterSettings, index: int) -> str:
    """The /24 of the cluster pod CIDR owned by node `index` (10.244.<index>.0/24)."""
    network = ipaddress.IPv4Network(settings.pod_cidr, strict=False)
    return str(ipaddress.IPv4Network((int(network.network_address) + index * 256, 24)))


def rfc3339(epoch: float) -> str:
    """Epoch seconds -> `2026-01-02T03:04:05Z` (whole seconds, as metav1.Time serialises)."""
    return _rfc3339(int(epoch))


@functools.lru_cache(maxsize=1024)
def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()


def ready_conditions(now: float | None, ready: bool = True) -> list[dict[str, Any]]:
    """The four conditions a healthy kubelet posts (or, ready=False, the node controller's Unknown)."""
    healthy = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    conditions = []
    for type_, status, reason, message in healthy:
        cond: dict[str, Any] = {"type": type_, "status": status, "reason": reason, "message": message}
        if not ready:
            cond.update(status="Unknown", reason="NodeStatusUnknown",
                        message="Kubelet stopped posting node status.")
        if now is not None:
            cond["lastHeartbeatTime"] = rfc3339(now)
            cond["lastTransitionTime"] = rfc3339(now)
        conditions.append(cond)
    return conditions


def make_node(settings: ClusterSettings, index: int, cpu: str | None = None, memory: str | None = None,
              pods: int | None = None, now: float | None = None) -> dict[str, Any]:
    """One Node as the kubelet registers it; size defaults to the cluster settings."""
    name = node_name(index)
    resources = {
        "cpu": format_millicores(millicores(cpu if cpu is not None else settings.cpu)),
        "ephemeral-storage": "17734596Ki",
        "hugepages-2Mi": "0",
        "memory": format_bytes(to_bytes(memory if memory is not None else settings.memory)),
        "pods": str(pods if pods is not None else settings.pods),
    }
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "minikube.k8s.io/name": "minikube",
        "minikube.k8s.io/primary": "true" if index == 0 else "false",
    }
    if index == 0:
        labels[CONTROL_PLANE_LABEL] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    cidr = pod_cidr(settings, index)
    ident = _digest("node", settings.seed, name)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": node_ip(index)},
                          {"type": "Hostname", "address": name}],
            "allocatable": dict(resources),
            "capacity": dict(resources),
            "conditions": ready_conditions(now),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": f"{ident[:8]}-{ident[8:12]}-{ident[12:16]}-{ident[16:20]}-{ident[20:32]}",
                "containerRuntimeVersion": "docker://28.4.0",
                "kernelVersion": "6.8.0-1029-gcp",
                "kubeProxyVersion": "",
                "kubeletVersion": settings.kubernetes_version,
                "machineID": ident[32:64],
                "operatingSystem": "linux",
                "osImage": "Ubuntu 22.04.5 LTS",
                "systemUUID": ident[:32],
            },
        },
    }


def make_nodes(settings: ClusterSettings, start_index: int = 0, count: int | None = None,
               now: float | None = None) -> list[dict[str, Any]]:
    """`count` (default settings.nodes) Node objects numbered from `start_index`."""
    total = settings.nodes if count is None else count
    return [make_node(settings, i, now=now) for i in range(start_index, start_index + total)]
