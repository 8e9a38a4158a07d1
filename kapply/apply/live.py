"""Reading what the cluster holds for a plan: the live objects and the inventory.

Reads per kind (one list call each) rather than per object, so fetching the live state of a
1,000-object folder costs a handful of calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from kapply.cluster.protocol import Cluster, Discovery
from kapply.errors import NotFoundError, ValidationError
from kapply.model.keys import ResourceKey
from kapply.model.kinds import REGISTRY, KindInfo
from kapply.plan.cascade import NOT_LISTED
from kapply.plan.inventory import INVENTORY_NAMESPACE, INVENTORY_PREFIX, MANAGED_BY, Inventory, inventory_name


def fetch_live(cluster: Cluster, keys: Iterable[ResourceKey],
               cluster_scoped: Collection[tuple[str, str]] = ()) -> dict[ResourceKey, dict[str, Any]]:
    """The live objects among `keys` (absent ones are simply missing from the result), keyed as
    `ResourceKey.of` keys them with the run's cluster-scoped custom kinds."""
    wanted: dict[tuple[str, str], set[ResourceKey]] = defaultdict(set)
    for key in keys:
        wanted[(key.group, key.kind)].add(key)
    live: dict[ResourceKey, dict[str, Any]] = {}
    served = served_kinds(cluster)
    for (group, kind), group_keys in wanted.items():
        if (group, kind) not in served:
            continue  # a kind this cluster does not serve (yet: its CRD is in the plan): nothing is live
        namespaces = {k.namespace for k in group_keys}
        scope = next(iter(namespaces)) if len(namespaces) == 1 else None
        for obj in cluster.list(kind, namespace=scope or None, group=group):
            key = ResourceKey.of(obj, cluster_scoped=cluster_scoped)
            if key in group_keys:
                live[key] = obj
    return live


def served_kind_infos(cluster: Cluster) -> list[KindInfo]:
    """Every kind the target serves now (its Discovery, else the built-ins)."""
    return cluster.served_kinds() if isinstance(cluster, Discovery) else list(REGISTRY)


def served_kinds(cluster: Cluster) -> set[tuple[str, str]]:
    """(group, kind) of every kind the target serves now."""
    return {(i.group, i.kind) for i in served_kind_infos(cluster)}


def read_inventory(cluster: Cluster, inventory_id: str) -> Inventory | None:
    """The inventory ConfigMap of this source, or None on first apply."""
    try:
        cm = cluster.get("ConfigMap", INVENTORY_NAMESPACE, inventory_name(inventory_id))
    except NotFoundError:
        return None
    return Inventory.from_configmap(cm)


def list_inventories(cluster: Cluster) -> list[Inventory]:
    """Every inventory in the cluster (one list call); unreadable ones are left out."""
    out = []
    for cm in cluster.list("ConfigMap", namespace=INVENTORY_NAMESPACE,
                           label_selector=f"{MANAGED_BY[0]}={MANAGED_BY[1]}"):
        if str((cm.get("metadata") or {}).get("name", "")).startswith(INVENTORY_PREFIX):
            try:
                out.append(Inventory.from_configmap(cm))
            except ValidationError:
                continue  # corrupt: reported when its own source reads it
    return out


def namespace_contents(cluster: Cluster, namespace: str) -> list[dict[str, Any]]:
    """Every object in a namespace (one list call per namespaced kind the cluster serves), Events
    excluded: what deleting the Namespace deletes."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for info in served_kind_infos(cluster):
        if not info.namespaced or info.kind in NOT_LISTED or (info.group, info.kind) in seen:
            continue
        seen.add((info.group, info.kind))
        try:
            out.extend(cluster.list(info.kind, namespace=namespace, group=info.group))
        except NotFoundError:
            continue  # a kind this cluster does not serve
    return out


def write_inventory(cluster: Cluster, inventory: Inventory) -> None:
    """Create or replace the inventory ConfigMap (kept in the cluster, like kapp's app record)."""
    body = inventory.to_configmap()
    try:
        current = cluster.get("ConfigMap", INVENTORY_NAMESPACE, inventory_name(inventory.id))
    except NotFoundError:
        cluster.create(body)
        return
    if current.get("data") == body.get("data") and \
            current.get("metadata", {}).get("labels") == body["metadata"].get("labels"):
        return
    body["metadata"]["resourceVersion"] = current["metadata"].get("resourceVersion")
    cluster.update(body)
