"""Revisions, the pod-template-hash, and which ReplicaSet is "new", as pure functions.

Mirrors the revision half of pkg/controller/deployment/util/deployment_util.go and
controller.ComputeHash: each ReplicaSet of a Deployment carries `deployment.kubernetes.io/revision`;
the new one (template equal to the Deployment's, ignoring the hash label) gets max(old) + 1, and
the Deployment mirrors it. Rollback (`rollback.py`) and `rollout history` read the same annotations.

The pod-template-hash is FNV-1a (32 bit) over the canonical JSON of the pod template (plus the
collision count, if any), rendered like Kubernetes' rand.SafeEncodeString of the decimal value,
so names look like `web-5f76cf6ccf` and are stable across processes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from typing import Any

from kapply.cluster.sim.controllers.deployment.util import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    annotations,
    by_creation,
    creation_key,
    max_surge,
    set_replicas_annotations,
    spec_replicas,
)

Obj = dict[str, Any]

POD_TEMPLATE_HASH_LABEL = "pod-template-hash"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
KAPPLY_LAST_APPLIED_ANNOTATION = "kapply.io/last-applied"  # kapply's twin of kubectl's
DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to"
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000

# Annotations of a Deployment that are not copied to its ReplicaSets (and back on rollback).
ANNOTATIONS_TO_SKIP = frozenset({
    LAST_APPLIED_ANNOTATION, KAPPLY_LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO,
})

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def fnv1a_32(data: bytes) -> int:
    h = _FNV_OFFSET
    for byte in data:
        h ^= byte
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: map each character into an alphabet without vowels or look-alikes."""
    return "".join(SAFE_ALPHABET[ord(ch) % len(SAFE_ALPHABET)] for ch in text)


def pod_template_hash(template: Obj, collision_count: int | None = None) -> str:
    """A stable hash of a pod template, e.g. `5f76cf6ccf` (controller.ComputeHash)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += str(collision_count).encode()
    return safe_encode(str(fnv1a_32(data)))


def template_without_hash(template: Obj | None) -> Obj:
    t = copy.deepcopy(template or {})
    labels = (t.get("metadata") or {}).get("labels")
    if labels is not None:
        labels.pop(POD_TEMPLATE_HASH_LABEL, None)
        if not labels:
            del t["metadata"]["labels"]
    if "metadata" in t and not t["metadata"]:
        del t["metadata"]
    return t


def _hashless_view(template: Obj | None) -> Obj:
    """`template_without_hash` without copying: shares everything but the two dicts it edits.

    Only for comparing; never mutate the result.
    """
    t = template or {}
    meta = t.get("metadata")
    labels = meta.get("labels") if meta else None
    if labels is not None and (POD_TEMPLATE_HASH_LABEL in labels or not labels):
        meta = {k: v for k, v in meta.items() if k != "labels"}
        rest = {k: v for k, v in labels.items() if k != POD_TEMPLATE_HASH_LABEL}
        if rest:
            meta["labels"] = rest
    if "metadata" in t and (meta is not t["metadata"] or not meta):
        t = {k: v for k, v in t.items() if k != "metadata"}
        if meta:
            t["metadata"] = meta
    return t


def equal_ignore_hash(a: Obj | None, b: Obj | None) -> bool:
    """Two pod templates equal except for the pod-template-hash label (EqualIgnoreHash)."""
    return _hashless_view(a) == _hashless_view(b)


def template_of(obj: Obj) -> Obj:
    return (obj.get("spec") or {}).get("template") or {}


def find_new_replica_set(deployment: Obj, rss: Iterable[Obj]) -> Obj | None:
    """The oldest ReplicaSet whose template matches the Deployment's (FindNewReplicaSet)."""
    for rs in by_creation(rss):
        if equal_ignore_hash(template_of(rs), template_of(deployment)):
            return rs
    return None


