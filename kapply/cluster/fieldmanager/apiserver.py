"""What the API server does to managedFields on every write, and server-side apply itself
(k8s.io/apimachinery managedfields/internal: fieldmanager.go and its decorators; k8s.io/apiserver
endpoints/handlers: create.go, patch.go, fieldmanager/equality.go).

- **Writes** (create, update, patch): the writer's manager is `fieldManager`, else the User-Agent
  up to its first `/` (`kubectl`, `kapply`). It gets an Update entry at the request's apiVersion
  (and subresource) with the fields it changed, taken from any other owner; fields it removed leave
  every owner. A request may carry managedFields: none keeps the live ones, `[]` or `[{}]` clears
  them. An existing object without managedFields is not tracked by updates, so objects from
  before field tracking stay untracked until their first apply.
- **Apply**: the first apply to an object without managedFields gives its existing fields to
  `before-first-apply` (an Update entry), so they are neither conflicts nor pruned. The merged
  object is then defaulted and admitted by the caller as any write. A field another manager owns
  and the apply changes is a 409: `Apply failed with 1 conflict: conflict with "kubectl-client-side-
  apply" using apps/v1: .spec.replicas`. Manager `kubectl` is let through (forced) on fields whose
  live value still equals its `kubectl.kubernetes.io/last-applied-configuration`, and that
  annotation, when present, is rewritten to the applied configuration.
- Times come from the caller's clock (RFC 3339 seconds); a write that changes nothing but
  managedFields times keeps the old times, so a no-op apply writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kapply.cluster.fieldmanager import typed
from kapply.cluster.fieldmanager.csaupgrade import recorded, still_applied
from kapply.cluster.fieldmanager.fieldpath import EMPTY, FieldSet, element_string, field, go_json, path_string
from kapply.cluster.fieldmanager.managers import (
    APPLY,
    SERVER_FIELDS,
    UPDATE,
    Managed,
    ManagedFieldsError,
    Manager,
    Owned,
    cap_update_managers,
    decode,
    encode,
    is_reset,
)
from kapply.cluster.fieldmanager.update import Conflicts, Updater
from kapply.errors import ApplyConflictError, BadRequestError, ClusterError, InvalidError
from kapply.model.jsoncopy import without_nulls
from kapply.validate.structure import Node

Obj = dict[str, Any]

FIELD_MANAGER_MAX_LENGTH = 128
KUBECTL_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
BEFORE_FIRST_APPLY = "before-first-apply"
_ANNOTATIONS_MAX_BYTES = 256 * 1024
_CURRENT = Manager("current-operation", UPDATE)
_STATUS = field("status")


def manager_from_user_agent(user_agent: str) -> str:
    """The manager of a request without `fieldManager`: the User-Agent before its first `/`,
    printable characters only, at most 128 bytes (prefixFromUserAgent)."""
    out, size = [], 0
    for ch in user_agent.split("/")[0]:
        if not ch.isprintable():
            continue
        size += len(ch.encode())
        if size > FIELD_MANAGER_MAX_LENGTH:
            break
        out.append(ch)
    return "".join(out)


def check_field_manager(name: str, *, apply: bool, options: str = "PatchOptions") -> None:
    """The request options' fieldManager check (ValidatePatchOptions / ValidateFieldManager): a 422."""
    causes: list[tuple[str, str]] = []
    if apply and not name:
        causes.append(("fieldManager", "Required value: is required for apply patch"))
    if len(name.encode()) > FIELD_MANAGER_MAX_LENGTH:
        causes.append(("fieldManager", f"Too long: may not be more than {FIELD_MANAGER_MAX_LENGTH} bytes"))
    for i, ch in enumerate(name):
        if not ch.isprintable():
            name_text = name.encode("unicode_escape").decode()
            causes.append(("fieldManager", f'Invalid value: "{name_text}": invalid character '
                                           f"U+{ord(ch):04X} (at position {i})"))
    if causes:
        body = "; ".join(f"{f}: {m}" for f, m in causes) if len(causes) == 1 else \
            "[" + ", ".join(f"{f}: {m}" for f, m in causes) + "]"
        raise InvalidError(f'{options}.meta.k8s.io "" is invalid: {body}', causes)


