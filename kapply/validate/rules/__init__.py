"""Semantic rules: what the API server rejects that a JSON Schema cannot express.

`check(obj)` runs the metadata rules on every object and the kind's own rules (chosen by apiVersion
group and kind) on the kinds Kubernetes validates specially; unknown kinds get the metadata rules
only. Rules are pure and position-free: the validate pipeline attaches file positions, and the
embedded cluster's API server calls the same `check` for admission. Messages and field paths are
Kubernetes' own (see `findings` for how values are rendered). Both reach `check` through
`kapply.validate.accepted.check_object` only, so a rule never meets a value of the wrong type: an
object the schema finds ill-typed is not checked at all (as the API server stops at decoding),
and the others arrive decoded (no nulls, integral floats as ints).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kapply.validate.rules import batch, config, crds, networking, scaling, services, sets, storage, workloads
from kapply.validate.rules.findings import Errors, Finding, Key, field_string, render_value
from kapply.validate.rules.metadata import check_object_meta

__all__ = ["RULES", "Finding", "Key", "check", "field_string", "render_value", "rule_ids"]

KindCheck = Callable[[dict[str, Any], Errors], None]

# (API group, kind) -> the kind's own rules.
_KIND_CHECKS: dict[tuple[str, str], KindCheck] = {
    ("apps", "Deployment"): workloads.check_deployment,
    ("apps", "ReplicaSet"): workloads.check_replica_set,
    ("apps", "StatefulSet"): sets.check_stateful_set,
    ("apps", "DaemonSet"): sets.check_daemon_set,
    ("", "ReplicationController"): workloads.check_replication_controller,
    ("", "Pod"): workloads.check_pod,
    ("", "PodTemplate"): workloads.check_pod_template_object,
    ("batch", "Job"): batch.check_job,
    ("batch", "CronJob"): batch.check_cron_job,
    ("", "Service"): services.check_service,
    ("", "ConfigMap"): config.check_config_map,
    ("", "Secret"): config.check_secret,
    ("", "PersistentVolumeClaim"): storage.check_pvc,
    ("networking.k8s.io", "Ingress"): networking.check_ingress,
    ("autoscaling", "HorizontalPodAutoscaler"): scaling.check_hpa,
    ("policy", "PodDisruptionBudget"): scaling.check_pdb,
    ("networking.k8s.io", "NetworkPolicy"): networking.check_network_policy,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): crds.check_crd,
}

# Every stable rule id with a one-line description (for docs and `--help`).
RULES: dict[str, str] = {
    "name-required": "metadata.name (or generateName) is required",
    "name-format": "name/generateName format per kind (DNS-1123 subdomain or label, DNS-1035 label)",
    "namespace-format": "metadata.namespace is a DNS-1123 label",
    "label-key": "label keys are qualified names (optional DNS subdomain prefix, name part <= 63)",
    "label-value": "label values are <= 63 characters of [A-Za-z0-9._-], alphanumeric at both ends",
    "annotation-key": "annotation keys are qualified names",
    "annotation-size": "annotations total at most 256 KiB",
    "selector-required": "workloads need a selector",
    "selector-empty": "a workload's selector may not be empty",
    "selector-requirement": "matchExpressions operators and values are consistent",
    "selector-invalid": "the selector must be a valid label selector",
    "selector-mismatch": "the selector must match the pod template's labels",
    "template-required": "a ReplicationController needs a pod template",
    "template-restart-policy": "pod templates of apps controllers and RCs restart Always",
    "job-restart-policy": "pod templates of Jobs restart OnFailure or Never",
    "job-counts": "parallelism, completions, activeDeadlineSeconds and backoffLimit are >= 0",
    "job-completion-mode": "completionMode is NonIndexed or Indexed",
    "job-selector": "a CronJob's job template has no selector and no manualSelector",
    "pvc-retention-policy": "persistentVolumeClaimRetentionPolicy values are Retain or Delete",
    "ordinals-start": "a StatefulSet's ordinals.start >= 0",
    "update-strategy": "StatefulSet/DaemonSet updateStrategy type and rollingUpdate are consistent",
    "template-generation": "a DaemonSet's templateGeneration >= 0",
    "cronjob-name-length": "CronJob names are at most 52 characters",
    "cronjob-concurrency-policy": "concurrencyPolicy is Allow, Forbid or Replace",
    "cronjob-schedule": "a CronJob's schedule parses as cron does (five fields or a descriptor, no TZ=)",
    "cronjob-time-zone": "a CronJob's timeZone names an IANA time zone",
    "replicas-range": "replicas >= 0",
    "min-ready-seconds": "minReadySeconds >= 0",
    "revision-history-limit": "revisionHistoryLimit >= 0",
    "progress-deadline": "progressDeadlineSeconds > minReadySeconds",
    "rolling-update-value": "maxSurge/maxUnavailable are ints >= 0 or 'N%'",
    "rolling-update-zero": "maxSurge and maxUnavailable are not both 0",
    "rolling-update-percent": "maxUnavailable is at most 100%",
    "recreate-rolling-update": "rollingUpdate may not be set with the Recreate strategy",
    "strategy-type": "strategy type is Recreate or RollingUpdate",
    "pod-management-policy": "a StatefulSet's podManagementPolicy is OrderedReady or Parallel",
    "active-deadline": "activeDeadlineSeconds is in range, and absent from controller templates",
    "containers-required": "a pod has at least one container",
    "container-name": "container names are required DNS-1123 labels",
    "container-name-duplicate": "container names are unique (init containers included)",
    "container-restart-policy": "only init containers may set restartPolicy, and only to Always",
    "image-required": "every container has an image",
    "port-range": "ports are between 1 and 65535 (containerPort required)",
    "port-name": "port names are IANA service names (<= 15, a letter, no '--')",
    "port-name-duplicate": "container port names are unique",
    "port-protocol": "protocols are TCP, UDP or SCTP",
    "host-port-conflict": "no two containers bind the same protocol/hostIP/hostPort",
    "host-network-port": "with hostNetwork, hostPort equals containerPort",
    "env-name": "environment variable names are printable ASCII without '='",
    "env-value-from": "env valueFrom names exactly one source, not together with value",
    "env-from": "envFrom names exactly one of configMapRef/secretRef, with a valid name",
    "volume-name": "volume names are required DNS-1123 labels",
    "volume-name-duplicate": "volume names are unique",
    "volume-source": "a volume has at most one source (none defaults to emptyDir)",
    "volume-mount": "volume mounts have a name and a unique mountPath",
    "volume-mount-not-found": "volume mounts refer to a volume of the pod",
    "restart-policy": "restartPolicy is Always, OnFailure or Never",
    "dns-policy": "dnsPolicy is ClusterFirstWithHostNet, ClusterFirst, Default or None",
    "pull-policy": "imagePullPolicy is Always, IfNotPresent or Never",
    "termination-message-policy": "terminationMessagePolicy is File or FallbackToLogsOnError",
    "service-account-name": "serviceAccountName is a DNS-1123 subdomain",
    "node-name": "nodeName is a DNS-1123 subdomain",
    "hostname": "hostname and subdomain are DNS-1123 labels",
    "priority-class-name": "priorityClassName is a DNS-1123 subdomain",
    "affinity": "node and pod affinity terms: operators, keys, values, weights 1-100, topologyKey",
    "toleration": "tolerations: qualified key, Equal/Exists operator with matching value, known effect",
    "host-alias": "hostAliases have an IP address and DNS-1123 subdomain hostnames",
    "image-whitespace": "a Pod's image has no leading or trailing whitespace",
    "deprecation": "API server warnings: deprecated labels, annotations, volume plugins, likely mistakes",
    "probe": "probe timings are >= 0; liveness/startup successThreshold is 1",
    "probe-handler": "probes and hooks have exactly one handler",
    "probe-port": "probe ports are 1-65535 or a port name",
    "init-container-probes": "init containers without restartPolicy Always have no probes or lifecycle",
    "resource-name": "unprefixed resource names are cpu, memory, ephemeral-storage or hugepages-*",
    "resource-quantity": "resource quantities parse, are >= 0, and are integers for extended resources",
    "requests-exceed-limits": "requests <= limits (== for extended resources and hugepages)",
    "resource-limit-required": "extended resources need a limit",
    "service-ports-required": "a Service (not headless, not ExternalName) has ports",
    "service-port-name": "service port names are DNS-1123 labels, required when there are several ports",
    "service-port-name-duplicate": "service port names are unique",
    "service-port-duplicate": "service ports are unique per protocol",
    "target-port": "targetPort is 1-65535 or a port name",
    "app-protocol": "appProtocol is a qualified name",
    "node-port-forbidden": "nodePort may not be set on a ClusterIP Service",
    "node-port-range": "nodePort is within 30000-32767",
    "node-port-duplicate": "nodePorts are unique per protocol",
    "external-name": "an ExternalName Service has a DNS-1123 subdomain externalName",
    "cluster-ip": "clusterIP is empty, None or an IP; not None for NodePort/LoadBalancer",
    "external-ip": "externalIPs are IP addresses, not unspecified, loopback or link-local",
    "security-context-id": "runAsUser, runAsGroup and fsGroup are between 0 and 4294967295",
    "service-type": "type is ClusterIP, NodePort, LoadBalancer or ExternalName",
    "session-affinity": "sessionAffinity is ClientIP or None",
    "external-traffic-policy": "externalTrafficPolicy is Cluster or Local, only on reachable Services",
    "pvc-access-modes": "a PersistentVolumeClaim has supported access modes (ReadWriteOncePod alone)",
    "pvc-storage": "a PersistentVolumeClaim requests a positive resources.requests.storage",
    "pvc-volume-mode": "volumeMode is Block or Filesystem",
    "storage-class-name": "storageClassName is a DNS-1123 subdomain",
    "ingress": "Ingress rules: backend or rules, DNS hosts, pathType and absolute paths, one backend port",
    "network-policy": "NetworkPolicy ports, peers and policyTypes",
    "hpa-replicas": "an HPA's minReplicas >= 1 and maxReplicas >= max(1, minReplicas)",
    "hpa-target": "an HPA's scaleTargetRef has a kind and a name",
    "pdb": "a PodDisruptionBudget sets minAvailable or maxUnavailable, an int >= 0 or a percentage <= 100%",
    "config-key": "ConfigMap/Secret keys are [-._a-zA-Z0-9]+, not '.'/'..'-prefixed, <= 253",
    "config-key-duplicate": "a ConfigMap key is not in both data and binaryData",
    "config-size": "ConfigMap/Secret data totals at most 1 MiB",
    "secret-type-keys": "typed Secrets carry the keys their type requires",
    "crd": "a CRD's name, group, names, scope, versions (one storage), printer columns, scale paths",
    "crd-schema": "a CRD version's openAPIV3Schema is structural (typed, object root, valid defaults)",
    "crd-resource": "a custom resource matches its CRD's schema (types, required, enums, bounds, CEL)",
    "crd-cel": "a warning for each CEL rule the embedded cluster cannot evaluate (it passes unchecked)",
}


def rule_ids() -> list[str]:
    """All stable rule ids, sorted."""
    return sorted(RULES)


def check(obj: dict[str, Any]) -> list[Finding]:
    """Every semantic rule applicable to `obj` (chosen by apiVersion group and kind)."""
    if not isinstance(obj, dict):
        return []
    errs = Errors()
    check_object_meta(obj, errs)
    api_version = obj.get("apiVersion")
    group = api_version.rpartition("/")[0] if isinstance(api_version, str) else ""
    kind_check = _KIND_CHECKS.get((group, str(obj.get("kind", ""))))
    if kind_check is not None:
        kind_check(obj, errs)
    return errs.items
