"""The controllers of the embedded cluster, in the order the runtime offers them each Change.

Each entry is `module:attribute` naming a controller class (instantiated once per cluster
session) or instance; see `base.py` for the contract. One line per controller: add yours here.
"""

from __future__ import annotations

CONTROLLERS: list[str] = [
    "kapply.cluster.sim.controllers.garbagecollector:GarbageCollector",
    "kapply.cluster.sim.events:EventTTLController",
    "kapply.cluster.sim.controllers.scheduler:Scheduler",
    "kapply.cluster.sim.controllers.kubelet:Kubelet",
    "kapply.cluster.sim.controllers.nodelifecycle:NodeLifecycle",
    "kapply.cluster.sim.controllers.podgc:PodGC",
    "kapply.cluster.sim.controllers.replicaset:ReplicaManager",
    "kapply.cluster.sim.controllers.replicaset:ReplicationManager",
    "kapply.cluster.sim.controllers.deployment.controller:DeploymentController",
    "kapply.cluster.sim.controllers.statefulset.controller:StatefulSetController",
    "kapply.cluster.sim.controllers.daemon.controller:DaemonSetController",
    "kapply.cluster.sim.controllers.job.controller:JobController",
    "kapply.cluster.sim.controllers.cronjob.controller:CronJobController",
    "kapply.cluster.sim.controllers.hpa.controller:HorizontalController",
    "kapply.cluster.sim.controllers.persistentvolume:PersistentVolumeController",
    "kapply.cluster.sim.controllers.hostpathprovisioner:HostPathProvisioner",
    "kapply.cluster.sim.controllers.volumeprotection:VolumeProtectionController",
    "kapply.cluster.sim.controllers.endpoints:EndpointsController",
    "kapply.cluster.sim.controllers.endpointslices:EndpointSliceController",
    "kapply.cluster.sim.controllers.loadbalancer:LoadBalancerController",
    "kapply.cluster.sim.controllers.kubernetesservice:KubernetesServiceController",
    "kapply.cluster.sim.crd.controllers:NamingController",
    "kapply.cluster.sim.crd.controllers:EstablishingController",
    "kapply.cluster.sim.crd.controllers:CRDFinalizer",
]

# Kinds with a status that these controllers write (SimCluster.acts_on); the other kinds with a
# status subresource are stored as an API server stores them, and `apply --wait` says so.
ACTS_ON: frozenset[str] = frozenset({
    "Pod", "Node", "Namespace", "Service", "ReplicaSet", "ReplicationController", "Deployment",
    "StatefulSet", "DaemonSet", "Job", "CronJob", "HorizontalPodAutoscaler",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
})
