"""The one table of kind facts: names, scope, apply order, and how the API server treats a kind.

Everything that needs to know "is a Service namespaced?", "what does `deploy` mean?", "what goes
first?", "is its status a subresource?", "does a spec change bump its generation?", "where is its
pod template?", "which readiness rule waits for it?" asks this registry instead of testing
`kind == ...`. `tests/model/test_kinds_registry.py` walks it and fails for a kind whose facts
disagree with the tables that act on them (defaulting, printing, readiness, scale, admission
rules); the README's "Adding a kind" lists what a new kind needs. Apply order follows
kubectl/Helm practice (namespaces and identities first, workloads after their configuration,
bare Pods last); pruning walks it in reverse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PrinterColumn:
    """One column `get` prints for a kind (a CRD's additionalPrinterColumns entry)."""

    name: str
    json_path: str
    type: str = "string"  # integer, number, string, boolean, date
    format: str = ""
    description: str = ""
    priority: int = 0  # > 0: only with -o wide


@dataclass(frozen=True)
class ScalePaths:
    """Where a custom resource keeps what its /scale subresource reads and writes."""

    spec_replicas: str  # `.spec.replicas`
    status_replicas: str  # `.status.replicas`
    label_selector: str = ""  # `.status.labelSelector`, optional


@dataclass(frozen=True)
class KindInfo:
    group: str
    version: str  # the preferred version (a CRD's storage version)
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    rank: int = 50
    other_versions: tuple[str, ...] = field(default=())  # further served versions
    categories: tuple[str, ...] = ()  # `all` for what `kubectl get all` lists
    subresources: tuple[str, ...] = ()  # `status`, `scale` (and a Pod's `log`, `eviction`)
    custom: bool = False  # defined by a CustomResourceDefinition, not built in
    printer_columns: tuple[PrinterColumn, ...] = ()  # a CRD's additionalPrinterColumns (custom kinds)
    scale: ScalePaths | None = None  # a custom kind's scale subresource paths
    singular_name: str = ""  # a CRD's names.singular when it is not the lower-cased kind
    generation: bool = False  # spec changes bump metadata.generation (custom resources: always)
    resets_status: bool = False  # create clears a status sent with the object (PrepareForCreate)
    pod_template: str = ""  # dotted path of the kind's PodTemplateSpec (`spec.template`), if any
    readiness: str = "exists"  # the rule `apply --wait` uses (kapply.apply.readiness.RULES)
    defaults: bool = False  # the API server defaults fields of it (kapply.cluster.sim.defaults)
    # How `get` prints it: "columns" (its own, kapply.model.columns), "default" (the API server's
    # default table: NAME, CREATED AT), "generic" (NAME, AGE: kubectl has columns kapply lacks).
    printer: str = "generic"

    @property
    def status(self) -> bool:
        """Whether its status is a subresource (the main endpoint keeps it, /status writes it)."""
        return "status" in self.subresources

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def versions(self) -> tuple[str, ...]:
        """Every served version, the preferred one first."""
        return (self.version, *self.other_versions)

    @property
    def singular(self) -> str:
        return self.singular_name or self.kind.lower()

    @property
    def resource(self) -> str:
        """`deployments.apps`, `services`: the fully qualified resource name."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def _k(group: str, version: str, kind: str, plural: str, namespaced: bool = True,
       short: tuple[str, ...] = (), rank: int = 50, other: tuple[str, ...] = (), *,
       subresources: tuple[str, ...] = (), all_: bool = False, generation: bool = False,
       resets_status: bool = False, template: str = "", readiness: str = "exists",
       defaults: bool = False, printer: str = "columns") -> KindInfo:
    return KindInfo(group, version, kind, plural, namespaced, short, rank, other,
                    categories=("all",) if all_ else (), subresources=subresources, generation=generation,
                    resets_status=resets_status, pod_template=template, readiness=readiness,
                    defaults=defaults, printer=printer)


ST = ("status",)
SCALED = ("scale", "status")


# rank: lower is applied first. Gaps leave room for new kinds.
_KINDS: tuple[KindInfo, ...] = (
    _k("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False,
       ("crd", "crds"), 1, subresources=ST, generation=True, readiness="kstatus", defaults=True,
       printer="default"),
    _k("", "v1", "Namespace", "namespaces", False, ("ns",), 2, subresources=ST, defaults=True),
    _k("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False, ("pc",), 3, printer="generic"),
    _k("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",), 30, subresources=ST,
       generation=True, printer="generic"),
    _k("", "v1", "ResourceQuota", "resourcequotas", True, ("quota",), 4, subresources=ST, printer="generic"),
    _k("", "v1", "LimitRange", "limitranges", True, ("limits",), 5, printer="generic"),
    _k("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",), 6),
    _k("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False, (), 7, printer="default"),
    _k("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False, (), 8,
       printer="generic"),
    _k("rbac.authorization.k8s.io", "v1", "Role", "roles", True, (), 9, printer="default"),
    _k("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True, (), 10, printer="generic"),
    _k("", "v1", "Secret", "secrets", True, (), 11, defaults=True),
    _k("", "v1", "ConfigMap", "configmaps", True, ("cm",), 12),
    _k("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",), 13, defaults=True),
    _k("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",), 14, subresources=ST, defaults=True),
    _k("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",), 15, subresources=ST,
       readiness="kstatus", defaults=True),
    _k("", "v1", "Service", "services", True, ("svc",), 20, subresources=ST, all_=True, resets_status=True,
       defaults=True),
    _k("", "v1", "Endpoints", "endpoints", True, ("ep",), 21),
    _k("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True, (), 22),
    _k("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False, (), 23, printer="generic"),
    _k("networking.k8s.io", "v1", "Ingress", "ingresses", True, ("ing",), 24, subresources=ST,
       generation=True),
    _k("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True, ("netpol",), 25, generation=True,
       printer="generic"),
    _k("", "v1", "ReplicationController", "replicationcontrollers", True, ("rc",), 40, subresources=SCALED,
       all_=True, generation=True, resets_status=True, template="spec.template", readiness="replicas",
       defaults=True),
    _k("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",), 41, subresources=SCALED, all_=True,
       generation=True, resets_status=True, template="spec.template", readiness="replicas", defaults=True),
    _k("apps", "v1", "Deployment", "deployments", True, ("deploy",), 42, subresources=SCALED, all_=True,
       generation=True, resets_status=True, template="spec.template", readiness="rollout", defaults=True),
    _k("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",), 43, subresources=SCALED, all_=True,
       generation=True, resets_status=True, template="spec.template", readiness="kstatus", defaults=True),
    _k("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",), 44, subresources=ST, all_=True,
       generation=True, resets_status=True, template="spec.template", readiness="kstatus", defaults=True),
    _k("apps", "v1", "ControllerRevision", "controllerrevisions", True, (), 45, printer="generic"),
    _k("batch", "v1", "Job", "jobs", True, (), 46, subresources=ST, all_=True, generation=True,
       resets_status=True, template="spec.template", readiness="kstatus", defaults=True),
    _k("batch", "v1", "CronJob", "cronjobs", True, ("cj",), 47, subresources=ST, all_=True, generation=True,
       template="spec.jobTemplate.spec.template", readiness="kstatus", defaults=True),
    _k("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ("hpa",), 48,
       ("v1",), subresources=ST, all_=True, generation=True, readiness="kstatus", defaults=True),
    _k("", "v1", "Pod", "pods", True, ("po",), 60, subresources=("eviction", "log", "status"), all_=True,
       generation=True, readiness="pod", defaults=True),
    _k("", "v1", "PodTemplate", "podtemplates", True, (), 59, template="template", defaults=True,
       printer="generic"),
    _k("", "v1", "Node", "nodes", False, ("no",), 0, subresources=ST),
    _k("", "v1", "Event", "events", True, ("ev",), 90),
    _k("events.k8s.io", "v1", "Event", "events", True, ("ev",), 91),
    _k("coordination.k8s.io", "v1", "Lease", "leases", True, (), 92, printer="generic"),
    _k("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
       "validatingwebhookconfigurations", False, (), 16, printer="generic"),
    _k("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
       False, (), 17, printer="generic"),
    _k("apiregistration.k8s.io", "v1", "APIService", "apiservices", False, (), 18, subresources=ST,
       printer="generic"),
    _k("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", False,
       ("csr",), 19, subresources=ST, printer="generic"),
    _k("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", False, (), 3, printer="generic"),
)


# The API server's order of groups in /apis (kube-aggregator's priorities): kubectl resolves an
# ambiguous resource name to the first group that serves it.
GROUP_ORDER = (
    "",
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "flowcontrol.apiserver.k8s.io",
)


def discovery_order(info: KindInfo) -> tuple[int, str, str]:
    """Where a kind comes in discovery (and so in `get all`): groups by priority, then plural."""
    rank = GROUP_ORDER.index(info.group) if info.group in GROUP_ORDER else len(GROUP_ORDER)
    return (rank, info.group, info.plural)


class KindRegistry:
    """Lookups by kind (with or without group) and by the names kubectl accepts."""

    def __init__(self, kinds: tuple[KindInfo, ...]) -> None:
        self._kinds = kinds
        self._by_group_kind: dict[tuple[str, str], KindInfo] = {}
        self._by_kind: dict[str, KindInfo] = {}
        self._by_name: dict[str, KindInfo] = {}
        for info in kinds:
            self._by_group_kind.setdefault((info.group, info.kind), info)
            self._by_kind.setdefault(info.kind, info)
            names = (info.kind.lower(), info.singular, info.plural, info.resource,
                     f"{info.kind.lower()}.{info.group}", f"{info.singular}.{info.group}", *info.short_names)
            for name in names:
                self._by_name.setdefault(name, info)

    def __iter__(self) -> Iterator[KindInfo]:
        return iter(self._kinds)

    def lookup_kind(self, group: str, kind: str) -> KindInfo | None:
        return self._by_group_kind.get((group, kind))

    def by_kind(self, kind: str) -> KindInfo | None:
        """The core/first-registered kind of that name (Event is v1 before events.k8s.io)."""
        return self._by_kind.get(kind)

    def resolve(self, name: str) -> KindInfo | None:
        """What kubectl accepts: `deploy`, `deployments`, `Deployment`, `deployments.apps`."""
        return self._by_name.get(name.lower())

    def rank(self, group: str, kind: str) -> int:
        info = self.lookup_kind(group, kind)
        return info.rank if info is not None else 50

    def kinds(self) -> list[str]:
        return sorted({k.kind for k in self._kinds})


REGISTRY = KindRegistry(_KINDS)
