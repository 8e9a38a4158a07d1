"""Per-cluster settings of the embedded cluster, persisted with its state.

Defaults are realistic (minikube-like timings) so `get pods` right after `apply` shows
ContainerCreating and, a couple of seconds later, Running.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class ClusterSettings:
    nodes: int = 1
    cpu: str = "4"  # per node
    memory: str = "8Gi"  # per node
    pods: int = 110  # per node
    pod_startup: float = 2.0  # seconds from scheduled to containers running
    image_pull: float = 0.0  # extra seconds when the image is pulled
    node_grace: float = 50.0  # node-monitor-grace-period
    eviction_timeout: float = 300.0  # default tolerationSeconds for not-ready/unreachable
    lb_pool: str = ""  # "192.168.49.100-192.168.49.120"; empty: LoadBalancers stay <pending>
    pod_cidr: str = "10.244.0.0/16"
    service_cidr: str = "10.96.0.0/12"
    node_port_range: str = "30000-32767"
    kubernetes_version: str = "v1.34.0"
    manual_clock: bool = False  # time moves only with `cluster advance` (tests, demos)
    seed: int = 0
    # image -> {"reason": "ErrImagePull" | "CrashLoopBackOff"}; set by `kapply image fail|ok`
    image_faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    # image -> {"duration": seconds, "exitCode": n}; set by `kapply image run`
    image_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    job_duration: float = 5.0  # seconds a Job's containers run (and exit 0) without an image run setting
    # "Kind/namespace/name" -> {"cpu": "400m", "memory": "256Mi", "total": bool}; `kapply load set`
    loads: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics_resolution: float = 15.0  # metrics-server: a pod's usage is known one window after it starts
    # kube-controller-manager's --horizontal-pod-autoscaler-* flags
    hpa_sync_period: float = 15.0
    hpa_tolerance: float = 0.1
    hpa_downscale_stabilization: float = 300.0
    hpa_cpu_initialization_period: float = 300.0
    hpa_initial_readiness_delay: float = 30.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClusterSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
