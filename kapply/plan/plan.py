"""Calculate, then apply: `make_plan` computes every change apply would make, as a `Plan` value.

`diff` renders a Plan (`render.py`), `apply --dry-run` is the same Plan, and `apply` executes it, so
they can never disagree. Pure: no I/O; the caller fetches the live objects and the inventory.

Per desired object (in apply order, `order.py`):

- absent from the cluster -> `create`;
- present but not kapply's (no `app.kubernetes.io/managed-by: kapply` label, or another
  inventory's; for a run recorded in no inventory, any inventory's) -> `skip`, unless `adopt`;
- otherwise the three-way merge (`three_way.py`) gives the object to write: equal to live ->
  `unchanged`; an immutable field changed -> `replace` with `force_replace`, else an `update`
  carrying the API server's error in `error` (apply refuses the whole plan); else `update`.

Then, with `prune`, the inventory objects the source no longer holds (`inventory.py`), in reverse
apply order: `prune`, or `skip` with the reason it is kept. Every object inside a pruned Namespace
that is not pruned itself follows that Namespace as `cascade` (`cascade.py`): the API server
deletes it with the Namespace, and the executor writes nothing for it.

JSON format `kapply.io/plan/v1` (`Plan.to_json`), stable for CI jobs and bots::

    {
      "apiVersion": "kapply.io/plan/v1",
      "kind": "Plan",
      "inventory": "<inventory id>",
      "hasChanges": true,             # any create/update/replace/prune
      "hasErrors": false,             # any change the API server would refuse
      "summary": {"create": 1, "update": 0, "replace": 0, "prune": 0, "cascade": 0, "unchanged": 2,
                  "skip": 0, "error": 0},  # per action; "error" counts refused updates (in "update")
      "changes": [                    # every object, in execution order (prunes last)
        {"action": "create|update|replace|prune|cascade|unchanged|skip",
         "object": {"group": "apps", "kind": "Deployment", "namespace": "default", "name": "web"},
         "ref": "deployment.apps/web",
         "fields": [{"op": "add|remove|replace", "path": "spec.replicas",
                     "segments": ["spec", "replicas"], "old": 1, "new": 3}],
         "reason": "...",             # only when set (skip, prune, replace; cascade: "deleted with
                                      # namespace/<name>")
         "error": "..."}              # only when set
      ],
      "ownership": {                  # how this run relates to its inventory (plan/ownership.py)
        "relation": "new|same|subset|unknown|other|none",
        "source": [{"repository": "github.com/org/repo", "path": "k8s"}],   # this run's
        "recorded": [...] | null      # what the inventory records (null: nothing, or no inventory)
      }
    }

`inventory` is null when the objects are recorded in no inventory (standard input without
`--inventory`). A `cascade` change has no field changes (the object goes whole, with its Namespace).

A create is one field change `{"op": "add", "path": "", "new": <object>}`, a prune
`{"op": "remove", "path": "", "old": <object>}`; objects are shown normalised (no status, no
server-set metadata). New keys may be added within v1 (`cascade`, `ownership` were); none is
removed or renamed.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kapply.errors import InvalidError, PruneRefusedError, ValidationError
from kapply.model.keys import ResourceKey
from kapply.model.kinds import REGISTRY
from kapply.plan.change import ACTIONS, WRITES, Change, FieldChange, diff
from kapply.plan.inventory import (
    INVENTORY_LABEL,
    Inventory,
    is_managed,
    owner_of,
    ownership_labels,
    prune_candidates,
)
from kapply.plan.normalize import SERVER_METADATA, mentioned, normalize
from kapply.plan.order import apply_order, prune_order
from kapply.plan.ownership import Ownership
from kapply.plan.three_way import LAST_APPLIED, merge, merge_keeps_live, strip_nulls
from kapply.validate.rules.immutable import immutable_causes, invalid_message

PLAN_FORMAT = "kapply.io/plan/v1"
KUBECTL_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
NOT_MANAGED = "exists and is not managed by kapply (use --adopt to take it over)"
FROM_STDIN = ("exists and was applied by kapply from standard input without --inventory "
              "(use --adopt to take it over)")


@dataclass(frozen=True)
class Plan:
    """Every change apply would make, in execution order (prunes last, in reverse order)."""

    changes: tuple[Change, ...]
    inventory_id: str | None  # None: the objects are recorded in no inventory (stdin)
    # Inventory entries whose objects are gone from the cluster (deleted by hand) and from the
    # source: nothing to prune, but the next inventory should forget them (known when pruning).
    forgotten: tuple[ResourceKey, ...] = ()
    ownership: Ownership | None = None  # how the run relates to the inventory (ownership.py)

    def counts(self) -> dict[str, int]:
        """Number of changes per action, plus `error` (refused updates)."""
        out = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            out[change.action] += 1
        out["error"] = len(self.errors)
        return out

    @property
    def has_changes(self) -> bool:
        """Whether applying this plan writes anything."""
        return any(c.action in WRITES for c in self.changes)

    @property
    def errors(self) -> tuple[Change, ...]:
        """Changes the API server would refuse (immutable fields); apply must not start."""
        return tuple(c for c in self.changes if c.error)

    def raise_for_errors(self) -> None:
        """Raise InvalidError naming every refused change, if any."""
        errors = self.errors
        if errors:
            message = "\n".join(c.error for c in errors) + (
                "\nnothing was applied; use --force-replace to delete and re-create objects whose "
                "immutable fields changed")
            raise InvalidError(message, [(c.key.display, c.error) for c in errors])

    @property
    def applied(self) -> tuple[Change, ...]:
        """The changes of the source's own objects (not prunes, cascades or kept inventory objects)."""
        return tuple(c for c in self.changes if c.action in ("create", "update", "replace", "unchanged")
                     or (c.action == "skip" and c.desired is not None))

    def to_json(self) -> dict[str, Any]:
        """The documented `kapply.io/plan/v1` form (see the module docstring)."""
        out: dict[str, Any] = {
            "apiVersion": PLAN_FORMAT,
            "kind": "Plan",
            "inventory": self.inventory_id,
            "hasChanges": self.has_changes,
            "hasErrors": bool(self.errors),
            "summary": self.counts(),
            "changes": [c.to_json() for c in self.changes],
        }
        if self.ownership is not None:
            out["ownership"] = self.ownership.to_json()
        return out


