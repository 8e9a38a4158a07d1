"""The REST resources `kapply serve` offers: one per kind of the kind registry, with the verbs,
short names, categories and subresources the API server's discovery documents give them.

The URL layer (`routing.py`), discovery (`discovery.py`) and OpenAPI (`openapi.py`) all read
this one table, so a kind is either served everywhere or nowhere. Events are served only as
core/v1 (events.k8s.io/v1 would need a conversion the embedded cluster does not make); autoscaling
only as v2, its preferred version.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from kapply.cluster.protocol import Discovery
from kapply.model.kinds import GROUP_ORDER, REGISTRY, KindInfo
from kapply.model.scale import scale_paths

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NAMESPACE_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")

_NOT_SERVED = frozenset({("events.k8s.io", "Event")})
# The warnings the API server sends on every request for a deprecated resource (Kubernetes 1.34).
DEPRECATED = {
    ("", "Endpoints"): "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
}


@dataclass(frozen=True)
class Subresource:
    name: str
    verbs: tuple[str, ...]
    group: str = ""  # of the kind the subresource answers with, when it is not the parent's
    version: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Resource:
    info: KindInfo
    verbs: tuple[str, ...]
    categories: tuple[str, ...]
    subresources: tuple[Subresource, ...]

    @property
    def group(self) -> str:
        return self.info.group

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def plural(self) -> str:
        return self.info.plural

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def namespaced(self) -> bool:
        return self.info.namespaced

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


# How each subresource the registry names is served (its verbs, the kind it answers with).
SUBRESOURCES = {
    "eviction": Subresource("eviction", ("create",), "policy", "v1", "Eviction"),
    "log": Subresource("log", ("get",), "", "v1", "Pod"),
    "scale": Subresource("scale", STATUS_VERBS, "autoscaling", "v1", "Scale"),
    "status": Subresource("status", STATUS_VERBS),
}


def _subresources(info: KindInfo) -> tuple[Subresource, ...]:
    """The kind's subresources (the registry's facts; scale only where the scale table reads it)."""
    found = [SUBRESOURCES[name] for name in info.subresources
             if name != "scale" or info.custom or scale_paths(info.group, info.kind) is not None]
    return tuple(sorted(found, key=lambda s: s.name))


def _resource(info: KindInfo) -> Resource:
    verbs = NAMESPACE_VERBS if info.kind == "Namespace" else VERBS
    return Resource(info, verbs, info.categories, _subresources(info))


@cache
def _builtin() -> tuple[Resource, ...]:
    rank = {group: i for i, group in enumerate(GROUP_ORDER)}
    infos = [i for i in REGISTRY if (i.group, i.kind) not in _NOT_SERVED]
    infos.sort(key=lambda i: (rank.get(i.group, len(rank)), i.group, i.plural))
    return tuple(_resource(i) for i in infos)


_custom: tuple[Resource, ...] = ()  # the established CRDs' kinds, one Resource per served version
_schemas: dict[tuple[str, str, str], dict] = {}  # (group, version, kind) -> the CRD version's schema
generation = 0  # bumped whenever the custom kinds change (OpenAPI documents are rebuilt then)


def _custom_resource(info: KindInfo, version: str) -> Resource:
    return _resource(replace(info, version=version, other_versions=()))


def refresh(cluster: object) -> None:
    """Take the custom kinds the cluster serves now (its Discovery) into the table; called on the
    cluster thread at start and whenever a CRD changed, read by routing, discovery and OpenAPI."""
    global _custom, _schemas, generation
    if not isinstance(cluster, Discovery):
        return
    infos = sorted((i for i in cluster.served_kinds() if i.custom), key=lambda i: (i.group, i.plural))
    found = tuple(_custom_resource(i, v) for i in infos for v in i.versions)
    schemas = _crd_schemas(cluster) if found else {}
    if found != _custom or schemas != _schemas:
        _custom, _schemas = found, schemas
        generation += 1
        _index.cache_clear()


def _crd_schemas(cluster: object) -> dict[tuple[str, str, str], dict]:
    from kapply.model.crd import defined_kind, schema_of, served_versions

    out: dict[tuple[str, str, str], dict] = {}
    for crd in cluster.list("CustomResourceDefinition"):  # type: ignore[attr-defined]
        group, kind = defined_kind(crd)
        for version in served_versions(crd):
            schema = schema_of(crd, version)
            if schema is not None:
                out[(group, version, kind)] = schema
    return out


def custom_schema(group: str, version: str, kind: str) -> dict | None:
    """The openAPIV3Schema a CRD serves for that version (OpenAPI publishes it)."""
    return _schemas.get((group, version, kind))


def served() -> tuple[Resource, ...]:
    """Every served resource, groups in the API server's order (custom groups after the built-in
    ones), resources by name."""
    return _builtin() + _custom


@cache
def _index() -> dict[tuple[str, str, str], Resource]:
    return {(r.group, r.version, r.plural): r for r in served()}


def lookup(group: str, version: str, plural: str) -> Resource | None:
    """The resource at /api(s)/GROUP/VERSION/PLURAL, or None."""
    return _index().get((group, version, plural))


def for_kind(kind: str, group: str | None = None) -> Resource | None:
    """The resource serving a kind (the core one first when no group is given)."""
    return next((r for r in served() if r.kind == kind and (group is None or r.group == group)), None)


def group_versions() -> list[tuple[str, str]]:
    """(group, version) pairs served, in discovery order (the core group first)."""
    seen: list[tuple[str, str]] = []
    for r in served():
        if (r.group, r.version) not in seen:
            seen.append((r.group, r.version))
    return seen


def in_group_version(group: str, version: str) -> list[Resource]:
    """The resources of one group/version, by name."""
    return [r for r in served() if r.group == group and r.version == version]
