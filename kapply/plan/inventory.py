"""Ownership and the inventory: what kapply applied from one source, and so what it may prune.

Lessons from kubectl's `--prune` (kubectl#572), Flux, kapp and Argo CD: pruning by label alone
deletes things nobody meant to delete. kapply prunes an object only when all of these hold:

1. it is listed in the inventory of this source (a ConfigMap `kapply-inventory-<id>` in namespace
   `default`, which every cluster has; `kube-system` is a system namespace users do not expect
   kapply to write into);
2. the live object still carries `app.kubernetes.io/managed-by: kapply` and
   `kapply.io/inventory: <id>` (someone who relabelled it took it over);
3. the folder no longer holds it;
4. it is not marked `kapply.io/prune: disabled`.

The inventory id comes from the source (`inventory_id_of`: the repository and the paths within it,
`kapply.load.origin`), or `--inventory ID`. The inventory records its source, so a run from another
source that reaches the same id is detected (`ownership.py`). The apply layer writes the
inventory; this module only reads and computes.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from kapply.errors import ValidationError
from kapply.load.origin import Origin
from kapply.model.keys import ResourceKey

MANAGED_BY = ("app.kubernetes.io/managed-by", "kapply")
INVENTORY_LABEL = "kapply.io/inventory"
PRUNE_ANNOTATION = "kapply.io/prune"
PRUNE_DISABLED = "disabled"
INVENTORY_NAMESPACE = "default"
INVENTORY_PREFIX = "kapply-inventory-"
INVENTORY_DATA_KEY = "objects"
SOURCE_DATA_KEY = "source"
ID_HASH = 10  # hex digits of the id's hash: 40 bits, so ids of distinct sources never meet in practice

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# ConfigMap names are DNS subdomains (253); the id is also a label value (63).
_MAX_ID = 63


def inventory_id_of(origin: Origin) -> str:
    """A stable, DNS-label-safe id for a source: `<basename>-<hash of its repositories and paths>`.

    The repository identity enters the hash, so two repositories that both keep manifests in
    `k8s/` get two inventories; the basename (of the first path, or of the repository for its
    root) only helps people recognise it.
    """
    text = "\n".join(f"{loc.repository}\0{loc.path}" for loc in origin.locations)
    digest = hashlib.sha256(text.encode()).hexdigest()[:ID_HASH]
    first = origin.locations[0] if origin.locations else None
    name = ""
    if first is not None:
        name = posixpath.basename(first.path.rstrip("/")) if first.path not in (".", "/", "-") else ""
        if not name:
            name = posixpath.basename(first.repository.rstrip("/")) or "root"
    return _id(name, digest)


def legacy_inventory_id(names: Sequence[str]) -> str:
    """The id kapply gave a source before source identities (`origin.legacy_source_names`): the
    inventory an earlier kapply wrote, which records no source."""
    digest = hashlib.sha256("\0".join(names).encode()).hexdigest()[:8]
    return _id(os.path.basename(os.path.abspath(names[0]).rstrip(os.sep)) or "root", digest)


def _id(name: str, digest: str) -> str:
    if os.path.splitext(name)[1] in (".yaml", ".yml", ".json"):
        name = os.path.splitext(name)[0]
    base = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "source"
    base = base[: _MAX_ID - len(digest) - 1].rstrip("-") or "source"
    return f"{base}-{digest}"


def inventory_id_for(paths: Sequence[str], override: str | None = None) -> str:
    """The inventory id of command-line paths, or `override` (checked).

    Reads the repositories the paths are in (`kapply.load.origin`); callers that have the source
    already use `inventory_id_of`.
    """
    if override:
        check_inventory_id(override)
        return override
    from kapply.load.origin import origin_of

    return inventory_id_of(origin_of(paths))


def check_inventory_id(inventory_id: str) -> None:
    """Raise ValidationError unless `inventory_id` can be a label value and a ConfigMap name part."""
    if len(inventory_id) > _MAX_ID or not _DNS_LABEL.match(inventory_id):
        raise ValidationError(
            f'invalid inventory id "{inventory_id}": a lowercase RFC 1123 label must consist of lower '
            "case alphanumeric characters or '-', and must start and end with an alphanumeric "
            "character (at most 63 characters)")


def inventory_name(inventory_id: str) -> str:
    """Name of the inventory ConfigMap of `inventory_id`."""
    return f"{INVENTORY_PREFIX}{inventory_id}"


def inventory_key(inventory_id: str) -> ResourceKey:
    """ResourceKey of the inventory ConfigMap of `inventory_id`."""
    return ResourceKey("", "ConfigMap", INVENTORY_NAMESPACE, inventory_name(inventory_id))


def ownership_labels(inventory_id: str | None) -> dict[str, str]:
    """The labels kapply puts on every object it applies (no inventory label when the objects are
    recorded in no inventory: standard input without `--inventory`)."""
    labels = {MANAGED_BY[0]: MANAGED_BY[1]}
    if inventory_id:
        labels[INVENTORY_LABEL] = inventory_id
    return labels


def is_managed(obj: Mapping) -> bool:
    """Whether a live object carries `app.kubernetes.io/managed-by: kapply`."""
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY[0]) == MANAGED_BY[1]


def owner_of(obj: Mapping) -> str | None:
    """The inventory id a live object is labelled with, or None if kapply does not manage it."""
    if not is_managed(obj):
        return None
    owner = ((obj.get("metadata") or {}).get("labels") or {}).get(INVENTORY_LABEL)
    return str(owner) if owner else None


def prune_disabled(obj: Mapping) -> bool:
    """Whether the object is marked `kapply.io/prune: disabled`."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(PRUNE_ANNOTATION, "")).lower() == PRUNE_DISABLED