@dataclass(frozen=True)
class Endpoint:
    """Where a write lands: the object's type and apiVersion, and the subresource (`""`, `status`)."""

    api_version: str
    kind: str
    node: Node
    subresource: str = ""
    has_status: bool = False  # the main resource resets status (it has a status subresource)

    @property
    def reset(self) -> Callable[[FieldSet], FieldSet]:
        if self.subresource == "status":
            return lambda fs: fs.filter_prefix(frozenset({_STATUS}))
        if self.has_status:
            return lambda fs: fs.filter_prefix(frozenset({_STATUS}), inverse=True)
        return lambda fs: fs

    def view(self, obj: Obj) -> Obj:
        """The part of an object this endpoint writes (status, or everything but status)."""
        if self.subresource == "status":
            return {"status": obj["status"]} if "status" in obj else {}
        if self.has_status and "status" in obj:
            return {k: v for k, v in obj.items() if k != "status"}
        return obj

    def updater(self) -> Updater:
        return Updater(self.node, self.reset, self.view)


def _bare(obj: Obj | None) -> Obj:
    """`obj` without metadata.managedFields (a shallow copy), {} for none."""
    if not obj:
        return {}
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return obj


def _strip(managed: Managed, manager: Manager) -> Managed:
    owned = managed.get(manager)
    if owned is not None:
        rest = owned.fields.difference(SERVER_FIELDS)
        if rest.empty():
            del managed[manager]
        else:
            managed[manager] = Owned(rest, owned.api_version, owned.time)
    return managed


def _tracked_update(live: Obj, new: Obj, managed: Managed, name: str, endpoint: Endpoint,
                    now: str) -> Managed:
    """capmanagers -> buildmanagerinfo -> managedfieldsupdater -> stripmeta -> structured Update."""
    manager = Manager.of(name, UPDATE, endpoint.api_version, endpoint.subresource)
    managed = endpoint.updater().update(live, new, endpoint.api_version, dict(managed), _CURRENT)
    managed = _strip(managed, _CURRENT)
    current = managed.pop(_CURRENT, None)
    if current is not None:
        previous = managed.get(manager)
        fields = current.fields.union(previous.fields) if previous else current.fields
        managed[manager] = Owned(fields, current.api_version, now)
    return cap_update_managers(managed)


def _set_managed_fields(obj: Obj, managed: Managed) -> None:
    meta = obj.setdefault("metadata", {})
    entries = encode(managed)
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)


def record_update(live: Obj | None, new: Obj, manager: str, endpoint: Endpoint, now: str) -> None:
    """Set `new`'s managedFields for a create (`live` None) or an update/patch by `manager`."""
    meta = new.setdefault("metadata", {})
    requested = meta.pop("managedFields", None)
    live_entries = ((live or {}).get("metadata") or {}).get("managedFields")
    try:
        if endpoint.subresource:
            managed = decode(live_entries)
        elif is_reset(requested):
            managed = {}
        else:
            managed = decode(requested) if requested else {}
            if not managed:
                managed = decode(live_entries)
    except ManagedFieldsError:
        try:
            managed = decode(live_entries)
        except ManagedFieldsError:
            managed = {}
    if not managed and live is not None:
        return  # an existing object without managedFields is not tracked (skipnonapplied.go)
    managed = _tracked_update(_bare(live), new, managed, manager, endpoint, now)
    _set_managed_fields(new, managed)


def _conflict_error(conflicts: dict[Manager, FieldSet]) -> ApplyConflictError:
    """The API server's 409 for an apply (conflict.go getConflictMessage)."""
    pairs = [(m, path_string(p)) for m in sorted(conflicts, key=Manager.ident) for p in conflicts[m].paths()]
    listed = [(m.printed(), p) for m, p in pairs]
    if len(pairs) == 1:
        message = f"Apply failed with 1 conflict: conflict with {listed[0][0]}: {listed[0][1]}"
    else:
        lines: list[str] = []
        for manager in sorted(conflicts, key=Manager.ident):
            lines.append(f"conflicts with {manager.printed()}:")
            lines.extend(f"- {path_string(p)}" for p in conflicts[manager].paths())
        message = f"Apply failed with {len(pairs)} conflicts: " + "\n".join(lines)
    return ApplyConflictError(message, listed)


def _allowed_by_last_applied(live: Obj, endpoint: Endpoint) -> FieldSet:
    """Fields whose live value still equals kubectl's last-applied-configuration
    (lastappliedmanager.go): kubectl's first server-side apply may take them without a conflict."""
    last = recorded(live, KUBECTL_LAST_APPLIED)
    if last is None or last.get("apiVersion") != endpoint.api_version:
        return EMPTY
    return still_applied(live, last, endpoint.node)


