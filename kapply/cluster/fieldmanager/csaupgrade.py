"""Moving an object from client-side apply to server-side apply without dropping or duplicating a
field (k8s.io/client-go util/csaupgrade, which `kubectl apply --server-side` runs first).

A client-side applier writes Update entries (`kubectl-client-side-apply` for kubectl). If the
server-side applier then applied the same configuration, the Update entry would keep owning every
field, so a field later dropped from the configuration would never be removed; if the Update
entry were simply dropped, fields it alone owned would be pruned. `upgrade_managed_fields` does
what kubectl does: the client-side manager's fields are given to the server-side manager's Apply
entry (created in its place when absent) and the Update entry goes.

kapply's own client-side record is the `kapply.io/last-applied` annotation, and its Update
entry (`kapply`, the User-Agent's manager) also holds what other kapply commands wrote (`kapply
scale`). So `take_over_last_applied` moves only the fields of the record whose live value still
equals it: a replica count set by `kapply scale` stays with the Update entry (kept, not pruned),
a field edited by someone else since stays theirs (a conflict if the file disagrees). Both return
the new managedFields list, or None when nothing changes; `upgrade_patch` is kubectl's JSON patch.
"""

from __future__ import annotations

import json
from typing import Any

from kapply.cluster.fieldmanager import typed
from kapply.cluster.fieldmanager.compare import compare
from kapply.cluster.fieldmanager.fieldpath import EMPTY, FieldSet, from_fields_v1, to_fields_v1
from kapply.cluster.fieldmanager.managers import APPLY, SERVER_FIELDS, UPDATE
from kapply.validate.structure import Node, root_type

Obj = dict[str, Any]
Entry = dict[str, Any]

KUBECTL_CSA_MANAGER = "kubectl-client-side-apply"
KAPPLY_LAST_APPLIED = "kapply.io/last-applied"


def _fields(entry: Entry) -> FieldSet:
    try:
        return from_fields_v1(entry.get("fieldsV1") or {})
    except ValueError:
        return EMPTY