@dataclass
class Inventory:
    """The keys of every object kapply applied from one source, as recorded in the cluster, and
    that source (None: written by a kapply that did not record sources)."""

    id: str
    keys: set[ResourceKey] = field(default_factory=set)
    source: Origin | None = None

    def to_configmap(self) -> dict:
        """The ConfigMap that records this inventory (data `objects`: JSON list, sorted; `source`:
        JSON list of {repository, path})."""
        objects = [{"group": k.group, "kind": k.kind, "namespace": k.namespace, "name": k.name}
                   for k in sorted(self.keys)]
        data = {INVENTORY_DATA_KEY: json.dumps(objects, separators=(",", ":"))}
        if self.source is not None:
            data[SOURCE_DATA_KEY] = json.dumps(self.source.to_json(), separators=(",", ":"))
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": inventory_name(self.id),
                "namespace": INVENTORY_NAMESPACE,
                "labels": ownership_labels(self.id),
                "annotations": {PRUNE_ANNOTATION: PRUNE_DISABLED},
            },
            "data": data,
        }

    @classmethod
    def from_configmap(cls, configmap: Mapping) -> Inventory:
        """Read an inventory ConfigMap; raises ValidationError when it is not one kapply wrote."""
        meta = configmap.get("metadata") or {}
        name = str(meta.get("name", ""))
        if configmap.get("kind") != "ConfigMap" or not name.startswith(INVENTORY_PREFIX):
            raise ValidationError(f'{meta.get("namespace", "")}/{name} is not a kapply inventory')
        inventory_id = name[len(INVENTORY_PREFIX):]
        data = configmap.get("data") or {}
        raw = data.get(INVENTORY_DATA_KEY, "[]")
        try:
            entries = json.loads(raw)
            keys = {ResourceKey(str(e["group"]), str(e["kind"]), str(e["namespace"]), str(e["name"]))
                    for e in entries}
            recorded = data.get(SOURCE_DATA_KEY)
            source = Origin.from_json(json.loads(recorded)) if recorded else None
        except (ValueError, TypeError, KeyError) as exc:
            raise ValidationError(
                f"inventory ConfigMap {INVENTORY_NAMESPACE}/{name} is corrupt ({exc}); "
                "delete it and re-apply to rebuild it") from exc
        return cls(inventory_id, keys, source)

    def rescoped(self, cluster_scoped: Collection[tuple[str, str]]) -> Inventory:
        """The inventory with the keys of cluster-scoped custom kinds in no namespace: a kapply that
        took such a kind for a namespaced one recorded it in `default`, and that key must still name
        the object (or it would look absent from the source, and be pruned)."""
        if not any((k.group, k.kind) in cluster_scoped and k.namespace for k in self.keys):
            return self
        keys = {replace(k, namespace="") if (k.group, k.kind) in cluster_scoped else k for k in self.keys}
        return Inventory(self.id, keys, self.source)

    def updated(self, applied: Iterable[ResourceKey], pruned: Iterable[ResourceKey],
                source: Origin | None = None) -> Inventory:
        """The next inventory: add what was applied, drop what was pruned (failed deletes stay);
        `source` replaces the recorded source when given."""
        keys = (self.keys | set(applied)) - set(pruned) - {inventory_key(self.id)}
        return Inventory(self.id, keys, source if source is not None else self.source)


@dataclass(frozen=True)
class PruneCandidate:
    key: ResourceKey
    live: dict | None
    prune: bool
    reason: str


def prune_candidates(inventory: Inventory | None, desired_keys: Iterable[ResourceKey],
                     live: Mapping[ResourceKey, dict]) -> list[PruneCandidate]:
    """Inventory objects absent from the folder: which may be pruned and, if not, why not."""
    if inventory is None:
        return []
    wanted = set(desired_keys)
    out = []
    for key in sorted(inventory.keys - wanted):
        obj = live.get(key)
        if obj is None:
            continue  # already gone; the next inventory forgets it
        owner = owner_of(obj)
        if owner is None:
            out.append(PruneCandidate(key, obj, False, "no longer labelled as managed by kapply"))
        elif owner != inventory.id:
            out.append(PruneCandidate(key, obj, False, f'labelled with another inventory "{owner}"'))
        elif prune_disabled(obj):
            out.append(PruneCandidate(key, obj, False, f"{PRUNE_ANNOTATION}: {PRUNE_DISABLED}"))
        else:
            out.append(PruneCandidate(key, obj, True, "absent from the source"))
    return out
