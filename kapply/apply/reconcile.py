"""One reconcile: load -> validate -> read live state -> plan, then (optionally) execute.

`diff`, `apply`, `apply --dry-run`, `prune` and `watch` all come through here, so they share one
plan and can never disagree. Nothing is planned from a folder that failed to load or validate:
`InvalidInputError` carries the validation report and no object is touched (in particular, no
prune runs on a partial view of the folder). Which inventory a run writes, and whether it may
prune, is decided by `kapply.apply.ownership.resolve_source` and checked in `plan_objects`; a
pruned Namespace's content is listed there too (`kapply.plan.cascade`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from kapply.apply.live import fetch_live, namespace_contents, read_inventory, served_kind_infos
from kapply.apply.ownership import resolve_source
from kapply.cluster.protocol import Cluster, Transactional
from kapply.errors import ClusterError, ValidationError
from kapply.model.crd import cluster_scoped_kinds
from kapply.model.keys import ResourceKey
from kapply.plan.cascade import pruned_namespaces, with_cascade
from kapply.plan.inventory import Inventory
from kapply.plan.ownership import Ownership
from kapply.plan.plan import Plan, make_plan
from kapply.validate.diagnostics import Report
from kapply.validate.pipeline import Validated, ValidateOptions, validate_paths


class InvalidInputError(ValidationError):
    """The folder failed to load or validate; nothing was planned or written."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.errors)} error(s) in the input; the cluster was not touched "
                         f"({report.summary()})")
        self.report = report


@dataclass(frozen=True)
class PlanOptions:
    prune: bool = False
    adopt: bool = False
    force_replace: bool = False
    allow_empty: bool = False
    inventory: str | None = None  # overrides the id derived from the paths
    validate: ValidateOptions = field(default_factory=ValidateOptions)
    same_source: bool = False  # the inventory's recorded source is this one (moved, renamed)


@dataclass
class Prepared:
    validated: Validated | None
    plan: Plan
    inventory: Inventory | None


def load_desired(paths: Sequence[str], options: PlanOptions, stdin: Any = None) -> Validated:
    """Load and validate; raises InvalidInputError unless everything is valid."""
    validated = validate_paths(paths, options.validate, stdin=stdin)
    if not validated.report.ok:
        raise InvalidInputError(validated.report)
    return validated


def plan_objects(cluster: Cluster, desired: Sequence[dict[str, Any]], inventory_id: str | None,
                 options: PlanOptions, scope: Collection[ResourceKey] | None = None,
                 ownership: Ownership | None = None) -> tuple[Plan, Inventory | None]:
    """Plan already-validated objects against the cluster's live state and inventory.

    `scope` (the watcher's incremental reconciles) narrows the plan to those keys: the desired
    objects and the inventory entries among them. `desired` is still the whole source, so the
    empty-source guard sees the whole. The inventory returned is the whole one, as execute needs.

    With `ownership` (from `resolve_source`; its inventory id is the one used), the plan records
    the source the inventory keeps, and an inventory that records another source, as read now, is
    refused (OwnershipError) before anything is planned. Whether the run may prune
    (`Ownership.check_prune`) is the caller's to check against what it will delete: `plan_source`
    checks `options.prune`; the watcher, which plans prunes only to report them, its `--prune`.
    Without `ownership` (callers that pick the id themselves), nothing is checked or recorded.
    """
    if ownership is not None:
        inventory_id = ownership.inventory_id
    scoped = cluster_scoped_kinds(desired, served_kind_infos(cluster))
    inventory = read_inventory(cluster, inventory_id) if inventory_id is not None else None
    if inventory is not None:
        inventory = inventory.rescoped(scoped)
    prune = options.prune
    if ownership is not None:
        ownership = ownership.against(inventory)
        ownership.check_source()
        # the rest of the source is not "absent" from a part of it: nothing to prune, or report
        prune = prune and (ownership.relation != "subset" or ownership.same_source)
    planned, known = desired, inventory
    if scope is not None:
        planned = [obj for obj in desired if ResourceKey.of(obj, cluster_scoped=scoped) in scope]
        if inventory is not None:
            known = replace(inventory, keys=inventory.keys & set(scope))
    keys = {ResourceKey.of(obj, cluster_scoped=scoped) for obj in planned}
    if prune and known is not None:
        keys |= known.keys
    live = fetch_live(cluster, keys, scoped)
    plan = make_plan(planned, live, known, inventory_id=inventory_id, prune=prune,
                     adopt=options.adopt, force_replace=options.force_replace,
                     allow_empty=options.allow_empty or bool(desired), ownership=ownership,
                     cluster_scoped=scoped)
    namespaces = pruned_namespaces(plan)
    if namespaces:  # the whole source's objects: none of them may go with a pruned Namespace
        plan = with_cascade(plan, {ResourceKey.of(obj, cluster_scoped=scoped) for obj in desired},
                            {ns: namespace_contents(cluster, ns) for ns in namespaces})
    return settled(cluster, plan), inventory


def settled(cluster: Cluster, plan: Plan) -> Plan:
    """The plan with every update the API server would turn into a no-op marked `unchanged`.

    The plan is computed without the server's defaults, so an update that clears a defaulted field
    (an explicit `replicas: null`) looks like a change on every run although the server defaults the
    field straight back. As `kubectl diff` does, such updates are dry-run on the server: one whose
    result equals the live object is no change (diff exits 0, apply writes nothing). Only updates
    whose manifest holds an explicit null or a write-only field (a Secret's `stringData`) can be
    such a no-op (a field dropped from the file is dropped from the record too), so only those pay
    for a dry run.
    """
    updates = [i for i, c in enumerate(plan.changes)
               if c.action == "update" and not c.error and _may_be_no_op(c.desired)]
    if not updates:
        return plan
    from kapply.model.jsoncopy import deep_copy

    changes = list(plan.changes)
    with cluster.session(dry_run=True) if isinstance(cluster, Transactional) else nullcontext():
        for i in updates:
            change = changes[i]
            try:
                assert change.desired is not None  # updates carry what they write
                result = cluster.update(deep_copy(change.desired), dry_run=True)
            except ClusterError:
                continue  # apply reports the refusal
            if _stored_form(result) == _stored_form(change.live):
                changes[i] = replace(change, action="unchanged", fields=())
    return dataclasses.replace(plan, changes=tuple(changes))


def _may_be_no_op(obj: Any) -> bool:
    from kapply.plan.three_way import LAST_APPLIED

    record = (((obj or {}).get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED) or ""
    return any(token in record for token in (":null", "[null", ",null", '"stringData":'))


def _stored_form(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    meta = {k: v for k, v in (obj.get("metadata") or {}).items()
            if k not in ("resourceVersion", "managedFields")}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}


def plan_source(cluster: Cluster, validated: Validated, paths: Sequence[str],
                options: PlanOptions) -> Prepared:
    """Resolve the source's inventory and plan the validated objects (what `prepare` does after
    loading; `apply` repeats it inside its write transaction)."""
    ownership = resolve_source(cluster, paths, options.inventory, options.same_source)
    ownership.check(options.prune)
    objects = [d.obj for d in validated.documents]
    plan, inventory = plan_objects(cluster, objects, ownership.inventory_id, options, ownership=ownership)
    return Prepared(validated, plan, inventory)


def prepare(cluster: Cluster, paths: Sequence[str], options: PlanOptions, stdin: Any = None) -> Prepared:
    """Everything up to the plan, for `diff`, `apply` and `prune`."""
    return plan_source(cluster, load_desired(paths, options, stdin), paths, options)
