"""ControllerRevisions: the template history of StatefulSets and DaemonSets.

Mirrors pkg/controller/history (controller_history.go) and the revision helpers the two
controllers share: a revision stores its owner's pod template as the patch
`{"spec":{"template":{..., "$patch":"replace"}}}` (getPatch), a number (`revision`), the template
labels plus `controller-revision-hash`, and a controller ownerReference. Names are
`<owner>-<hash>` with the hash FNV-32 over the patch (plus the collision count), encoded as
rand.SafeEncodeString, so they look like `web-7b5d8f9c4d` and are stable across processes.
Pure functions, plus `owned` and `create` which go through the controller's context.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from kapply.cluster.sim.controllers.base import Context, Obj
from kapply.cluster.sim.controllers.deployment.revisions import safe_encode
from kapply.cluster.sim.helpers.podutil import parse_time
from kapply.cluster.sim.helpers.refmanager import claim_kind, controller_ref
from kapply.errors import AlreadyExistsError
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import Selector

HASH_LABEL = "controller-revision-hash"  # apps.ControllerRevisionHashLabelKey
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
MAX_PREFIX = 223  # ControllerRevisionName keeps names within 253 characters

_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193


def fnv32(data: bytes) -> int:
    """hash/fnv New32 (multiply, then xor: FNV-1, not FNV-1a)."""
    h = _FNV32_OFFSET
    for byte in data:
        h = ((h * _FNV32_PRIME) & 0xFFFFFFFF) ^ byte
    return h


def canonical(data: Any) -> bytes:
    """The JSON bytes a revision's data is compared and hashed by (sorted keys, as json.Marshal)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def template_patch(template: Obj | None) -> Obj:
    """getPatch: the revision data for a pod template."""
    body = deep_copy(template or {})
    body["$patch"] = "replace"
    return {"spec": {"template": body}}


def template_of(revision: Obj) -> Obj:
    """The pod template a revision holds (ApplyRevision's result for the template)."""
    body = deep_copy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    body.pop("$patch", None)
    return body


def hash_revision(data: Any, probe: int | None) -> str:
    """HashControllerRevision."""
    raw = canonical(data)
    if probe is not None:
        raw += str(probe).encode()
    return safe_encode(str(fnv32(raw)))


def revision_name(prefix: str, hash_: str) -> str:
    """ControllerRevisionName."""
    return f"{prefix[:MAX_PREFIX]}-{hash_}"


def number(revision: Obj) -> int:
    try:
        return int(revision.get("revision") or 0)
    except (TypeError, ValueError):
        return 0


def new_revision(parent: Obj, template_labels: dict[str, str] | None, data: Obj, revision: int,
                 collision_count: int | None, annotations: dict[str, str] | None = None) -> Obj:
    """NewControllerRevision: named and labelled by the hash of its data."""
    hash_ = hash_revision(data, collision_count)
    labels = dict(template_labels or {})
    labels[HASH_LABEL] = hash_
    meta: Obj = {"name": revision_name(parent["metadata"]["name"], hash_),
                 "namespace": parent["metadata"].get("namespace", ""), "labels": labels,
                 "ownerReferences": [controller_ref(parent)]}
    if annotations:
        meta["annotations"] = dict(annotations)
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta,
            "data": deep_copy(data), "revision": revision}


def sort_revisions(revisions: Iterable[Obj]) -> list[Obj]:
    """SortControllerRevisions: by revision, then creation time, then name."""
    def key(r: Obj) -> tuple[int, float, str]:
        created = parse_time(r["metadata"].get("creationTimestamp")) or 0.0
        return number(r), created, r["metadata"]["name"]
    return sorted(revisions, key=key)


def equal_revision(a: Obj | None, b: Obj | None) -> bool:
    """EqualRevision: same hash label (when both have one) and the same data."""
    if a is None or b is None:
        return a is b
    ha = (a["metadata"].get("labels") or {}).get(HASH_LABEL)
    hb = (b["metadata"].get("labels") or {}).get(HASH_LABEL)
    if ha and hb and ha != hb:
        return False
    return canonical(a.get("data")) == canonical(b.get("data"))


