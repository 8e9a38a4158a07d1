"""Warnings the API server returns for pods and pod templates (pkg/api/pod/warnings.go).

kubectl prints these as `Warning: spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated
since v1.14; use "kubernetes.io/os" instead`: the object is accepted, but something in it is
deprecated, non-functional or probably a mistake. They become findings of severity "warning"
(type "", the text as the detail), in Kubernetes' order.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from kapply.model import shapes
from kapply.model.quantity import QuantityError, from_value
from kapply.validate.rules.findings import Errors, Finding, Key, Path, field_string

_SINCE_14 = "deprecated since v1.14; use "
_SINCE_17 = "deprecated since v1.17; use "
DEPRECATED_NODE_LABELS = {
    "beta.kubernetes.io/arch": _SINCE_14 + '"kubernetes.io/arch" instead',
    "beta.kubernetes.io/os": _SINCE_14 + '"kubernetes.io/os" instead',
    "failure-domain.beta.kubernetes.io/region": _SINCE_17 + '"topology.kubernetes.io/region" instead',
    "failure-domain.beta.kubernetes.io/zone": _SINCE_17 + '"topology.kubernetes.io/zone" instead',
    "beta.kubernetes.io/instance-type": _SINCE_17 + '"node.kubernetes.io/instance-type" instead',
    "app.kubernetes.io/created-by": "deprecated since v1.9",
    "scheduler.alpha.kubernetes.io/preferAvoidPods": "deprecated since v1.22; "
    + "use Taints and Tolerations instead",
    "node-role.kubernetes.io/master": 'use "node-role.kubernetes.io/control-plane" instead',
}
_DEPRECATED_ANNOTATIONS = (
    (
        "scheduler.alpha.kubernetes.io/critical-pod",
        'non-functional in v1.16+; use the "priorityClassName" field instead',
    ),
    ("security.alpha.kubernetes.io/sysctls", 'non-functional in v1.11+; use the "sysctls" field instead'),
    (
        "security.alpha.kubernetes.io/unsafe-sysctls",
        'non-functional in v1.11+; use the "sysctls" field instead',
    ),
)
# volume source -> (path name Kubernetes prints, message)
_DEPRECATED_VOLUMES = (
    ("photonPersistentDisk", "photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"),
    ("gitRepo", "gitRepo", "deprecated in v1.11"),
    ("scaleIO", "scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("flocker", "flocker", "deprecated in v1.22, non-functional in v1.25+"),
    ("storageos", "storageOS", "deprecated in v1.22, non-functional in v1.25+"),
    ("quobyte", "quobyte", "deprecated in v1.22, non-functional in v1.25+"),
    ("glusterfs", "glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
    ("cephfs", "cephfs", "deprecated in v1.28, non-functional in v1.31+"),
    ("rbd", "rbd", "deprecated in v1.28, non-functional in v1.31+"),
)
_SPEC_KEYS = frozenset(
    {
        "nodeSelector",
        "affinity",
        "topologySpreadConstraints",
        "volumes",
        "hostAliases",
        "imagePullSecrets",
        "terminationGracePeriodSeconds",
    }
)
_VOLUME_KEYS = frozenset(source for source, _, _ in _DEPRECATED_VOLUMES)
_BYTE_RESOURCES = frozenset({"memory", "ephemeral-storage"})
_SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
_SECCOMP_MSG = 'non-functional in v1.27+; use the "seccompProfile" field instead'
_NULL_SELECTOR = "a null labelSelector results in matching no pod"


class _Warnings:
    __slots__ = ("errs",)

    def __init__(self, errs: Errors) -> None:
        self.errs = errs

    def add(self, path: Path, text: str) -> None:
        self.errs.items.append(Finding(path, "", "", text, "deprecation", "warning"))


def pod_warnings(spec: dict[str, Any], meta: Any, prefix: Path, errs: Errors) -> None:
    """warningsForPodSpecAndMeta; `prefix` is the template's path (() for a bare Pod)."""
    w = _Warnings(errs)
    sp = (*prefix, "spec")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    annotations = annotations if isinstance(annotations, dict) else {}
    present = _SPEC_KEYS.intersection(spec)
    node_selector = spec.get("nodeSelector") if "nodeSelector" in present else None
    if isinstance(node_selector, dict):
        for key in node_selector:
            if key in DEPRECATED_NODE_LABELS:
                w.add((*sp, "nodeSelector", Key(key)), DEPRECATED_NODE_LABELS[key])
    affinity = spec.get("affinity") if "affinity" in present else None
    if affinity is not None:
        _node_affinity(affinity, sp, w)
    constraints = spec.get("topologySpreadConstraints") if "topologySpreadConstraints" in present else None
    for i, constraint in enumerate(constraints if isinstance(constraints, list) else ()):
        if not isinstance(constraint, dict):
            continue
        key = constraint.get("topologyKey")
        if isinstance(key, str) and key in DEPRECATED_NODE_LABELS:
            w.add(
                (*sp, "topologySpreadConstraints", i, "topologyKey"),
                f"{key} is {DEPRECATED_NODE_LABELS[key]}",
            )
        if constraint.get("labelSelector") is None:
            w.add((*sp, "topologySpreadConstraints", i, "labelSelector"), _NULL_SELECTOR)
    if annotations:
        for key, message in _DEPRECATED_ANNOTATIONS:
            if key in annotations:
                w.add((*prefix, "metadata", "annotations", Key(key)), message)
    volumes = spec.get("volumes") if "volumes" in present else None
    for i, volume in enumerate(volumes if isinstance(volumes, list) else ()):
        if isinstance(volume, dict) and not _VOLUME_KEYS.isdisjoint(volume):
            for source, go_name, message in _DEPRECATED_VOLUMES:
                if source in volume and volume[source] is not None:
                    w.add((*sp, "volumes", i, go_name), message)
    if "hostAliases" in present:
        _duplicates(spec["hostAliases"], "ip", (*sp, "hostAliases"), "duplicate ip", w)
    secrets = spec.get("imagePullSecrets") if "imagePullSecrets" in present else None
    _duplicates(secrets, "name", (*sp, "imagePullSecrets"), "duplicate name", w)
    for i, secret in enumerate(secrets if isinstance(secrets, list) else ()):
        if isinstance(secret, dict) and not secret.get("name"):
            w.add((*sp, "imagePullSecrets", i, "name"), 'invalid empty name ""')
    security = spec.get("securityContext")
    if (
        not (isinstance(security, dict) and security.get("seccompProfile") is not None)
        and _SECCOMP_POD in annotations
    ):
        w.add((*prefix, "metadata", "annotations", Key(_SECCOMP_POD)), _SECCOMP_MSG)
    containers = list(_containers(spec, sp))
    for ctr, cpath in containers:
        _container_warnings(ctr, cpath, annotations, prefix, w)
    _port_warnings(containers, w)
    grace = spec.get("terminationGracePeriodSeconds") if "terminationGracePeriodSeconds" in present else None
    if isinstance(grace, int) and not isinstance(grace, bool) and grace < 0:
        w.add(
            (*sp, "terminationGracePeriodSeconds"),
            "must be >= 0; negative values are invalid and will be treated as 1",
        )
    if affinity is not None:
        _pod_affinity_warnings(affinity, sp, w)


