"""Reading what the cluster holds for a plan: the live objects and the inventory.

Reads per kind (one list call each) rather than per object, so fetching the live state of a
1,000-object folder costs a handful of calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kapply.cluster.protocol import Cluster
from kapply.errors import NotFoundError
from kapply.model.keys import ResourceKey
from kapply.model.kinds import REGISTRY
from kapply.plan.inventory import INVENTORY_NAMESPACE, Inventory, inventory_name


def fetch_live(cluster: Cluster, keys: Iterable[ResourceKey]) -> dict[ResourceKey, dict[str, Any]]:
    """The live objects among `keys` (absent ones are simply missing from the result)."""
    wanted: dict[tuple[str, str], set[ResourceKey]] = defaultdict(set)
    for key in keys:
        wanted[(key.group, key.kind)].add(key)
    live: dict[ResourceKey, dict[str, Any]] = {}
    for (group, kind), group_keys in wanted.items():
        if REGISTRY.lookup_kind(group, kind) is None:
            continue  # a kind this cluster does not serve: nothing of it can be live
        namespaces = {k.namespace for k in group_keys}
        scope = next(iter(namespaces)) if len(namespaces) == 1 else None
        for obj in cluster.list(kind, namespace=scope or None):
            key = ResourceKey.of(obj)
            if key in group_keys:
                live[key] = obj
    return live


def read_inventory(cluster: Cluster, inventory_id: str) -> Inventory | None:
    """The inventory ConfigMap of this source, or None on first apply."""
    try:
        cm = cluster.get("ConfigMap", INVENTORY_NAMESPACE, inventory_name(inventory_id))
    except NotFoundError:
        return None
    return Inventory.from_configmap(cm)


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