def find_equal(revisions: Sequence[Obj], needle: Obj) -> list[Obj]:
    """FindEqualRevisions."""
    return [r for r in revisions if equal_revision(r, needle)]


def next_revision(revisions: Sequence[Obj]) -> int:
    """nextRevision of a sorted history: the last one's number plus one."""
    return number(revisions[-1]) + 1 if revisions else 1


def owned(ctx: Context, parent: Obj, selector: Selector) -> list[Obj]:
    """The parent's ControllerRevisions, adopting orphans its selector matches (ListControllerRevisions
    plus AdoptOrphanRevisions)."""
    return claim_kind(ctx, parent, "ControllerRevision", selector)


def create(ctx: Context, parent: Obj, revision: Obj, collision_count: int) -> tuple[Obj, int]:
    """CreateControllerRevision: on a name collision with different data, bump the count and retry.
    Returns the stored revision and the collision count used."""
    while True:
        clone = deep_copy(revision)
        hash_ = hash_revision(clone["data"], collision_count)
        clone["metadata"]["name"] = revision_name(parent["metadata"]["name"], hash_)
        clone["metadata"].setdefault("labels", {})[HASH_LABEL] = hash_
        try:
            return ctx.create(clone), collision_count
        except AlreadyExistsError:
            meta = clone["metadata"]
            existing = ctx.get("ControllerRevision", meta["namespace"], meta["name"])
            if existing is not None and canonical(existing.get("data")) == canonical(clone["data"]):
                return existing, collision_count
            collision_count += 1


def set_number(ctx: Context, revision: Obj, value: int) -> Obj:
    """UpdateControllerRevision: renumber a revision (a rollback reuses an old one)."""
    if number(revision) == value:
        return revision
    updated = deep_copy(revision)
    updated["revision"] = value
    return ctx.update(updated)


# --- kubectl rollout history / undo for StatefulSets and DaemonSets (client side, pure) -------

def controlled_by(owner: Obj, revisions: Iterable[Obj]) -> list[Obj]:
    """kubectl's controlledHistory: the revisions whose controller is `owner`, by revision."""
    uid = owner["metadata"].get("uid")
    mine = [r for r in revisions if any(ref.get("controller") and ref.get("uid") == uid
                                        for ref in r["metadata"].get("ownerReferences") or ())]
    return sort_revisions(mine)


def find_history(to_revision: int, revisions: Sequence[Obj]) -> Obj | None:
    """kubectl's findHistory: the given revision, or (0) the one before the newest."""
    if to_revision == 0:
        ordered = sorted(revisions, key=number)
        return ordered[-2] if len(ordered) > 1 else None
    return next((r for r in revisions if number(r) == to_revision), None)


def rollback(owner: Obj, revisions: Sequence[Obj], to_revision: int = 0) -> tuple[str, Obj | None]:
    """kubectl's StatefulSetRollbacker / DaemonSetRollbacker: (message, object to write or None).

    Raises RollbackError with kubectl's texts."""
    from kapply.cluster.sim.controllers.deployment.rollback import ROLLED_BACK, SKIPPED, RollbackError

    if to_revision < 0:
        raise RollbackError(f"unable to find specified revision {to_revision} in history")
    mine = controlled_by(owner, revisions)
    if not mine:
        raise RollbackError("no last revision to roll back to")
    target = find_history(to_revision, mine)
    if target is None:
        raise RollbackError(f"unable to find specified revision {to_revision} in history")
    template = (owner.get("spec") or {}).get("template")
    if canonical(template_patch(template)) == canonical(target.get("data")):
        return f"{SKIPPED} (current template already matches revision {to_revision})", None
    restored = deep_copy(owner)
    restored["spec"]["template"] = template_of(target)
    return ROLLED_BACK, restored
