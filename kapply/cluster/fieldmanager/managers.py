"""managedFields entries: who owns which fields, decoded, merged and encoded as the API server does
(k8s.io/apimachinery managedfields/internal: managedfields.go, capmanagers.go, conflict.go).

An entry is `{manager, operation: Apply|Update, apiVersion, time, fieldsType: FieldsV1,
fieldsV1, subresource}`. Its identity is (manager, operation, subresource), plus apiVersion for an
Update: an Apply entry moves to the version last applied with, while each version an Update
manager wrote with is its own entry. Entries are listed Apply before Update, then by time,
manager, apiVersion and subresource. Beyond ten Update entries the oldest are folded into one
`ancient-changes` entry per apiVersion. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kapply.cluster.fieldmanager.fieldpath import FieldSet, field, from_fields_v1, to_fields_v1

APPLY = "Apply"
UPDATE = "Update"
MAX_UPDATE_MANAGERS = 10
ANCIENT_CHANGES = "ancient-changes"

# Server-set identity and bookkeeping: nobody owns these (stripmeta.go).
SERVER_FIELDS = FieldSet.of([
    (field("apiVersion"),), (field("kind"),), (field("metadata"),),
    *((field("metadata"), field(name)) for name in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
        "managedFields", "resourceVersion")),
])


@dataclass(frozen=True)
class Manager:
    """A managedFields identity (BuildManagerIdentifier): an Apply manager has no apiVersion."""

    name: str
    operation: str
    api_version: str = ""
    subresource: str = ""

    @classmethod
    def of(cls, name: str, operation: str, api_version: str, subresource: str = "") -> Manager:
        return cls(name or "unknown", operation, "" if operation == APPLY else api_version, subresource)

    def ident(self) -> str:
        """The identifier string the API server sorts conflicts by (the entry's JSON, omitempty)."""
        fields = {"manager": self.name, "operation": self.operation, "apiVersion": self.api_version,
                  "subresource": self.subresource}
        return json.dumps({k: v for k, v in fields.items() if v}, separators=(",", ":"))

    def printed(self) -> str:
        """How a conflict names the manager: `"kubectl"`, `"kube-controller-manager" using apps/v1`."""
        out = json.dumps(self.name, ensure_ascii=False)
        if self.subresource:
            out += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            out += f" using {self.api_version}"
        return out


@dataclass(frozen=True)
class Owned:
    """What one manager owns: its fields, the apiVersion they are expressed in, when it last wrote."""

    fields: FieldSet
    api_version: str
    time: str | None = None


Managed = dict[Manager, Owned]


class ManagedFieldsError(ValueError):
    """A managedFields list the API server could not decode."""


def decode(entries: Any) -> Managed:
    """managedFields entries -> {manager: Owned}; ManagedFieldsError when an entry is malformed."""
    managed: Managed = {}
    if entries is None:
        return managed
    if not isinstance(entries, list):
        raise ManagedFieldsError("managedFields must be a list")
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ManagedFieldsError(f"managed fields entry {i} must be an object")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ManagedFieldsError("operation must be `Apply` or `Update`")
        api_version = entry.get("apiVersion")
        if not isinstance(api_version, str) or not api_version:
            raise ManagedFieldsError("apiVersion must not be empty")
        fields_type = entry.get("fieldsType")
        if not fields_type:
            raise ManagedFieldsError(f"missing fieldsType in managed fields entry {i}")
        if fields_type != "FieldsV1":
            raise ManagedFieldsError(f"invalid fieldsType {fields_type!r} in managed fields entry {i}")
        try:
            fields = from_fields_v1(entry.get("fieldsV1") or {})
        except ValueError as exc:
            raise ManagedFieldsError(f"error decoding versioned set from entry {i}: {exc}") from exc
        manager = Manager(str(entry.get("manager") or ""), operation,
                          "" if operation == APPLY else api_version, str(entry.get("subresource") or ""))
        time = entry.get("time")
        managed[manager] = Owned(fields, api_version, time if isinstance(time, str) else None)
    return managed


def encode(managed: Managed) -> list[dict[str, Any]] | None:
    """{manager: Owned} -> sorted managedFields entries (None when nobody owns anything)."""
    if not managed:
        return None
    entries = []
    for manager, owned in managed.items():
        entry: dict[str, Any] = {"manager": manager.name, "operation": manager.operation,
                                 "apiVersion": owned.api_version}
        if owned.time:
            entry["time"] = owned.time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = to_fields_v1(owned.fields)
        if manager.subresource:
            entry["subresource"] = manager.subresource
        entries.append(entry)
    entries.sort(key=lambda e: (e["operation"], e.get("time") or "", e["manager"], e["apiVersion"],
                                e.get("subresource", "")))
    return entries


def is_reset(entries: Any) -> bool:
    """A request that clears managedFields: an empty list, or one empty entry (isResetManagedFields)."""
    if isinstance(entries, list):
        return not entries or (len(entries) == 1 and entries[0] in ({}, None))
    return False


def cap_update_managers(managed: Managed, limit: int = MAX_UPDATE_MANAGERS) -> Managed:
    """Fold the oldest Update entries into `ancient-changes` while more than `limit` remain."""
    updaters = [m for m in managed if m.operation == UPDATE]
    if len(updaters) <= limit:
        return managed
    out = dict(managed)
    updaters.sort(key=lambda m: (managed[m].time or "", m.ident()))
    first_by_version: dict[str, Manager] = {}
    length = len(updaters)
    for manager in updaters:
        if length <= limit:
            break
        owned = out[manager]
        bucket = Manager(ANCIENT_CHANGES, UPDATE, owned.api_version)
        first = first_by_version.get(owned.api_version)
        if first is None:
            first_by_version[owned.api_version] = manager
            continue
        if bucket not in out:
            out[bucket] = out.pop(first)
        held = out[bucket]
        out[bucket] = Owned(owned.fields.union(held.fields), owned.api_version, owned.time)
        del out[manager]
        length -= 1
    return out
