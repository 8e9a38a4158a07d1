"""kubectl's resource arguments: `pods`, `deploy/web`, `deployment web`, `deploy,svc`, `all`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kapply.cluster.protocol import Discovery
from kapply.errors import UnknownKindError, UsageError
from kapply.model.kinds import REGISTRY, KindInfo, KindRegistry, discovery_order


def in_all(registry: KindRegistry) -> list[KindInfo]:
    """The kinds `get all` lists: the category `all` (the registry's facts, and any CRD's), in
    discovery order, as kubectl's category expansion reads them."""
    return sorted((i for i in registry if "all" in i.categories), key=discovery_order)


def served(target: Any) -> KindRegistry:
    """The kinds a target serves now (its Discovery: built-ins plus its CRDs' kinds), as a registry
    that resolves kubectl's names; the built-in registry for a target without discovery."""
    if isinstance(target, Discovery):
        return KindRegistry(tuple(target.served_kinds()))
    return REGISTRY


def _registry(kinds: KindRegistry | Iterable[KindInfo] | None) -> KindRegistry:
    if kinds is None:
        return REGISTRY
    return kinds if isinstance(kinds, KindRegistry) else KindRegistry(tuple(kinds))


def resolve_kind(text: str, kinds: KindRegistry | Iterable[KindInfo] | None = None) -> KindInfo:
    """`deploy`, `crontabs`, `ct`, `crontab.stable.example.com`: the kind kubectl would pick (built-ins
    first, as its REST mapper prefers the built-in groups)."""
    info = _registry(kinds).resolve(text)
    if info is None:
        raise UnknownKindError(f'the server doesn\'t have a resource type "{text}"')
    return info


def parse_targets(args: Sequence[str], kinds: KindRegistry | Iterable[KindInfo] | None = None
                  ) -> list[tuple[KindInfo, str | None]]:
    """Turn `get`'s positional arguments into (kind, name or None) pairs, kubectl's way."""
    if not args:
        raise UsageError("you must specify the type of resource to get (e.g. `kapply get pods`)")
    registry = _registry(kinds)
    if all("/" in a for a in args):
        out = []
        for arg in args:
            kind, _, name = arg.partition("/")
            if not name:
                raise UsageError("arguments in resource/name form must have a single resource and name: "
                                 f"{arg}")
            out.append((resolve_kind(kind, registry), name))
        return out
    if any("/" in a for a in args):
        raise UsageError("there is no need to specify a resource type as a separate argument when "
                         "passing arguments in resource/name form "
                         "(e.g. 'kapply get resource/<resource_name>' "
                         "instead of 'kapply get resource resource/<resource_name>')")
    kinds_text, *names = args
    found: list[KindInfo] = []
    for part in kinds_text.split(","):
        if part == "all":
            found.extend(in_all(registry))
        else:
            found.append(resolve_kind(part, registry))
    if names:
        if len(found) > 1:
            raise UsageError("you may only specify a single resource type when naming objects")
        return [(found[0], n) for n in names]
    return [(k, None) for k in found]