def make_plan(desired: Sequence[dict], live: Mapping[ResourceKey, dict], inventory: Inventory | None, *,
              inventory_id: str | None, prune: bool, adopt: bool = False, force_replace: bool = False,
              allow_empty: bool = False, ownership: Ownership | None = None,
              cluster_scoped: Collection[tuple[str, str]] = ()) -> Plan:
    """Compute the plan for `desired` against `live` (keyed live objects the caller fetched);
    `cluster_scoped` names the cluster-scoped custom kinds (`ResourceKey.of`)."""
    if prune and not desired and not allow_empty:
        raise PruneRefusedError(
            "refusing to prune: the source holds no objects, so every object kapply applied from it "
            "would be deleted (use --allow-empty if that is what you want)")
    labels = ownership_labels(inventory_id)
    seen: dict[ResourceKey, int] = {}
    planned: list[Change] = []
    for index, obj in enumerate(desired):
        key = ResourceKey.of(obj, cluster_scoped=cluster_scoped)
        if not key.name:  # apply finds objects by name; each run would create another one
            raise ValidationError(f"{key.kind} with generateName "
                                  f"{json.dumps((obj.get('metadata') or {}).get('generateName'))}: "
                                  "cannot use generate name with apply")
        if key in seen:
            raise ValidationError(
                f"{key.display} is defined more than once (documents {seen[key] + 1} and {index + 1})")
        seen[key] = index
        planned.append(plan_object(obj, key, live.get(key), labels, adopt=adopt,
                                   force_replace=force_replace))
    changes = apply_order(planned, key=lambda c: c.key)
    if prune:
        removals = []
        for cand in prune_candidates(inventory, seen, live):
            if cand.prune:
                fields = (FieldChange("remove", (), normalize(cand.live or {}), None),)
                removals.append(Change("prune", cand.key, None, cand.live, fields, cand.reason))
            else:
                removals.append(Change("skip", cand.key, None, cand.live, (), f"not pruned: {cand.reason}"))
        changes.extend(prune_order(removals, key=lambda c: c.key))
    forgotten: tuple[ResourceKey, ...] = ()
    if prune and inventory is not None:
        forgotten = tuple(sorted(inventory.keys - set(seen) - set(live)))
    return Plan(tuple(changes), inventory_id, forgotten, ownership)


