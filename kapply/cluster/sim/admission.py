"""Admission: the checks every write passes between defaulting and storage.

Order, as in the API server: defaulting (`defaults.py`) -> admission plugins (`PLUGINS`, e.g. the
services plugin that allocates ClusterIPs and NodePorts) -> validation (`kapply.validate.schema`
and `kapply.validate.rules.check`, the same pure checks `kapply validate` runs) -> immutable
fields. A refusal is an InvalidError worded as Kubernetes' 422:
`Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, Protocol

from kapply.errors import BadRequestError, InvalidError
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
    "kapply.cluster.sim.storage.admission:DefaultStorageClass",
    "kapply.cluster.sim.storage.admission:StorageObjectInUseProtection",
    "kapply.cluster.sim.crd.admission:CRDAdmission",
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

_schemas: Any = None


def _validator() -> Any:
    global _schemas
    if _schemas is None:
        from kapply.validate.schema import default_validator

        _schemas = default_validator()
    return _schemas


def decode(kind: str, obj: Obj, api_version: str, normalise: bool = True) -> None:
    """What the API server's decoder refuses, before defaulting or any plugin touches `obj`.

    A number out of its int32/int64 range is a 400 with the decoder's message; any other schema
    violation (a value of the wrong type, an unknown field) is the 422 kapply's schemas word it as.
    The body is checked against the schema of the version the kind is served in when its own
    apiVersion is missing or has no schema (a wrong apiVersion is refused later, by the REST
    mapping). What passes is normalised in place as decoding does (a null field is absent, a null
    list item its type's zero value), so later stages (defaults, plugins, the semantic rules) only
    ever see well-typed objects; `normalise=False` only checks (a server-side apply configuration,
    whose merge with the live object is decoded in its turn).
    """
    from kapply.validate.schema_ranges import api_decode_error

    schemas = _validator()
    given = obj.get("apiVersion")
    own = isinstance(given, str) and schemas.has_schema(given, obj.get("kind"))
    odd = given is not None and not isinstance(given, str)  # the schema check reports it
    probe = obj if own or odd else {**obj, "apiVersion": api_version}
    if odd or schemas.has_schema(probe.get("apiVersion"), probe.get("kind")):
        problems = schemas.validate(probe)  # for an odd apiVersion: its own type error
    else:
        problems = schemas.builtin_issues(probe)  # other kinds: metadata must decode as ObjectMeta
    for issue in problems:
        if issue.rule == "decode":
            raise BadRequestError(api_decode_error(kind, str(probe.get("apiVersion")), issue.message))
    if problems:
        meta = obj.get("metadata")
        name = meta.get("name", "") if isinstance(meta, dict) else ""
        raise invalid(kind, str(name), [(format_path(i.path), i.message) for i in problems])
    normal = schemas.decoded(probe) if normalise else probe  # nulls and floats as Go holds them
    if normal is not probe:
        normal.pop("apiVersion", None)
        if isinstance(given, str):
            normal["apiVersion"] = given
        obj.clear()
        obj.update(normal)


def validate(kind: str, obj: Obj) -> None:
    """Schema + semantic rules (on what the schema accepted); raises the 422 InvalidError."""
    from kapply.validate.accepted import check_object

    checked = check_object(obj, _validator(), unknown_rules=True)
    causes = [(format_path(i.path), i.message) for i in checked.issues] if checked.known else []
    causes += [(f.field, f.message) for f in checked.findings if f.severity == "error"]
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
