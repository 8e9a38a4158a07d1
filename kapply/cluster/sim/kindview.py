"""The kinds one embedded cluster serves: the built-in registry plus its established CRDs' kinds.

Inside the embedded cluster every kind has a *key*, the name its objects are stored, cached,
journalled and logged under: the bare kind for a built-in (`Deployment`), `Kind.group` for a kind
a CustomResourceDefinition defines (`CronTab.stable.example.com`), so two CRDs defining `Widget` in
two groups, or a CRD defining a kind a built-in already has, never share objects. Controllers and
admission name built-ins by their bare kind as before; the `Cluster` protocol's (kind, group)
pairs are turned into keys here (`key`), and a key back into facts (`info`).

`group=None` resolves to the built-in kind of that name if there is one (callers written for
built-ins keep working whatever CRDs say; kubectl's REST mapper also prefers the built-in groups),
else to the one custom kind of that name; several: AmbiguousKindError in kubectl's wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kapply.errors import AmbiguousKindError, NotFoundError
from kapply.model.crd import served_kind
from kapply.model.keys import split_api_version
from kapply.model.kinds import REGISTRY, KindInfo

Obj = dict[str, Any]


def custom_key(kind: str, group: str) -> str:
    """The key of a CRD's kind: `CronTab.stable.example.com` (a built-in kind never has a dot)."""
    return f"{kind}.{group}"


def is_custom_key(key: str) -> bool:
    return "." in key


def group_of_key(key: str) -> str:
    """The API group of a kind key (built-ins: the registry's)."""
    if is_custom_key(key):
        return key.partition(".")[2]
    info = REGISTRY.by_kind(key)
    return info.group if info is not None else ""


def builtin_info(kind: str) -> KindInfo:
    """Registry facts of a built-in kind; NotFoundError as kubectl words an unknown resource type."""
    info = REGISTRY.by_kind(kind)
    if info is None:
        raise NotFoundError(f'the server doesn\'t have a resource type "{kind}"')
    return info


class KindView:
    """Built-ins plus the kinds of the established CRDs `load_crds` returns, read only when a
    custom kind is asked about (a snapshot: build a new view after a CRD changes)."""

    def __init__(self, load_crds: Callable[[], Iterable[Obj]] = tuple) -> None:
        self._load_crds = load_crds
        self._loaded: tuple[dict[str, KindInfo], dict[str, list[KindInfo]]] | None = None

    def _tables(self) -> tuple[dict[str, KindInfo], dict[str, list[KindInfo]]]:
        if self._loaded is None:
            custom: dict[str, KindInfo] = {}
            by_kind: dict[str, list[KindInfo]] = {}
            for crd in self._load_crds():
                info = served_kind(crd)
                if info is not None:
                    custom[custom_key(info.kind, info.group)] = info
                    by_kind.setdefault(info.kind, []).append(info)
            self._loaded = (custom, by_kind)
        return self._loaded

    @property
    def _custom(self) -> dict[str, KindInfo]:
        return self._tables()[0]

    @property
    def _by_kind(self) -> dict[str, list[KindInfo]]:
        return self._tables()[1]

    def custom(self) -> list[KindInfo]:
        """The kinds established CRDs serve, by group then kind."""
        return sorted(self._custom.values(), key=lambda i: (i.group, i.kind))

    def served(self) -> list[KindInfo]:
        """Every kind served: built-ins in registry order, then the custom ones."""
        return [*REGISTRY, *self.custom()]

    def find(self, key: str) -> KindInfo | None:
        """Facts of a custom kind key, None when no established CRD serves it."""
        return self._custom.get(key)

    def info(self, key: str) -> KindInfo:
        """Facts of a kind key; NotFoundError for a kind not (or no longer) served."""
        if is_custom_key(key):
            found = self._custom.get(key)
            if found is None:
                kind, _, group = key.partition(".")
                raise NotFoundError(f'no matches for kind "{kind}" in group "{group}"')
            return found
        return builtin_info(key)

    def key(self, kind: str, group: str | None = None) -> str:
        """The key of (kind, group); see the module docstring for `group=None`."""
        if is_custom_key(kind) and group is None:
            self.info(kind)
            return kind
        if group is not None:
            if REGISTRY.lookup_kind(group, kind) is not None:
                return kind
            key = custom_key(kind, group)
            if key not in self._custom:
                raise NotFoundError(f'no matches for kind "{kind}" in group "{group}"')
            return key
        if REGISTRY.by_kind(kind) is not None:
            return kind
        matches = self._by_kind.get(kind, [])
        if len(matches) == 1:
            return custom_key(kind, matches[0].group)
        if not matches:
            raise NotFoundError(f'the server doesn\'t have a resource type "{kind}"')
        matches = sorted(matches, key=lambda m: m.group)
        listed = " ".join(f"{m.group}/{m.version}, Kind={m.kind}" for m in matches)
        raise AmbiguousKindError(f"{kind} matches multiple kinds [{listed}]: name the group "
                                 f"({', '.join(f'{kind}.{m.group}' for m in matches)})")

    def mapping(self, obj: Obj) -> tuple[str, KindInfo]:
        """The key and facts of the kind an object names, served at its apiVersion (the REST
        mapping: `no matches for kind "CronTab" in version "stable.example.com/v1"` otherwise); an
        object without an apiVersion gets the kind's preferred one."""
        kind = str(obj.get("kind", ""))
        api_version = str(obj.get("apiVersion") or "")
        if not api_version:
            key = self.key(kind)
            info = self.info(key)
            obj["apiVersion"] = info.api_version
            return key, info
        key = self.key_of(obj)
        group, version = split_api_version(api_version)
        found = self.find(key) if is_custom_key(key) else REGISTRY.lookup_kind(group, kind)
        if found is None or version not in found.versions:
            raise NotFoundError(f'no matches for kind "{kind}" in version "{api_version}"')
        return key, self.info(key)

    def key_of(self, obj: Obj) -> str:
        """The key of an object by its apiVersion and kind."""
        group, _ = split_api_version(str(obj.get("apiVersion") or ""))
        kind = str(obj.get("kind") or "")
        if not obj.get("apiVersion"):
            return self.key(kind)
        if REGISTRY.lookup_kind(group, kind) is not None:
            return kind
        return custom_key(kind, group) if group else kind

    def ref(self, info: KindInfo) -> str:
        """The key of a served kind's facts."""
        return custom_key(info.kind, info.group) if info.custom else info.kind
