"""kubectl's resource arguments: `pods`, `deploy/web`, `deployment web`, `deploy,svc`, `all`."""

from __future__ import annotations

from collections.abc import Sequence

from kapply.errors import UnknownKindError, UsageError
from kapply.model.kinds import REGISTRY, KindInfo

# `kubectl get all`: the workload and service kinds.
ALL = ("Pod", "Service", "Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet",
       "Job", "CronJob", "HorizontalPodAutoscaler")


def resolve_kind(text: str) -> KindInfo:
    info = REGISTRY.resolve(text)
    if info is None:
        raise UnknownKindError(f'the server doesn\'t have a resource type "{text}"')
    return info


def parse_targets(args: Sequence[str]) -> list[tuple[KindInfo, str | None]]:
    """Turn `get`'s positional arguments into (kind, name or None) pairs, kubectl's way."""
    if not args:
        raise UsageError("you must specify the type of resource to get (e.g. `kapply get pods`)")
    if all("/" in a for a in args):
        out = []
        for arg in args:
            kind, _, name = arg.partition("/")
            if not name:
                raise UsageError("arguments in resource/name form must have a single resource and name: "
                                 f"{arg}")
            out.append((resolve_kind(kind), name))
        return out
    if any("/" in a for a in args):
        raise UsageError("there is no need to specify a resource type as a separate argument when "
                         "passing arguments in resource/name form "
                         "(e.g. 'kapply get resource/<resource_name>' "
                         "instead of 'kapply get resource resource/<resource_name>')")
    kinds_text, *names = args
    kinds: list[KindInfo] = []
    for part in kinds_text.split(","):
        if part == "all":
            kinds.extend(info for k in ALL if (info := REGISTRY.by_kind(k)) is not None)
        else:
            kinds.append(resolve_kind(part))
    if names:
        if len(kinds) > 1:
            raise UsageError("you may only specify a single resource type when naming objects")
        return [(kinds[0], n) for n in names]
    return [(k, None) for k in kinds]
