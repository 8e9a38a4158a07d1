"""The contract between the simulation runtime and its controllers.

The embedded cluster is a discrete-event simulation shaped like kube-controller-manager:
each controller is a level-triggered `sync(ctx, key)` fed by a work queue. After every committed
write the runtime shows the `Change` to each controller's `watches()`, which answers the keys it
must re-sync (a Pod change wakes its ReplicaSet, its Services' Endpoints, ...). Things that happen
later are timers (`ctx.requeue_at`), persisted in the store, never polling.

Rules for controllers (they keep the simulation deterministic and fast):
- read only through `ctx` (an in-memory, indexed view kept current by every write);
- objects returned by `ctx.get/list` are shared: never mutate them, `deep_copy` them first;
- one mutation per sync where Kubernetes does so (scale up *or* down), then return: the write
  itself re-queues what depends on it;
- time is `ctx.now` (virtual epoch seconds), randomness is `ctx.random` (seeded).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from kapply.model.selectors import Selector

Obj = dict[str, Any]
ChangeType = Literal["ADDED", "MODIFIED", "DELETED"]


@dataclass(frozen=True)
class Change:
    """A committed write: the object after it (its last state for DELETED) and before it."""

    type: ChangeType
    kind: str
    obj: Obj
    old: Obj | None = None

    @property
    def namespace(self) -> str:
        return str(self.obj.get("metadata", {}).get("namespace", ""))

    @property
    def name(self) -> str:
        return str(self.obj.get("metadata", {}).get("name", ""))


class Context(Protocol):
    """What a controller may see and do during one sync."""

    now: float
    random: random.Random

    @property
    def settings(self) -> Any:  # kapply.cluster.sim.settings.ClusterSettings
        ...

    def get(self, kind: str, namespace: str, name: str) -> Obj | None: ...

    def list(self, kind: str, namespace: str | None = None, selector: Selector | None = None,
             node: str | None = None, owner_uid: str | None = None) -> list[Obj]: ...

    def create(self, obj: Obj) -> Obj: ...

    def update(self, obj: Obj) -> Obj: ...

    def update_status(self, obj: Obj) -> Obj: ...

    def delete(self, kind: str, namespace: str, name: str, grace_seconds: float | None = None,
               propagation: str = "Background") -> None: ...

    def record_event(self, obj: Obj, type_: str, reason: str, message: str) -> None: ...

    @property
    def memory(self) -> dict[str, Any]:
        """What this controller remembers between syncs (JSON values), kept with the cluster."""
        ...

    def requeue_at(self, when: float, key: str, housekeeping: bool = False) -> None:
        """Run this controller's sync(key) at virtual time `when` (persisted timer); a
        housekeeping timer (a periodic resync) does not keep `advance --until-idle` going."""
        ...

    def requeue_after(self, seconds: float, key: str) -> None: ...

    def due(self, key: str) -> float | None:
        """When this controller's pending timer for `key` fires (None if none is pending)."""
        ...


class Controller(Protocol):
    name: str

    def watches(self, change: Change) -> Iterable[str]:
        """Keys of this controller that must re-sync after `change`."""
        ...

    def sync(self, ctx: Context, key: str) -> None: ...


def ns_key(obj: Obj) -> str:
    """The work-queue key of a namespaced object: `namespace/name`."""
    meta = obj.get("metadata", {})
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


def split_key(key: str) -> tuple[str, str]:
    namespace, _, name = key.partition("/")
    return namespace, name


def controller_of(obj: Obj) -> dict[str, Any] | None:
    """The ownerReference with controller=true, as metav1.GetControllerOf."""
    for ref in obj.get("metadata", {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def controller_keys(change: Change, kind: str) -> set[str]:
    """`namespace/name` of the controllers of `kind` of the changed object, before and after
    (a pod released or adopted wakes both owners)."""
    keys = set()
    for obj in (change.obj, change.old):
        ref = controller_of(obj) if obj is not None else None
        if obj is not None and ref is not None and ref.get("kind") == kind:
            keys.add(f"{obj.get('metadata', {}).get('namespace', '')}/{ref.get('name', '')}")
    return keys
