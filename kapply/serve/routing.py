"""Resource URLs and verbs: which resource, namespace, name and subresource a request is about.

The API server's layout: `/api/v1/RESOURCE[/NAME[/SUBRESOURCE]]` for cluster-scoped resources and
lists across namespaces, `/api/v1/namespaces/NS/RESOURCE[/NAME[/SUBRESOURCE]]` for namespaced ones
(`/apis/GROUP/VERSION/...` for the named groups), the namespaces' own subresources at
`/api/v1/namespaces/NAME/status`, and the deprecated `/api/v1/watch/...` prefix. The verb follows
from the method, whether a name is given and `?watch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from kapply.serve import resources
from kapply.serve.resources import Resource
from kapply.serve.status import bad_request, method_not_allowed, not_found_path


@dataclass(frozen=True)
class Target:
    resource: Resource
    namespace: str | None  # None: cluster-scoped, or a list across all namespaces
    name: str | None = None
    subresource: str | None = None
    watch_prefix: bool = False


def parse_path(path: str) -> Target:
    """The target of a resource URL; 404 Status for anything else."""
    segments = [s for s in path.split("/") if s]
    if len(segments) >= 3 and segments[0] == "api":
        group, version, rest = "", segments[1], segments[2:]
    elif len(segments) >= 4 and segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        raise not_found_path()
    watch = bool(rest) and rest[0] == "watch"
    if watch:
        rest = rest[1:]
    if len(rest) >= 3 and rest[0] == "namespaces":
        found = resources.lookup(group, version, rest[2])
        if found is not None and found.namespaced and len(rest) <= 5:
            return _target(found, rest[1], rest[3:], watch)
        namespaces = resources.lookup(group, version, "namespaces")
        if namespaces is not None and len(rest) == 3 and namespaces.subresource(rest[2]):
            return Target(namespaces, None, rest[1], rest[2], watch)
        raise not_found_path()
    found = resources.lookup(group, version, rest[0]) if rest else None
    if found is None or len(rest) > 3 or (found.namespaced and len(rest) > 1):
        raise not_found_path()
    return _target(found, None, rest[1:], watch)


def _target(resource: Resource, namespace: str | None, rest: list[str], watch: bool) -> Target:
    name = rest[0] if rest else None
    sub = rest[1] if len(rest) > 1 else None
    if sub is not None and resource.subresource(sub) is None:
        raise not_found_path()
    return Target(resource, namespace, name, sub, watch)


class Query:
    """The query string, with the API server's parsing of booleans and integers."""

    def __init__(self, text: str) -> None:
        self._values = parse_qs(text, keep_blank_values=True)

    def get(self, name: str, default: str = "") -> str:
        values = self._values.get(name)
        return values[-1] if values else default

    def has(self, name: str) -> bool:
        return name in self._values

    def all(self, name: str) -> list[str]:
        return list(self._values.get(name, ()))

    def flag(self, name: str) -> bool:
        """`?watch`, `?watch=1`, `?watch=true`; false for `0`, `false` or absent."""
        if name not in self._values:
            return False
        return self.get(name).lower() not in ("0", "false")

    def integer(self, name: str, default: int | None = None) -> int | None:
        text = self.get(name)
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            raise bad_request(
                f'invalid value for {name}: strconv.ParseInt: parsing "{text}": invalid syntax'
            ) from None


def verb_of(method: str, target: Target, query: Query) -> str:
    """get, list, watch, create, update, patch, delete, deletecollection (405 otherwise)."""
    method = method.upper()
    if target.subresource:
        verb = {"GET": "get", "PUT": "update", "PATCH": "patch", "POST": "create"}.get(method)
        sub = target.resource.subresource(target.subresource)
        if verb is None or sub is None or verb not in sub.verbs:
            raise method_not_allowed()
        return verb
    if method == "GET":
        if target.watch_prefix or query.flag("watch"):
            return "watch"
        return "get" if target.name else "list"
    verb = {
        ("POST", False): "create",
        ("PUT", True): "update",
        ("PATCH", True): "patch",
        ("DELETE", True): "delete",
        ("DELETE", False): "deletecollection",
    }.get((method, bool(target.name)))
    if verb is None or verb not in target.resource.verbs:
        raise method_not_allowed()
    if verb == "create" and target.resource.namespaced and target.namespace is None:
        raise method_not_allowed()  # POST /api/v1/pods: creates need the namespace in the URL
    if verb == "deletecollection" and target.resource.namespaced and target.namespace is None:
        raise method_not_allowed()
    return verb