def _last_applied_text(config: Obj) -> str:
    """kubectl's encoding of an applied configuration: sorted compact JSON and a newline."""
    meta = dict(config.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(KUBECTL_LAST_APPLIED, None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    return go_json({**config, "metadata": meta}) + "\n"


def _apply_once(live: Obj | None, config: Obj, name: str, endpoint: Endpoint, managed: Managed,
                now: str, force: bool) -> tuple[Obj, Managed, bool]:
    base = _bare(live)
    if not managed:
        managed = _tracked_update({}, base, {}, BEFORE_FIRST_APPLY, endpoint, now)
    applier = Manager.of(name, APPLY, endpoint.api_version)
    merged, managed = endpoint.updater().apply(base, config, endpoint.api_version, managed, applier, force)
    managed = _strip(managed, applier)
    changed = merged is not None
    if changed and applier in managed:
        owned = managed[applier]
        managed[applier] = Owned(owned.fields, owned.api_version, now)
    return (merged if changed else dict(base)), managed, changed


def server_side_apply(live: Obj | None, config: Obj, manager: str, endpoint: Endpoint, now: str,
                      force: bool = False) -> Obj:
    """The object an apply of `config` by `manager` leaves (managedFields set), before defaulting
    and admission; `live` None creates. ApplyConflictError (409), BadRequestError (400)."""
    if not isinstance(config, dict):
        raise BadRequestError("error decoding patch: the applied configuration must be an object")
    api_version, kind = config.get("apiVersion"), config.get("kind")
    if api_version != endpoint.api_version or kind != endpoint.kind:
        group, _, version = str(api_version or "").rpartition("/")
        gvk = f"{group}/{version}, Kind={kind or ''}" if group else f"/{version}, Kind={kind or ''}"
        raise BadRequestError(f"invalid object type: {gvk}")
    if (config.get("metadata") or {}).get("managedFields") is not None:
        raise BadRequestError("metadata.managedFields must be nil")
    dupes = typed.duplicates(config, endpoint.node)
    if dupes:
        raise BadRequestError(f"failed to create typed patch object: duplicate entries for key "
                              f"{element_string(dupes[0])}")
    try:
        managed = decode(((live or {}).get("metadata") or {}).get("managedFields"))
    except ManagedFieldsError as exc:
        raise ClusterError(f"failed to decode managed fields: {exc}") from exc
    try:
        merged, managed, _ = _apply_once(live, config, manager, endpoint, managed, now, force)
    except Conflicts as exc:
        if manager != "kubectl" or live is None:
            raise _conflict_error(exc.by_manager) from None
        allowed = _allowed_by_last_applied(live, endpoint)
        remaining = {m: fs.difference(allowed) for m, fs in exc.by_manager.items()}
        remaining = {m: fs for m, fs in remaining.items() if not fs.empty()}
        if remaining:
            raise _conflict_error(remaining) from None
        merged, managed, _ = _apply_once(live, config, manager, endpoint, managed, now, True)
    if manager == "kubectl":
        annotations = (merged.get("metadata") or {}).get("annotations") or {}
        if annotations.get(KUBECTL_LAST_APPLIED):
            annotations = {**annotations, KUBECTL_LAST_APPLIED: _last_applied_text(config)}
            if sum(len(k) + len(v) for k, v in annotations.items()) > _ANNOTATIONS_MAX_BYTES:
                del annotations[KUBECTL_LAST_APPLIED]
            merged = {**merged, "metadata": {**merged["metadata"], "annotations": annotations}}
    merged = without_nulls(merged)  # as a typed round trip leaves it: an applied null clears
    _set_managed_fields(merged, managed)
    return merged


def keep_times_if_unchanged(new: Obj, old: Obj | None) -> None:
    """When only managedFields times differ from `old`, keep the old times: the write is a no-op
    (IgnoreManagedFieldsTimestampsTransformer)."""
    if old is None:
        return
    entries = (new.get("metadata") or {}).get("managedFields")
    old_entries = (old.get("metadata") or {}).get("managedFields")
    if not entries or not old_entries or len(entries) != len(old_entries):
        return
    if all(e.get("time") == o.get("time") for e, o in zip(entries, old_entries, strict=True)):
        return
    untimed = [{k: v for k, v in e.items() if k != "time"} for e in entries]
    old_untimed = [{k: v for k, v in e.items() if k != "time"} for e in old_entries]
    if untimed != old_untimed or _bare(new) != _bare(old):
        return
    new["metadata"]["managedFields"] = [dict(e, time=o["time"]) if "time" in o else
                                        {k: v for k, v in e.items() if k != "time"}
                                        for e, o in zip(entries, old_entries, strict=True)]