def _entries(obj: Obj) -> list[Entry]:
    found = (obj.get("metadata") or {}).get("managedFields")
    return [dict(e) for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def _upgraded(entries: list[Entry], csa_manager: str, ssa_manager: str, subresource: str) -> list[Entry]:
    """upgradedManagedFields: fold one client-side manager into the server-side one."""
    def is_ssa(e: Entry) -> bool:
        return (e.get("manager") == ssa_manager and e.get("operation") == APPLY
                and (e.get("subresource") or "") == subresource)

    def is_csa(e: Entry) -> bool:
        return (e.get("manager") == csa_manager and e.get("operation") == UPDATE
                and (e.get("subresource") or "") == subresource)

    target = next((i for i, e in enumerate(entries) if is_ssa(e)), None)
    if target is None:
        target = next((i for i, e in enumerate(entries) if is_csa(e)), None)
        if target is None:
            return entries
        entries[target] = {**entries[target], "operation": APPLY, "manager": ssa_manager}
    ssa = entries[target]
    csa = next((e for e in entries if is_csa(e) and e.get("apiVersion") == ssa.get("apiVersion")), None)
    combined = _fields(ssa) if csa is None else _fields(ssa).union(_fields(csa))
    entries[target] = {**ssa, "fieldsV1": to_fields_v1(combined)}
    return [e for e in entries if not is_csa(e)]


def upgrade_managed_fields(obj: Obj, csa_managers: set[str], ssa_manager: str,
                           subresource: str = "") -> list[Entry] | None:
    """The managedFields after moving `csa_managers`' Update entries to `ssa_manager`'s Apply entry
    (csaupgrade.UpgradeManagedFields); None when nothing changes."""
    entries = _entries(obj)
    if not entries:
        return None
    before = json.dumps(entries, sort_keys=True)
    for csa_manager in sorted(csa_managers):
        entries = _upgraded(entries, csa_manager, ssa_manager, subresource)
    return None if json.dumps(entries, sort_keys=True) == before else entries


def upgrade_patch(obj: Obj, entries: list[Entry]) -> list[dict[str, Any]]:
    """kubectl's JSON patch for an upgrade, guarded by the object's resourceVersion."""
    return [{"op": "replace", "path": "/metadata/managedFields", "value": entries},
            {"op": "replace", "path": "/metadata/resourceVersion",
             "value": (obj.get("metadata") or {}).get("resourceVersion", "")}]


def recorded(obj: Obj, annotation: str) -> Obj | None:
    """The configuration a client-side applier recorded in `annotation`; None if absent or unreadable."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(annotation) if isinstance(annotations, dict) else None
    if not isinstance(text, str) or not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def still_applied(obj: Obj, last_applied: Obj, node: Node) -> FieldSet:
    """The fields of `last_applied` whose value `obj` still holds (kubectl's
    allowedConflictsFromLastApplied: what the record says and nobody has changed since)."""
    live = {k: v for k, v in obj.items() if k != "metadata"}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    live["metadata"] = meta
    cmp = compare(last_applied, live, node)
    return (typed.to_set(last_applied, node).difference(cmp.modified).difference(cmp.added)
            .difference(cmp.removed))


def take_over_last_applied(obj: Obj, node: Node, ssa_manager: str, csa_managers: set[str],
                           annotation: str = KAPPLY_LAST_APPLIED) -> list[Entry] | None:
    """The managedFields after giving `ssa_manager` (an Apply entry at the object's apiVersion) the
    fields of the client-side record in `annotation` that the object still holds, taken from the
    Update entries of `csa_managers`; None when there is no record or nothing changes."""
    record = recorded(obj, annotation)
    if record is None:
        return None
    api_version = str(obj.get("apiVersion") or "")
    claimed = still_applied(obj, record, node).difference(SERVER_FIELDS)
    if claimed.empty():
        return None
    entries = _entries(obj)
    out: list[Entry] = []
    ssa_entry: Entry | None = None
    for entry in entries:
        if entry.get("manager") == ssa_manager and entry.get("operation") == APPLY \
                and not entry.get("subresource"):
            ssa_entry = entry
            continue
        if entry.get("manager") in csa_managers and entry.get("operation") == UPDATE \
                and not entry.get("subresource"):
            rest = _fields(entry).difference(claimed)
            if rest.empty():
                continue
            entry = {**entry, "fieldsV1": to_fields_v1(rest)}
        out.append(entry)
    held = _fields(ssa_entry) if ssa_entry is not None else EMPTY
    ssa_entry = dict(ssa_entry or {"manager": ssa_manager, "operation": APPLY})
    ssa_entry.update(apiVersion=ssa_entry.get("apiVersion") or api_version, fieldsType="FieldsV1",
                     fieldsV1=to_fields_v1(held.union(claimed)))
    out.insert(0, ssa_entry)
    if json.dumps(out, sort_keys=True) == json.dumps(entries, sort_keys=True):
        return None
    return out


def takeover_patch(live: Obj, ssa_manager: str) -> list[dict[str, Any]] | None:
    """The JSON patch that hands a client-side applied object to `ssa_manager` before its first
    server-side apply: kubectl's `kubectl-client-side-apply` entry upgraded as kubectl does, and
    the fields of kapply's `kapply.io/last-applied` record taken from `ssa_manager`'s own Update
    entry (the User-Agent manager kapply's client-side writes carry). None: nothing to hand over.
    The caller patches with it (`patch_type="json"`), then applies."""

    obj = dict(live)
    entries = upgrade_managed_fields(obj, {KUBECTL_CSA_MANAGER}, ssa_manager)
    if entries is not None:
        obj["metadata"] = {**obj["metadata"], "managedFields": entries}
    node = root_type(str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""))
    taken = take_over_last_applied(obj, node, ssa_manager, {ssa_manager})
    if taken is not None:
        entries = taken
    return None if entries is None else upgrade_patch(live, entries)
