"""The embedded, simulated Kubernetes cluster (SQLite state, virtual clock, controllers).

Entry points: `open_cluster(name)` (creates `default` on first use), `create_cluster`,
`delete_cluster`, `list_clusters`; a `SimCluster` implements `kapply.cluster.protocol.Cluster`.
"""

from __future__ import annotations

from kapply.cluster.sim.cluster import AdvanceResult, SimCluster
from kapply.cluster.sim.home import (
                                     DEFAULT_CLUSTER,
                                     create_cluster,
                                     delete_cluster,
                                     kapply_home,
                                     list_clusters,
                                     open_cluster,
                                     state_path,
)
from kapply.cluster.sim.settings import ClusterSettings

__all__ = [
    "DEFAULT_CLUSTER", "AdvanceResult", "ClusterSettings", "SimCluster", "create_cluster",
    "delete_cluster", "kapply_home", "list_clusters", "open_cluster", "state_path",
]
