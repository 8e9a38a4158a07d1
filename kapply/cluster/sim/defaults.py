"""Server-side defaulting, as the API server's SetDefaults_* functions do before validation.

Only fields a user would see in `get -o yaml` (and controllers rely on) are defaulted: pod spec
and containers, workload replicas/strategy/history (Jobs and CronJobs included), Service
type/ports, Secret type, Namespace phase.
Each function mutates the object it is given (the API owns that dict).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kapply.cluster.sim.crd.admission import crd_defaults
from kapply.model.shapes import mapping

Obj = dict[str, Any]


def _container(c: Obj) -> None:
    image = str(c.get("image", ""))
    if "imagePullPolicy" not in c:
        tagged = ":" in image.rsplit("/", 1)[-1] or "@" in image
        c["imagePullPolicy"] = "IfNotPresent" if tagged and not image.endswith(":latest") else "Always"
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or ():
        port.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        p = c.get(probe)
        if isinstance(p, dict):
            p.setdefault("timeoutSeconds", 1)
            p.setdefault("periodSeconds", 10)
            p.setdefault("successThreshold", 1)
            p.setdefault("failureThreshold", 3)


def pod_spec(spec: Obj) -> None:
    """SetDefaults_PodSpec and its containers."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for c in (*(spec.get("initContainers") or ()), *(spec.get("containers") or ())):
        if isinstance(c, dict):
            _container(c)


def _template(obj: Obj) -> Obj:
    spec = obj.setdefault("spec", {})
    template = spec.get("template")
    if isinstance(template, dict):
        template.setdefault("metadata", {})
        if isinstance(template.get("spec"), dict):
            pod_spec(template["spec"])
    return spec


def pod(obj: Obj) -> None:
    """Pod defaults."""
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        pod_spec(spec)
        # SetDefaults_Pod and the ServiceAccount admission plugin: Pods only, never templates
        spec.setdefault("enableServiceLinks", True)
        if spec.get("serviceAccountName") or "serviceAccount" not in spec:
            spec.setdefault("serviceAccountName", "default")
        # not-ready/unreachable tolerations: the DefaultTolerationSeconds plugin (tolerations.py)


def deployment(obj: Obj) -> None:
    """SetDefaults_Deployment (apps/v1)."""
    spec = _template(obj)
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)


def replicaset(obj: Obj) -> None:
    """SetDefaults_ReplicaSet."""
    spec = _template(obj)
    spec.setdefault("replicas", 1)


def replication_controller(obj: Obj) -> None:
    """SetDefaults_ReplicationController: selector and labels from the template, replicas 1."""
    spec = _template(obj)
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = obj.setdefault("metadata", {})
        if not meta.get("labels"):
            meta["labels"] = dict(labels)
    spec.setdefault("replicas", 1)


def service(obj: Obj) -> None:
    """SetDefaults_Service (IP and port allocation is the services admission plugin's job)."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    for port in spec.get("ports") or ():
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if spec["type"] != "ExternalName":
                port.setdefault("targetPort", port.get("port"))


def namespace(obj: Obj) -> None:
    """A Namespace carries the `kubernetes` finalizer and starts Active."""
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj["status"] = {"phase": (obj.get("status") or {}).get("phase", "Active")}


def _workload_template(obj: Obj) -> None:
    _template(obj)


def secret(obj: Obj) -> None:
    """SetDefaults_Secret; and `stringData` merged into `data`, base64-encoded, as the API server's
    conversion does (stringData is write-only: it is never stored or read back)."""
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        import base64

        data = mapping(obj, "data")
        obj["data"] = {**data, **{k: base64.b64encode(str(v).encode()).decode()
                                  for k, v in string_data.items()}}


def job(obj: Obj) -> None:
    """SetDefaults_Job (batch/v1); the controller-uid selector comes later (jobselector.py)."""
    spec = _template(obj)
    if "completions" not in spec and "parallelism" not in spec:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 2147483647 if "backoffLimitPerIndex" in spec else 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "Failed" if "podFailurePolicy" in spec else "TerminatingOrFailed")


def cron_job(obj: Obj) -> None:
    """SetDefaults_CronJob, and the defaults of its Job template."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict) and isinstance(job_template.get("spec"), dict):
        _template(job_template)


def stateful_set(obj: Obj) -> None:
    """SetDefaults_StatefulSet (apps/v1)."""
    spec = _template(obj)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    if isinstance(strategy, dict):
        if not strategy.get("type"):
            strategy["type"] = "RollingUpdate"
            strategy.setdefault("rollingUpdate", {})
        if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
            strategy["rollingUpdate"].setdefault("partition", 0)
    retention = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    if isinstance(retention, dict):
        retention.setdefault("whenDeleted", "Retain")
        retention.setdefault("whenScaled", "Retain")
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)


def daemon_set(obj: Obj) -> None:
    """SetDefaults_DaemonSet (apps/v1)."""
    spec = _template(obj)
    strategy = spec.setdefault("updateStrategy", {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = strategy.setdefault("rollingUpdate", {})
            if isinstance(rolling, dict):
                rolling.setdefault("maxUnavailable", 1)
                rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)


def horizontal_pod_autoscaler(obj: Obj) -> None:
    """SetDefaults_HorizontalPodAutoscaler (kapply.model.autoscaling)."""
    from kapply.model.autoscaling import set_defaults

    set_defaults(obj)


def storage_class(obj: Obj) -> None:
    """SetDefaults_StorageClass: Delete, Immediate."""
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def persistent_volume(obj: Obj) -> None:
    """SetDefaults_PersistentVolume: Retain, Filesystem."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")


def persistent_volume_claim(obj: Obj) -> None:
    """SetDefaults_PersistentVolumeClaim: Filesystem."""
    obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")


DEFAULTERS: dict[str, Callable[[Obj], None]] = {
    "Pod": pod,
    "Deployment": deployment,
    "ReplicaSet": replicaset,
    "ReplicationController": replication_controller,
    "Service": service,
    "Namespace": namespace,
    "StatefulSet": stateful_set,
    "DaemonSet": daemon_set,
    "Job": job,
    "CronJob": cron_job,
    "Secret": secret,
    "PodTemplate": _workload_template,
    "HorizontalPodAutoscaler": horizontal_pod_autoscaler,
    "StorageClass": storage_class,
    "PersistentVolume": persistent_volume,
    "PersistentVolumeClaim": persistent_volume_claim,
    "CustomResourceDefinition": crd_defaults,
}


def apply_defaults(kind: str, obj: Obj) -> None:
    """Default `obj` in place for its kind (no-op for kinds without defaults)."""
    fn = DEFAULTERS.get(kind)
    if fn is not None and isinstance(obj.get("spec", {}), dict):
        fn(obj)
