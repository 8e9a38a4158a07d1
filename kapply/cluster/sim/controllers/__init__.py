"""The embedded cluster's controllers (kube-controller-manager's, one module or package each) and
what they act on. The list the runtime runs is `catalog.CONTROLLERS` (classes, imported when a
session needs them); the shared machinery they use lives beside them in `kapply.cluster.sim`
(the pod status machine, fit, taints, the ref manager: `kapply.cluster.sim.workload`).
"""

from __future__ import annotations

# Kinds with a status that these controllers write (SimCluster.acts_on); the other kinds with a
# status subresource are stored as an API server stores them, and `apply --wait` says so.
ACTS_ON: frozenset[str] = frozenset({
    "Pod", "Node", "Namespace", "Service", "ReplicaSet", "ReplicationController", "Deployment",
    "StatefulSet", "DaemonSet", "Job", "CronJob", "HorizontalPodAutoscaler",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "PodDisruptionBudget",
})
