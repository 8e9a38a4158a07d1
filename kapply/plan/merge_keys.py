"""Which lists merge by key, and on which key: the one strategic-merge-patch table of kapply.

Kubernetes declares the merge behaviour of each list in its Go types (`patchStrategy:"merge"
patchMergeKey:"name"`); `kubectl apply` reads those tags to merge a list of containers by name
instead of replacing it. kapply keeps the same facts here, keyed by field path patterns, so the
three-way merge (`three_way.py`), the projection (`normalize.py`) and the diff (`change.py`) agree.

A path pattern is a dotted field path where `[]` stands for "any item of a list":
`spec.template.spec.containers[].env`. Pod-spec lists are written once, relative to the pod spec,
and expanded under every place a pod spec lives (Pod `spec`, Deployment `spec.template.spec`,
CronJob `spec.jobTemplate.spec.template.spec`, ...). Every list not in the table is atomic:
the file's list replaces the live one (tolerations, conditions, args, command, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

# Lists of primitives with patchStrategy "merge": a set union, not a replacement.
SET = "<set>"

# Relative to a pod spec (k8s.io/api/core/v1 PodSpec and Container tags).
_POD_SPEC_LISTS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "readinessGates": "conditionType",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "topologySpreadConstraints": "topologyKey",
}
_CONTAINER_LISTS: dict[str, str] = {
    "ports": "containerPort",
    "env": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "resizePolicy": "resourceName",
}
_CONTAINER_KEYS = ("containers", "initContainers", "ephemeralContainers")

# Where the pod spec lives, per kind.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template.spec",),
    "ReplicationController": ("spec.template.spec",),
    "ReplicaSet": ("spec.template.spec",),
    "Deployment": ("spec.template.spec",),
    "StatefulSet": ("spec.template.spec",),
    "DaemonSet": ("spec.template.spec",),
    "Job": ("spec.template.spec",),
    "CronJob": ("spec.jobTemplate.spec.template.spec",),
}

# Lists outside pod specs; "*" applies to every kind.
_OTHER: dict[tuple[str, str], str] = {
    ("*", "metadata.ownerReferences"): "uid",
    ("*", "metadata.finalizers"): SET,
    ("Service", "spec.ports"): "port",
    ("Endpoints", "subsets[].ports"): "name",
    ("ServiceAccount", "secrets"): "name",
    ("ServiceAccount", "imagePullSecrets"): "name",
}


def _build() -> dict[tuple[str, str], str]:
    table = dict(_OTHER)
    for kind, prefixes in POD_SPEC_PATHS.items():
        for prefix in prefixes:
            for field, key in _POD_SPEC_LISTS.items():
                table[(kind, f"{prefix}.{field}")] = key
            for container in _CONTAINER_KEYS:
                for field, key in _CONTAINER_LISTS.items():
                    table[(kind, f"{prefix}.{container}[].{field}")] = key
    return table


MERGE_KEYS: dict[tuple[str, str], str] = _build()

# Maps with patchStrategy "retainKeys": a union type whose members exclude each other. When the file
# changes such a map, the keys it does not name are cleared (Deployment strategy Recreate drops
# rollingUpdate; a volume switched from configMap to secret drops configMap).
RETAIN_KEYS: frozenset[tuple[str, str]] = frozenset(
    {("Deployment", "spec.strategy")}
    | {(kind, f"{prefix}.volumes[]") for kind, prefixes in POD_SPEC_PATHS.items() for prefix in prefixes}
)


def retains_keys(kind: str, path_pattern: str) -> bool:
    """Whether the map at `path_pattern` is a union type (patchStrategy retainKeys)."""
    return (kind, path_pattern) in RETAIN_KEYS


def pattern(path: Iterable[str | int]) -> str:
    """`("spec", "ports", 0, "name")` -> `spec.ports[].name`: the pattern form of a concrete path."""
    out: list[str] = []
    for seg in path:
        if isinstance(seg, int):
            out.append("[]")
        elif out:
            out.append("." + seg)
        else:
            out.append(seg)
    return "".join(out)


def merge_key(kind: str, path_pattern: str) -> str | None:
    """The merge key of the list at `path_pattern` in a `kind` object, SET, or None (atomic)."""
    return MERGE_KEYS.get((kind, path_pattern)) or MERGE_KEYS.get(("*", path_pattern))


def child(path_pattern: str, field: str) -> str:
    """Extend a pattern by a map field."""
    return f"{path_pattern}.{field}" if path_pattern else field


def item(path_pattern: str) -> str:
    """Extend a pattern into the items of a list."""
    return path_pattern + "[]"
