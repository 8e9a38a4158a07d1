"""The only writer: executes a Plan against a Cluster, in the plan's order.

Calculate, then apply (STYLE.md 2): the plan is computed and checked first; here it is
(1) refused whole if any change carries an API error, (2) dry-run through the cluster's admission
in full — on the embedded cluster as one throw-away transaction, so an object may depend on a
Namespace created earlier in the same plan — and only then (3) written. The inventory is widened
before any create (so a crash can never leave an applied object kapply cannot later prune) and
narrowed after prunes (failed deletes stay in it); it records the source the plan's ownership
says (`Ownership.record`). A plan without an inventory (standard input without `--inventory`)
writes none. `cascade` changes write nothing: the API server deletes those objects with their
Namespace. `kapply.apply.atomic` wraps this so concurrent applies do not race.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from kapply.cluster.protocol import Cluster, Transactional
from kapply.errors import ClusterError, InvalidError, NotFoundError
from kapply.model.jsoncopy import deep_copy
from kapply.model.keys import ResourceKey
from kapply.plan.change import Change
from kapply.plan.inventory import Inventory
from kapply.plan.plan import Plan

# kubectl's past participles for result lines: `deployment.apps/web created`.
_VERB = {"create": "created", "update": "configured", "replace": "replaced", "prune": "pruned",
         "cascade": "deleted", "unchanged": "unchanged", "skip": "skipped"}
KEPT = ("create", "update", "replace", "unchanged")  # actions whose objects the inventory lists
ESTABLISH_TIMEOUT, ESTABLISH_POLL = 60.0, 0.2  # seconds: a CRD of the plan becoming Established


@dataclass(frozen=True)
class Outcome:
    change: Change
    ok: bool
    message: str = ""  # the API error when not ok, the reason for skips
    error_reason: str = ""  # the API server's reason when not ok (Conflict, AlreadyExists, ...)

    @property
    def verb(self) -> str:
        return _VERB[self.change.action] if self.ok else "failed"

    def line(self, dry_run: bool = False) -> str:
        """kubectl-style result line."""
        if self.change.action == "cascade":  # `pod/web-1 deleted with namespace/x`
            return f"{self.change.key.ref} {self.change.reason}" + (" (dry run)" if dry_run else "")
        text = f"{self.change.key.ref} {self.verb}"
        if dry_run and self.ok and self.change.is_write:
            text += " (dry run)"
        if self.message and (not self.ok or self.change.action == "skip"):
            text += f": {self.message}"
        return text


@dataclass
class ApplyReport:
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def writes(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.change.is_write)

    def to_json(self) -> dict[str, Any]:
        return {
            "dryRun": self.dry_run,
            "results": [{"ref": o.change.key.ref, "action": o.change.action, "ok": o.ok,
                         "result": o.verb, "message": o.message or None} for o in self.outcomes],
            "failed": len(self.failed),
        }


class ApplyFailedError(ClusterError):
    """Server-side checks refused part of the plan; nothing was written."""

    code = 422
    reason = "Invalid"
    refused: list[Outcome] = []  # the refused changes, with the API server's messages


class _Refused(Exception):
    """Rolls back an embedded-cluster transaction in which some write was refused."""


def defined_kinds(plan: Plan) -> dict[tuple[str, str], str]:
    """(group, kind) -> CRD name, for the CustomResourceDefinitions this plan creates or updates."""
    found: dict[tuple[str, str], str] = {}
    for change in plan.changes:
        writes = change.action in ("create", "update", "replace")
        if change.key.kind == "CustomResourceDefinition" and writes and change.desired is not None:
            spec = change.desired.get("spec") or {}
            kind = (spec.get("names") or {}).get("kind")
            if isinstance(kind, str) and isinstance(spec.get("group"), str):
                found[(spec["group"], kind)] = change.key.name
    return found


def await_established(cluster: Cluster, names: Iterable[str], timeout: float = ESTABLISH_TIMEOUT,
                      sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait until these CRDs are Established (a real API server takes a moment), as kapp does
    before it creates their custom resources; ClusterError naming the CRD if one never is."""
    from kapply.model.crd import is_established

    pending = set(names)
    deadline = time.monotonic() + timeout
    while pending:
        for name in sorted(pending):
            with suppress(NotFoundError):
                if is_established(cluster.get("CustomResourceDefinition", "", name)):
                    pending.discard(name)
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise ClusterError(f"customresourcedefinition {sorted(pending)[0]} was not established within "
                               f"{timeout:g}s; its custom resources were not applied")
        sleep(ESTABLISH_POLL)


def _refusals(cluster: Cluster, plan: Plan, dry_run: bool) -> list[Outcome]:
    """Try every write; the refusals (empty: every write was admitted)."""
    refused: list[Outcome] = []
    defined = defined_kinds(plan) if dry_run else {}
    for change in plan.changes:
        if not change.is_write:
            continue
        try:
            _write(cluster, change, dry_run=dry_run)
        except NotFoundError as exc:
            if dry_run and "namespaces" in str(exc):
                continue  # created by this plan before it; a real server checks it at write time
            pending_kind = (change.key.group, change.key.kind) in defined
            if dry_run and pending_kind and "no matches for kind" in str(exc):
                continue  # its CRD is in this plan: checked when written, once the CRD is established
            refused.append(Outcome(change, False, str(exc), exc.reason))
        except ClusterError as exc:
            refused.append(Outcome(change, False, str(exc), exc.reason))
    return refused


