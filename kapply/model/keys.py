"""Object identity: which object a manifest or a live object is.

Kubernetes identifies an object by group, kind, namespace and name; the version is only how it is
spelled on the wire, so two manifests that differ only in apiVersion name the same object.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any


def split_api_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> (`apps`, `v1`); `v1` -> (``, `v1`)."""
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version
    return "", api_version


@dataclass(frozen=True, order=True)
class ResourceKey:
    group: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: dict[str, Any], default_namespace: str = "default",
           cluster_scoped: Collection[tuple[str, str]] = ()) -> ResourceKey:
        """Key of a manifest or live object; namespace defaulted for namespaced kinds.

        The built-in registry knows the built-in kinds' scope; `cluster_scoped` names the (group,
        kind) of custom kinds that are cluster-scoped (their CRDs say `scope: Cluster`), which
        would otherwise be taken for namespaced ones.
        """
        from kapply.model.kinds import REGISTRY

        group, _ = split_api_version(str(obj.get("apiVersion", "")))
        kind = str(obj.get("kind", ""))
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or ""
        info = REGISTRY.lookup_kind(group, kind)
        if (info is not None and not info.namespaced) or (info is None and (group, kind) in cluster_scoped):
            namespace = ""
        elif not namespace:
            namespace = default_namespace
        return cls(group, kind, str(namespace), str(meta.get("name", "")))

    @property
    def display(self) -> str:
        """`Deployment/default/web`, `Namespace/prod` as diagnostics print it."""
        parts = [self.kind]
        if self.namespace:
            parts.append(self.namespace)
        parts.append(self.name)
        return "/".join(parts)

    @property
    def ref(self) -> str:
        """kubectl's `deployment.apps/web` form used in result lines."""
        kind = self.kind.lower()
        return f"{kind}.{self.group}/{self.name}" if self.group else f"{kind}/{self.name}"

    def __str__(self) -> str:
        return self.display
