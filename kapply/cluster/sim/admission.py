"""Admission: the checks every write passes between defaulting and storage.

Order, as in the API server: defaulting (`defaults.py`) -> admission plugins (`PLUGINS`, e.g. the
services plugin that allocates ClusterIPs and NodePorts) -> validation (`kapply.validate.schema`
and `kapply.validate.rules.check`, the same pure checks `kapply validate` runs) -> immutable
fields. A refusal is an InvalidError worded as Kubernetes' 422:
`Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kapply.errors import InvalidError
from kapply.model.kinds import REGISTRY
from kapply.model.paths import format_path

Obj = dict[str, Any]


class AdmissionPlugin(Protocol):
    kinds: tuple[str, ...]

    def admit(self, api: Any, op: str, obj: Obj, old: Obj | None) -> None:
        """op is CREATE or UPDATE; mutate `obj` or raise InvalidError."""
        ...

    def released(self, api: Any, obj: Obj) -> None:
        """After a delete: free what the object held."""
        ...


# "module:attribute" of each plugin (a class is instantiated once). One line per plugin.
PLUGIN_PATHS: list[str] = [
    "kapply.cluster.sim.services:ServiceAllocator",
    "kapply.cluster.sim.tolerations:DefaultTolerationSeconds",
    "kapply.cluster.sim.jobselector:JobSelector",
]


def load_plugins() -> list[AdmissionPlugin]:
    """Instantiate the registered plugins (modules not written yet are skipped)."""
    plugins = []
    for path in PLUGIN_PATHS:
        module, _, attr = path.partition(":")
        try:
            target = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            continue
        plugins.append(target() if isinstance(target, type) else target)
    return plugins


def kind_label(kind: str) -> str:
    """`Deployment.apps`, `Pod`: how a 422 message names the kind."""
    info = REGISTRY.by_kind(kind)
    return f"{kind}.{info.group}" if info is not None and info.group else kind


def resource_label(kind: str) -> str:
    """`deployments.apps`, `pods`: how 404/409 messages name the resource."""
    info = REGISTRY.by_kind(kind)
    return info.resource if info is not None else kind.lower() + "s"


def invalid(kind: str, name: str, causes: Sequence[tuple[str, str]]) -> InvalidError:
    """InvalidError from (field, 'Invalid value: ...: detail') causes, joined as Kubernetes does."""
    parts = [f"{fld}: {msg}" if fld else msg for fld, msg in causes]
    body = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return InvalidError(f'{kind_label(kind)} "{name}" is invalid: {body}', list(causes))


# ---- validation (the validate layer's pure checks) ---------------------------------------------

Checker = Callable[[Obj], list[tuple[str, str]]]
_checkers: list[Checker] | None = None


def _load_checkers() -> list[Checker]:
    from kapply.validate.rules import check
    from kapply.validate.schema import default_validator

    schemas = default_validator()

    def schema_check(obj: Obj) -> list[tuple[str, str]]:
        if not schemas.has_schema(obj.get("apiVersion"), obj.get("kind")):
            return []
        return [(format_path(i.path), i.message) for i in schemas.validate(obj)]

    def rules_check(obj: Obj) -> list[tuple[str, str]]:
        return [(f.field, f.message) for f in check(obj)
                if getattr(f, "severity", "error") == "error"]

    return [schema_check, rules_check]


def validate(kind: str, obj: Obj) -> None:
    """Schema + semantic rules; raises the 422 InvalidError."""
    global _checkers
    if _checkers is None:
        _checkers = _load_checkers()
    causes: list[tuple[str, str]] = []
    for checker in _checkers:
        causes.extend(checker(obj))
    if causes:
        raise invalid(kind, str(obj.get("metadata", {}).get("name", "")), causes)


# ---- immutable fields ----------------------------------------------------------------------------

def check_immutable(kind: str, obj: Obj, old: Obj) -> None:
    """Refuse changes to immutable fields (the table shared with the plan: validate.rules.immutable).

    An update that leaves out a Service's allocated clusterIP keeps it, as kubectl apply's patch does.
    """
    from kapply.validate.rules.immutable import immutable_causes

    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if kind == "Service":
        old_ip = old_spec.get("clusterIP")
        if old_ip and not spec.get("clusterIP") and spec.get("type") != "ExternalName":
            spec["clusterIP"] = old_ip
            if old_spec.get("clusterIPs") and not spec.get("clusterIPs"):
                spec["clusterIPs"] = list(old_spec["clusterIPs"])
    causes = immutable_causes(kind, old, obj)
    if causes:
        raise invalid(kind, str(old.get("metadata", {}).get("name", "")), causes)