def plan_object(obj: dict, key: ResourceKey, live: dict | None, labels: Mapping[str, str], *,
                adopt: bool = False, force_replace: bool = False) -> Change:
    """The change for one desired object against its live version (None: absent)."""
    applied = _owned(obj, key, labels)
    annotation = json.dumps(applied, sort_keys=True, separators=(",", ":"), default=str)
    if live is None:
        fresh = _annotated(strip_nulls(applied), annotation)
        return Change("create", key, fresh, None, (FieldChange("add", (), None, normalize(fresh)),))
    owner = owner_of(live)
    inventory_id = labels.get(INVENTORY_LABEL)
    if (owner != inventory_id or not is_managed(live)) and not adopt:
        return Change("skip", key, obj, live, (),
                      _not_ours(live, owner, inventory_id))
    last = last_applied_of(live)
    recorded = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if recorded == annotation and merge_keeps_live(last, applied, live, parsed=True):
        return Change("unchanged", key, _annotated(live, annotation), live, ())  # the re-apply fast path
    merged = _annotated(merge(last, applied, live), annotation)
    if merged == live:
        return Change("unchanged", key, merged, live, ())
    mask = mentioned(applied, last)
    causes = immutable_causes(key.kind, live, merged)
    if causes:
        fresh = _annotated(strip_nulls(applied), annotation)
        fields = diff(normalize(live, desired=mask), normalize(fresh, desired=mask), key.kind)
        reason = "immutable field changed: " + ", ".join(path for path, _ in causes)
        if force_replace:
            return Change("replace", key, fresh, live, fields, reason)
        return Change("update", key, merged, live, fields, reason, error=invalid_message(key, causes))
    fields = diff(normalize(live, desired=mask), normalize(merged, desired=mask), key.kind)
    if not fields:  # only kapply's bookkeeping or allocated fields differ: show that honestly
        fields = diff(live, merged, key.kind)
        if not fields:  # differences the API server does not see (null vs absent)
            return Change("unchanged", key, merged, live, ())
    return Change("update", key, merged, live, fields)


def _not_ours(live: Mapping, owner: str | None, inventory_id: str | None) -> str:
    """Why an existing object is left alone, and what would take it over."""
    if not is_managed(live):
        return NOT_MANAGED
    if owner is None:
        return FROM_STDIN
    if inventory_id is None:  # standard input without --inventory meets an inventory's object
        return (f'exists and is managed by kapply inventory "{owner}" (use --inventory {owner}, '
                "or --adopt to take it over)")
    return f'exists and is managed by kapply inventory "{owner}" (use --adopt to take it over)'


def last_applied_of(live: Mapping) -> dict | None:
    """What kapply (or, before adoption, kubectl) last applied to this object, if recorded."""
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    for name in (LAST_APPLIED, KUBECTL_LAST_APPLIED):
        raw = annotations.get(name)
        if raw:
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def _owned(obj: dict, key: ResourceKey, labels: Mapping[str, str]) -> dict:
    """The desired object as kapply writes it: ownership labels and namespace spelled out, no status
    or server-set metadata (`creationTimestamp: null` from `kubectl create --dry-run -o yaml`)."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in SERVER_METADATA}
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    info = REGISTRY.lookup_kind(key.group, key.kind)
    if key.namespace and (info is None or info.namespaced):
        meta["namespace"] = key.namespace
    annotations = meta.get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        meta["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}


def _annotated(obj: dict, annotation: str) -> dict:
    meta = dict(obj.get("metadata") or {})
    meta["annotations"] = {**(meta.get("annotations") or {}), LAST_APPLIED: annotation}
    return {**obj, "metadata": meta}