def _containers(spec: dict[str, Any], sp: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """VisitContainersWithPath: init containers first, then containers."""
    for field in ("initContainers", "containers"):
        items = spec.get(field)
        for i, ctr in enumerate(items if isinstance(items, list) else ()):
            if isinstance(ctr, dict):
                yield ctr, (*sp, field, i)


def _node_affinity(affinity: Any, sp: Path, w: _Warnings) -> None:
    node = affinity.get("nodeAffinity") if isinstance(affinity, dict) else None
    if not isinstance(node, dict):
        return
    base = (*sp, "affinity", "nodeAffinity")
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    terms = required.get("nodeSelectorTerms") if isinstance(required, dict) else None
    for i, term in enumerate(terms if isinstance(terms, list) else ()):
        _term(term, (*base, "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", i), w)
    preferred = node.get("preferredDuringSchedulingIgnoredDuringExecution")
    for i, item in enumerate(preferred if isinstance(preferred, list) else ()):
        if isinstance(item, dict):
            _term(
                item.get("preference"),
                (*base, "preferredDuringSchedulingIgnoredDuringExecution", i, "preference"),
                w,
            )


def _term(term: Any, path: Path, w: _Warnings) -> None:
    expressions = term.get("matchExpressions") if isinstance(term, dict) else None
    for i, expr in enumerate(expressions if isinstance(expressions, list) else ()):
        key = expr.get("key") if isinstance(expr, dict) else None
        if isinstance(key, str) and key in DEPRECATED_NODE_LABELS:
            w.add((*path, "matchExpressions", i, "key"), f"{key} is {DEPRECATED_NODE_LABELS[key]}")


def _duplicates(items: Any, key: str, path: Path, what: str, w: _Warnings) -> None:
    if not isinstance(items, list) or len(items) < 2:
        return
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get(key, ""), str):
            continue
        value = item.get(key, "")
        if value in seen:
            w.add((*path, i, key), f'{what} "{value}"')
        seen.add(value)


def _fractional(value: Any) -> str | None:
    """The canonical quantity when it is not a whole number of bytes (MilliValue() % 1000 != 0)."""
    if isinstance(value, int):
        return None
    return _fractional_text(value) if isinstance(value, str) else None


