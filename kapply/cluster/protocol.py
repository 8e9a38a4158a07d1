"""The `Cluster` protocol: what apply, plan, watch and the CLI need from a cluster.

Kubernetes-shaped and small, so the embedded cluster (`kapply.cluster.sim`) and a real one
(`kapply.cluster.kube`, the official client) are interchangeable: objects are plain dicts as the
API serialises them, errors are `kapply.errors.ClusterError` subclasses carrying the API server's
messages.

A kind is named by its kind string and, optionally, its API group: every method taking `kind` also
takes the keyword `group`. `group=None` means "the one kind of that name this target serves" (what
built-in callers mean by `"Deployment"`; a built-in kind wins over a custom one of the same name, as
kubectl's REST mapper prefers the built-in groups); when several custom groups serve that name (two
CustomResourceDefinitions both defining `Widget`), the target raises
`kapply.errors.AmbiguousKindError` naming them. A caller that knows the group (a `ResourceKey`
does) passes it. `Discovery` says which kinds a target serves right now: the built-ins of
`kapply.model.kinds` plus the kinds of its established CustomResourceDefinitions.

What only some targets can do is a small optional protocol a caller checks with `isinstance`
(DESIGN.md §8), never a `getattr` probe: `Transactional` (one transaction around many calls),
`VirtualClock` (time that moves when asked).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from kapply.errors import ClusterError
from kapply.model.kinds import KindInfo

Obj = dict[str, Any]


class ResourceExpiredError(ClusterError):
    """A watch asked for a resourceVersion older than the kept history (HTTP 410 Gone)."""

    code = 410
    reason = "Expired"


@dataclass(frozen=True)
class WatchEvent:
    type: Literal["ADDED", "MODIFIED", "DELETED"] | str
    object: Obj


PatchType = Literal["json", "merge", "strategic", "apply"]


@runtime_checkable
class ServerSideApply(Protocol):
    """A target that applies server-side: managedFields decide what a dropped field removes.

    `apply` merges the configuration `obj` into the live object (creating it when absent) with
    structured-merge-diff semantics, as field manager `field_manager`. A field another manager
    owns with a different value raises `kapply.errors.ApplyConflictError` (409, naming managers
    and fields) unless `force`. `dry_run` runs admission and returns the would-be object.
    """

    def apply(self, obj: Obj, *, field_manager: str, force: bool = False, dry_run: bool = False) -> Obj:
        ...


class Cluster(Protocol):
    name: str

    def get(self, kind: str, namespace: str, name: str, *, group: str | None = None) -> Obj:
        """The object; NotFoundError if absent. Cluster-scoped kinds take namespace ""."""
        ...

    def list(self, kind: str, namespace: str | None = None, label_selector: Any = None,
             field_selector: str | None = None, *, group: str | None = None) -> list[Obj]:
        """Objects of a kind; namespace None means all namespaces."""
        ...

    def create(self, obj: Obj, dry_run: bool = False, *, field_manager: str | None = None) -> Obj:
        """Create; `field_manager` names the writer in managedFields (default: kapply's own)."""
        ...

    def update(self, obj: Obj, dry_run: bool = False, *, field_manager: str | None = None) -> Obj:
        """Replace; ConflictError when metadata.resourceVersion is stale."""
        ...

    def update_status(self, obj: Obj, *, field_manager: str | None = None) -> Obj:
        """Replace the status (the /status subresource)."""
        ...

    def patch(self, kind: str, namespace: str, name: str, body: Any, patch_type: str = "strategic",
              dry_run: bool = False, *, field_manager: str | None = None, force: bool = False,
              group: str | None = None) -> Obj:
        """patch_type: "json" (RFC 6902, `body` a list of operations), "merge" (RFC 7386),
        "strategic", or "apply" (server-side apply of the configuration `body`; `force` takes
        conflicting fields, and is refused with the other types)."""
        ...

    def delete(self, kind: str, namespace: str, name: str, grace_seconds: float | None = None,
               propagation: str = "Background", dry_run: bool = False, *,
               group: str | None = None) -> Obj | None:
        """Returns the object while it is still terminating (finalizers), None once gone."""
        ...

    def events(self, namespace: str | None = None, involved: Obj | None = None) -> list[Obj]:
        """core/v1 Events, oldest first; only those about `involved` when given."""
        ...

    def watch(self, kind: str, namespace: str | None = None, resource_version: str | None = None,
              label_selector: str | None = None, timeout_seconds: float = 0.0, *,
              group: str | None = None) -> Iterator[WatchEvent]:
        """Changes after resource_version (ResourceExpiredError if too old)."""
        ...

    def now(self) -> float:
        """The cluster's time (virtual for the embedded cluster), epoch seconds."""
        ...


@runtime_checkable
class ActsOn(Protocol):
    """A cluster that knows which kinds its controllers act on (the embedded one: not every kind)."""

    def acts_on(self, kind: str, *, group: str | None = None) -> bool:
        """Whether something in the cluster acts on objects of `kind` (writes their status)."""
        ...


@runtime_checkable
class Discovery(Protocol):
    """A target that says which kinds it serves now (the API server's discovery).

    The answer is the per-target view: the built-in kinds of `kapply.model.kinds.REGISTRY` the
    target serves, plus one `KindInfo` per kind of each established CustomResourceDefinition (its
    plural, short names, scope, served versions (the preferred one first), categories,
    subresources, printer columns, scale paths). Resource arguments (`kapply get crontab`), apply ordering,
    live-state reads and `kapply serve`'s discovery all ask this, never the built-in registry
    alone, so a kind a CRD adds is known everywhere the moment it is established.
    """

    def served_kinds(self) -> list[KindInfo]:
        ...


@runtime_checkable
class Transactional(Protocol):
    """A target that can run many calls as one transaction (the embedded cluster).

    Inside `session()` every read sees, and every write joins, one transaction: committed when
    the block ends, rolled back if it raises, so writers from other processes wait rather than
    interleave. `dry_run=True` rolls back even a successful block. A session opened inside
    another joins it: its own `dry_run` is then ignored, so a dry run never nests in a session.
    """

    def session(self, advance: float = 0.0, dry_run: bool = False) -> AbstractContextManager[Any]:
        ...


@runtime_checkable
class VirtualClock(Protocol):
    """A target whose time is simulated (the embedded cluster); with a manual clock it moves only
    when asked, so waiting means jumping to the next due event."""

    @property
    def settings(self) -> Any:
        """The target's settings; `settings.manual_clock` says whether time moves by itself."""
        ...

    def next_due(self) -> float | None:
        """Virtual time of the next pending event; None when nothing is due."""
        ...

    def advance(self, seconds: float) -> Any:
        """Move the clock forward, running everything due on the way."""
        ...


# ---- optional abilities ---------------------------------------------------------------------------
# What a long-running API front end (`kapply serve`) needs beyond the protocol above. A caller checks
# each with isinstance(); a target that lacks one is still a Cluster.


@dataclass(frozen=True)
class ListPage:
    """One page of a list, read at `resource_version`; `continue_token` is "" on the last page."""

    items: list[Obj]
    resource_version: str
    continue_token: str = ""
    remaining: int | None = None  # objects after this page (remainingItemCount), when known


class ContinueExpiredError(ResourceExpiredError):
    """A continue token whose list can no longer be continued consistently (HTTP 410)."""


@runtime_checkable
class PagedLists(Protocol):
    """Lists in pages (limit / continue), each stamped with the resourceVersion it reflects."""

    def list_page(self, kind: str, namespace: str | None = None, label_selector: Any = None,
                  field_selector: str | None = None, limit: int = 0, continue_token: str = "",
                  shared: bool = False, *, group: str | None = None) -> ListPage:
        """Up to `limit` objects (0: all) after the continue token's position, in namespace/name order.

        A continue token is opaque; a malformed one is a BadRequestError, one that can no longer be
        continued a ContinueExpiredError. With `shared` the items may be the cluster's own objects
        (no copy): the caller only reads them, at once (to encode an answer).
        """
        ...


@dataclass(frozen=True)
class Change:
    """One committed write as the change log holds it (DELETED carries the last state)."""

    resource_version: int
    type: str  # ADDED, MODIFIED, DELETED
    kind: str
    object: Obj
    group: str = ""  # the kind's API group ("" for the core group)


@runtime_checkable
class ChangeFeed(Protocol):
    """The cluster-wide change log, for watchers that fan out changes themselves."""

    def resource_version(self) -> str:
        """The newest committed resourceVersion."""
        ...

    def changes_since(self, resource_version: int, limit: int = 0) -> list[Change]:
        """Every change after `resource_version`, oldest first (at most `limit` when > 0);
        ResourceExpiredError when that history was compacted away."""
        ...

    def changed_elsewhere(self) -> bool:
        """Whether another process committed since the last call (a cheap check, no rows read)."""
        ...


@runtime_checkable
class ControlPlane(Protocol):
    """A cluster whose controllers its host drives in real time (the embedded cluster)."""

    def run_due(self) -> float | None:
        """Catch up to now (due timers fire, other writers' changes are picked up); returns the wall
        seconds until the next timer is due, None when none is pending or time does not flow."""
        ...


@runtime_checkable
class Subresources(Protocol):
    """The /status, /log and /eviction subresources."""

    def write_status(self, obj: Obj, dry_run: bool = False, *, field_manager: str | None = None) -> Obj:
        """Replace only the status (PUT .../status); Conflict on a stale resourceVersion."""
        ...

    def patch_status(self, kind: str, namespace: str, name: str, body: Any, patch_type: str = "merge",
                     dry_run: bool = False, *, field_manager: str | None = None,
                     group: str | None = None) -> Obj:
        """Patch only the status (PATCH .../status, json / merge / strategic): other changes in the
        patch are ignored."""
        ...

    def pod_log(self, namespace: str, name: str, container: str | None = None,
                previous: bool = False) -> str:
        """A container's log; a BadRequest-shaped ClusterError when it has none (yet)."""
        ...

    def evict(self, namespace: str, name: str, grace_seconds: float | None = None,
              dry_run: bool = False) -> None:
        """The eviction subresource: delete the pod if its disruption budgets allow it."""
        ...


@runtime_checkable
class CheckedDeletes(Protocol):
    """Deletes with preconditions, and deletecollection, each one transaction."""

    def delete_checked(self, kind: str, namespace: str, name: str, grace_seconds: float | None = None,
                       propagation: str = "Background", dry_run: bool = False, uid: str | None = None,
                       resource_version: str | None = None, *, group: str | None = None) -> Obj | None:
        """Delete if the object still has that uid / resourceVersion (Conflict otherwise)."""
        ...

    def delete_collection(self, kind: str, namespace: str | None = None, label_selector: Any = None,
                          field_selector: str | None = None, grace_seconds: float | None = None,
                          propagation: str = "Background", dry_run: bool = False, *,
                          group: str | None = None) -> list[Obj]:
        """Delete every matching object; returns them as they were when deleted."""
        ...
