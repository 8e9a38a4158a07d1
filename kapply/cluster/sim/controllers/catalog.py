"""The controllers of the embedded cluster, in the order the runtime offers them each Change.

Each is a class (instantiated once per cluster session; see `base.py` for the contract). This
module imports them all, so it is imported only when a session builds its runtime (`SimCluster`),
never by a read-only command. One line per controller: add yours here.
"""

from __future__ import annotations

from kapply.cluster.sim.controllers.cronjob.controller import CronJobController
from kapply.cluster.sim.controllers.daemon.controller import DaemonSetController
from kapply.cluster.sim.controllers.deployment.controller import DeploymentController
from kapply.cluster.sim.controllers.disruption import DisruptionController
from kapply.cluster.sim.controllers.endpoints import EndpointsController
from kapply.cluster.sim.controllers.endpointslices import EndpointSliceController
from kapply.cluster.sim.controllers.garbagecollector import GarbageCollector
from kapply.cluster.sim.controllers.hostpathprovisioner import HostPathProvisioner
from kapply.cluster.sim.controllers.hpa.controller import HorizontalController
from kapply.cluster.sim.controllers.job.controller import JobController
from kapply.cluster.sim.controllers.kubelet import Kubelet
from kapply.cluster.sim.controllers.kubernetesservice import KubernetesServiceController
from kapply.cluster.sim.controllers.loadbalancer import LoadBalancerController
from kapply.cluster.sim.controllers.nodelifecycle import NodeLifecycle
from kapply.cluster.sim.controllers.persistentvolume import PersistentVolumeController
from kapply.cluster.sim.controllers.podgc import PodGC
from kapply.cluster.sim.controllers.replicaset import ReplicaManager, ReplicationManager
from kapply.cluster.sim.controllers.scheduler import Scheduler
from kapply.cluster.sim.controllers.statefulset.controller import StatefulSetController
from kapply.cluster.sim.controllers.volumeprotection import VolumeProtectionController
from kapply.cluster.sim.crd.controllers import CRDFinalizer, EstablishingController, NamingController
from kapply.cluster.sim.events import EventTTLController

CONTROLLERS: list[type] = [
    GarbageCollector,
    EventTTLController,
    Scheduler,
    Kubelet,
    NodeLifecycle,
    PodGC,
    ReplicaManager,
    ReplicationManager,
    DeploymentController,
    StatefulSetController,
    DaemonSetController,
    JobController,
    CronJobController,
    HorizontalController,
    PersistentVolumeController,
    HostPathProvisioner,
    VolumeProtectionController,
    DisruptionController,
    EndpointsController,
    EndpointSliceController,
    LoadBalancerController,
    KubernetesServiceController,
    NamingController,
    EstablishingController,
    CRDFinalizer,
]