def find_old_replica_sets(deployment: Obj, rss: Sequence[Obj]) -> tuple[list[Obj], list[Obj]]:
    """(old ReplicaSets with replicas, all old ReplicaSets) (FindOldReplicaSets)."""
    new_rs = find_new_replica_set(deployment, rss)
    new_uid = new_rs["metadata"].get("uid") if new_rs else None
    all_old = [rs for rs in rss if new_rs is None or rs["metadata"].get("uid") != new_uid]
    return [rs for rs in all_old if spec_replicas(rs) != 0], all_old


def revision(obj: Obj) -> int | None:
    """The revision annotation as an int; None when absent or malformed."""
    value = annotations(obj).get(REVISION_ANNOTATION)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def max_revision(rss: Iterable[Obj]) -> int:
    return max((revision(rs) or 0 for rs in rss), default=0)


def by_revision(rss: Iterable[Obj]) -> list[Obj]:
    """ReplicaSetsByRevision: revision ascending, ties by creation time."""
    return sorted(rss, key=lambda rs: (revision(rs) or 0, creation_key(rs)))


def set_deployment_revision(deployment: Obj, value: str) -> bool:
    """Mirror the new ReplicaSet's revision on the Deployment; True if changed."""
    meta = deployment.setdefault("metadata", {})
    ann = meta.get("annotations")
    if ann is None:
        ann = meta["annotations"] = {}
    if ann.get(REVISION_ANNOTATION) == value:
        return False
    ann[REVISION_ANNOTATION] = value
    return True


def copy_deployment_annotations(deployment: Obj, rs: Obj) -> bool:
    """Copy the Deployment's annotations (but the skipped ones) onto the ReplicaSet; True if changed."""
    meta = rs.setdefault("metadata", {})
    rs_ann = meta.get("annotations")
    if rs_ann is None:
        rs_ann = meta["annotations"] = {}
    changed = False
    for key, value in annotations(deployment).items():
        if key in ANNOTATIONS_TO_SKIP or rs_ann.get(key) == value:
            continue
        rs_ann[key] = value
        changed = True
    return changed


def set_new_replica_set_annotations(deployment: Obj, rs: Obj, new_revision: str, exists: bool,
                                    history_limit_chars: int = MAX_REV_HISTORY_LENGTH_IN_CHARS) -> bool:
    """SetNewReplicaSetAnnotations: copied annotations, revision (+history on rollback), sizes."""
    changed = copy_deployment_annotations(deployment, rs)
    ann = rs["metadata"]["annotations"]
    had_revision = REVISION_ANNOTATION in ann
    old_revision = ann.get(REVISION_ANNOTATION, "")
    try:
        old_int = int(old_revision) if old_revision else 0
    except ValueError:
        return False
    new_int = int(new_revision)
    if old_int < new_int:
        ann[REVISION_ANNOTATION] = new_revision
        changed = True
        if had_revision:
            # Rolling back to this ReplicaSet: keep the revisions it used to have.
            history = ann.get(REVISION_HISTORY_ANNOTATION, "")
            if not history:
                ann[REVISION_HISTORY_ANNOTATION] = old_revision
            else:
                olds = history.split(",")
                total = len(history) + len(old_revision) + 1
                start = 0
                while total > history_limit_chars and start < len(olds):
                    total -= len(olds[start]) + 1
                    start += 1
                if total <= history_limit_chars:
                    ann[REVISION_HISTORY_ANNOTATION] = ",".join([*olds[start:], old_revision])
    if not exists:
        replicas = spec_replicas(deployment)
        if set_replicas_annotations(rs, replicas, replicas + max_surge(deployment)):
            changed = True
    return changed


def rollback_annotations(deployment: Obj, rs: Obj) -> dict[str, str]:
    """The Deployment's annotations after rolling back to `rs` (SetDeploymentAnnotationsTo)."""
    result = {k: v for k, v in annotations(deployment).items() if k in ANNOTATIONS_TO_SKIP}
    result.update({k: v for k, v in annotations(rs).items() if k not in ANNOTATIONS_TO_SKIP})
    return result