def _refused_error(refused: list[Outcome]) -> ApplyFailedError:
    error = ApplyFailedError("the cluster refused part of the plan; nothing was applied:\n" +
                             "\n".join(f"  {o.change.key.ref}: {o.message}" for o in refused))
    error.refused = refused
    return error


def execute(cluster: Cluster, plan: Plan, inventory: Inventory | None, *, dry_run: bool = False,
            on_outcome: Callable[[Outcome], None] | None = None) -> ApplyReport:
    """Check the whole plan, then write it. Raises ApplyFailedError if any write would be refused.

    On the embedded cluster the writes run in one transaction that is rolled back if any write is
    refused, so either the whole plan lands or nothing does. On a real cluster every write is
    first dry-run on the server, then written; a failure then (a race with another writer) is
    reported per object and the rest goes on, as kubectl does.
    """
    plan.raise_for_errors()
    report = ApplyReport(dry_run)

    def record(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    def store(deleted: list[ResourceKey], *, widen: bool = False) -> None:
        nxt = next_inventory(plan, inventory, deleted, widen=widen)
        if nxt is not None:
            _store_inventory(cluster, nxt)

    writes = [c for c in plan.changes if c.is_write]
    if dry_run or not writes:
        if writes:
            if isinstance(cluster, Transactional):
                try:
                    with cluster.session(dry_run=True):
                        refused = _refusals(cluster, plan, dry_run=False)
                except ClusterError as exc:  # pragma: no cover - refusals are collected, not raised
                    refused = [Outcome(writes[0], False, str(exc), exc.reason)]
            else:
                refused = _refusals(cluster, plan, dry_run=True)
            if refused:
                raise _refused_error(refused)
        elif not dry_run:
            store([])
        for change in plan.changes:
            record(Outcome(change, True, change.reason))
        return report

    deleted = [c.key for c in plan.changes if c.action in ("prune", "cascade")]
    if isinstance(cluster, Transactional):
        try:
            with cluster.session():
                store([], widen=True)
                refused = _refusals(cluster, plan, dry_run=False)
                if refused:
                    raise _Refused
                store(deleted)
        except _Refused:
            raise _refused_error(refused) from None
        for change in plan.changes:
            record(Outcome(change, True, change.reason))
        return report

    refused = _refusals(cluster, plan, dry_run=True)
    if refused:
        raise _refused_error(refused)
    store([], widen=True)
    pruned: list[ResourceKey] = []
    failed_namespaces: set[str] = set()
    defined = defined_kinds(plan)
    for change in plan.changes:
        crd = defined.pop((change.key.group, change.key.kind), None) if change.is_write else None
        if crd is not None:  # the first custom resource of a CRD this plan wrote: wait for it to serve
            try:
                await_established(cluster, [crd])
            except ClusterError as exc:
                record(Outcome(change, False, str(exc), exc.reason))
                continue
        if change.action == "cascade" and change.key.namespace in failed_namespaces:
            record(Outcome(change, False, f"namespace/{change.key.namespace} was not deleted"))
            continue
        if not change.is_write:
            if change.action == "cascade":
                pruned.append(change.key)
            record(Outcome(change, True, change.reason))
            continue
        try:
            _write(cluster, change, dry_run=False)
        except ClusterError as exc:
            if change.action == "prune" and change.key.kind == "Namespace":
                failed_namespaces.add(change.key.name)
            record(Outcome(change, False, str(exc), exc.reason))
            continue
        if change.action == "prune":
            pruned.append(change.key)
        record(Outcome(change, True))
    store(pruned)
    return report


def next_inventory(plan: Plan, inventory: Inventory | None, deleted: Iterable[ResourceKey] = (), *,
                   widen: bool = False) -> Inventory | None:
    """The inventory to store after executing `plan` (widened: before its writes, nothing dropped);
    None when it stays as it is, or the plan has no inventory."""
    current = inventory or (Inventory(plan.inventory_id) if plan.inventory_id else None)
    if current is None:
        return None
    source = plan.ownership.record if plan.ownership is not None else None
    kept = [c.key for c in plan.changes if c.action in KEPT]
    nxt = current.updated(kept, () if widen else [*deleted, *plan.forgotten], source)
    changed = nxt.keys != current.keys or (inventory is not None and nxt.source != inventory.source)
    return nxt if changed else None


def _store_inventory(cluster: Cluster, inventory: Inventory) -> None:
    from kapply.apply.live import write_inventory

    write_inventory(cluster, inventory)


def _write(cluster: Cluster, change: Change, dry_run: bool) -> None:
    key = change.key
    if change.action == "create":
        cluster.create(_body(change), dry_run=dry_run)
    elif change.action == "update":
        cluster.update(_body(change), dry_run=dry_run)
    elif change.action == "replace":  # `kubectl replace --force --grace-period=0`: gone before re-created
        cluster.delete(key.kind, key.namespace, key.name, grace_seconds=0, dry_run=dry_run, group=key.group)
        body = _body(change)
        body["metadata"].pop("resourceVersion", None)
        body["metadata"].pop("uid", None)
        if not dry_run:
            cluster.create(body)
    elif change.action == "prune":
        with suppress(NotFoundError):  # already gone: the goal is reached
            cluster.delete(key.kind, key.namespace, key.name, propagation="Background", dry_run=dry_run,
                           group=key.group)
    else:  # pragma: no cover - plan actions are a closed set
        raise InvalidError(f"unknown plan action {change.action!r}")


def _body(change: Change) -> dict[str, Any]:
    assert change.desired is not None
    return deep_copy(change.desired)