@lru_cache(maxsize=1024)
def _fractional_text(value: str) -> str | None:
    try:
        quantity = from_value(value)
    except QuantityError:
        return None
    return None if quantity.is_integer() else str(quantity)


def _container_warnings(
    ctr: dict[str, Any], cpath: Path, annotations: dict[str, Any], prefix: Path, w: _Warnings
) -> None:
    name = ctr.get("name")
    if annotations and isinstance(name, str) and _SECCOMP_CONTAINER + name in annotations:
        security = ctr.get("securityContext")
        if not (isinstance(security, dict) and security.get("seccompProfile") is not None):
            w.add((*prefix, "metadata", "annotations", Key(_SECCOMP_CONTAINER + name)), _SECCOMP_MSG)
    resources = ctr.get("resources")
    if isinstance(resources, dict) and resources:
        limits, requests = resources.get("limits"), resources.get("requests")
        byte_values = _BYTE_RESOURCES.intersection(limits) if isinstance(limits, dict) else ()
        if isinstance(requests, dict):
            byte_values = _BYTE_RESOURCES.intersection(requests).union(byte_values)
        for resource in ("memory", "ephemeral-storage"):
            if resource not in byte_values:
                continue
            for kind, values in (("limits", limits), ("requests", requests)):
                if isinstance(values, dict) and resource in values:
                    text = _fractional(values[resource])
                    if text is not None:
                        w.add(
                            (*cpath, "resources", kind, Key(resource)),
                            f'fractional byte value "{text}" is invalid, must be an integer',
                        )
    env = ctr.get("env")
    if isinstance(env, list) and len(env) > 1:
        seen: set[str] = set()
        for i, var in enumerate(env):
            if not isinstance(var, dict) or not isinstance(var.get("name"), str):
                continue
            var_name = var["name"]
            if var_name in seen:
                ref = f"$({var_name})"
                value = shapes.text(var, "value")
                if var.get("valueFrom") is not None or value == ref or ref not in value:
                    w.add(
                        (*cpath, "env", i),
                        f'hides previous definition of "{var_name}", which may be dropped when using apply',
                    )
            else:
                seen.add(var_name)


def _port_warnings(containers: list[tuple[dict[str, Any], Path]], w: _Warnings) -> None:
    all_ports: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for ctr, cpath in containers:
        ports = ctr.get("ports")
        for i, port in enumerate(ports if isinstance(ports, list) else ()):
            if not isinstance(port, dict):
                continue
            path = (*cpath, "ports", i)
            host_ip = port.get("hostIP") or ""
            host_port = port.get("hostPort") or 0
            if host_ip and not host_port:
                w.add(path, f"hostIP set without hostPort: {_go_port(port)}")
            key = f"{port.get('containerPort') or 0}/{port.get('protocol') or 'TCP'}"
            for other_path, other in all_ports.get(key, ()):
                other_ip = other.get("hostIP") or ""
                other_port = other.get("hostPort") or 0
                if host_ip == other_ip and host_port == other_port:
                    w.add(path, f"duplicate port definition with {field_string(other_path)}")
                elif host_port == 0 or other_port == 0:
                    w.add(path, f"overlapping port definition with {field_string(other_path)}")
                elif host_port == other_port and (host_ip == "") != (other_ip == ""):
                    w.add(path, f"dangerously ambiguous port definition with {field_string(other_path)}")
            all_ports.setdefault(key, []).append((path, port))


def _go_port(port: dict[str, Any]) -> str:
    """An internal core.ContainerPort printed with Go's %+v."""
    return (
        f"{{Name:{port.get('name') or ''} HostPort:{port.get('hostPort') or 0} "
        f"ContainerPort:{port.get('containerPort') or 0} Protocol:{port.get('protocol') or 'TCP'} "
        f"HostIP:{port.get('hostIP') or ''}}}"
    )


def _pod_affinity_warnings(affinity: Any, sp: Path, w: _Warnings) -> None:
    if not isinstance(affinity, dict):
        return
    for kind in ("podAffinity", "podAntiAffinity"):
        section = affinity.get(kind)
        if not isinstance(section, dict):
            continue
        base = (*sp, "affinity", kind)
        required = section.get("requiredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(required if isinstance(required, list) else ()):
            if isinstance(term, dict) and term.get("labelSelector") is None:
                w.add(
                    (*base, "requiredDuringSchedulingIgnoredDuringExecution", i, "labelSelector"),
                    _NULL_SELECTOR,
                )
        preferred = section.get("preferredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(preferred if isinstance(preferred, list) else ()):
            inner = term.get("podAffinityTerm") if isinstance(term, dict) else None
            if isinstance(inner, dict) and inner.get("labelSelector") is None:
                w.add(
                    (
                        *base,
                        "preferredDuringSchedulingIgnoredDuringExecution",
                        i,
                        "podAffinityTerm",
                        "labelSelector",
                    ),
                    _NULL_SELECTOR,
                )
