"""Object identity: which object a manifest or a live object is.

Kubernetes identifies an object by group, kind, namespace and name; the version is only how it is
spelled on the wire, so two manifests that differ only in apiVersion name the same object.
"""

from __future__ import annotations

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
    def of(cls, obj: dict[str, Any], default_namespace: str = "default") -> ResourceKey:
        """Key of a manifest or live object; namespace defaulted for namespaced kinds."""
        from kapply.model.kinds import REGISTRY

        group, _ = split_api_version(str(obj.get("apiVersion", "")))
        kind = str(obj.get("kind", ""))
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or ""
        info = REGISTRY.lookup_kind(group, kind)
        if info is not None and not info.namespaced:
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
