"""Which inventory a run belongs to: its source (`kapply.load.origin`) against the cluster's inventories.

`resolve_source` is the one door for `diff`, `apply`, `prune` and `watch`:

1. `--inventory ID`: that inventory, whatever source it records (`ownership.relate` then says
   whether the run may write and prune it).
2. Standard input without `--inventory`: no inventory at all (each pipeline is its own).
3. Otherwise the id derived from the source (`inventory_id_of`); when no inventory has it, one
   list call over the inventories finds one recording this source, or the nearest enclosing one
   (the run is then a subset of it, e.g. one file of an applied folder), or the one an earlier
   kapply wrote for these paths (recording no source). Failing all that, the derived id is new.

The common case (re-applying a folder) costs one GET; the source itself is read from the git
config without running git.
"""

from __future__ import annotations

from collections.abc import Sequence

from kapply.apply.live import list_inventories, read_inventory
from kapply.cluster.protocol import Cluster
from kapply.load.origin import Origin, legacy_source_names, origin_of
from kapply.plan.inventory import check_inventory_id, inventory_id_of, legacy_inventory_id
from kapply.plan.ownership import Ownership, choose, relate


def resolve_source(cluster: Cluster, paths: Sequence[str], inventory: str | None = None,
                   same_source: bool = False, origin: Origin | None = None) -> Ownership:
    """The inventory a run of `paths` writes and how the run relates to it (rules above).

    Raises nothing about the relation itself: `Ownership.check` decides what is refused.
    """
    source = origin if origin is not None else origin_of(paths)
    if inventory:
        check_inventory_id(inventory)
        found = read_inventory(cluster, inventory)
        return Ownership(inventory, source, relate(source, found), found.source if found else None,
                         same_source)
    if source.reads_stdin:
        return Ownership(None, source, "none")
    derived = inventory_id_of(source)
    found = read_inventory(cluster, derived)
    if found is None:
        found = choose(source, list_inventories(cluster), legacy_inventory_id(legacy_source_names(paths)))
    chosen = found.id if found is not None else derived
    return Ownership(chosen, source, relate(source, found), found.source if found else None, same_source)
