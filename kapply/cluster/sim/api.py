"""The embedded API server: create / get / list / update / update_status / patch / delete.

Every write runs the admission pipeline (`admission.py`), sets the server's fields (uid,
creationTimestamp, resourceVersion from one cluster-wide counter, generation, deletionTimestamp)
and lands in the in-memory `Cache` plus a `Journal` that the cluster flushes to SQLite at commit,
so a whole catch-up is one transaction. Each committed write becomes a `Change` handed to
`on_change` (the runtime feeds it to the controllers). Messages are the API server's own:
`deployments.apps "web" not found`, `... already exists`, the Conflict and 422 texts.

The API takes ownership of the dicts passed to create/update (callers deepcopy first, as
controllers do); returned objects are the stored ones and must not be mutated.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kapply.cluster import fields
from kapply.cluster.fieldmanager.apiserver import (
    Endpoint,
    check_field_manager,
    keep_times_if_unchanged,
    record_update,
    server_side_apply,
)
from kapply.cluster.sim import admission, defaults, patching
from kapply.cluster.sim.admission import AdmissionPlugin, resource_label
from kapply.cluster.sim.cache import Cache
from kapply.cluster.sim.clock import rfc3339
from kapply.cluster.sim.controllers.base import Change, ChangeType
from kapply.cluster.sim.crd import admission as crd_admission
from kapply.cluster.sim.journal import Journal
from kapply.cluster.sim.kindview import KindView, builtin_info, group_of_key, is_custom_key
from kapply.errors import AlreadyExistsError, ConflictError, ForbiddenError, NotFoundError
from kapply.model.kinds import REGISTRY, KindInfo
from kapply.model.selectors import Selector
from kapply.validate.structure import root_type

Obj = dict[str, Any]

PROTECTED_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
FOREGROUND_FINALIZER = "foregroundDeletion"  # the owner waits until the collector deleted its dependents
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"


kind_info = builtin_info  # facts of a built-in kind (the cluster's own view adds its CRDs' kinds)


def endpoint(kind: str, api_version: str, subresource: str = "", status: bool | None = None) -> Endpoint:
    """Where a write of `kind` at `api_version` lands, for managedFields (the type, reset fields)."""
    builtin = REGISTRY.by_kind(kind)
    reset = (builtin is not None and builtin.status) if status is None else status
    bare = kind.partition(".")[0]
    return Endpoint(api_version, bare, root_type(api_version, bare), subresource, reset)


def qos_class(spec: Obj) -> str:
    """Pod QoS class (Guaranteed / Burstable / BestEffort) from requests and limits."""
    containers = [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]
    any_set, guaranteed = False, True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or str(req.get(r, lim[r])) != str(lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


class SimAPI:
    """API semantics over the cache; `now` and the rv counter come from the cluster session."""

    def __init__(self, cache: Cache, settings: Any, now: Callable[[], float], rv: int, seed: str,
                 on_change: Callable[[Change], None], plugins: list[AdmissionPlugin]) -> None:
        self.cache = cache
        self._settings = settings
        self._now = now
        self.rv = rv
        self.journal = Journal(group_of_key)
        self._kinds: KindView | None = None
        self._rng = random.Random(seed)
        self._on_change = on_change
        self._plugins = plugins
        self.created_uids: set[str] = set()  # objects born in this session (no stored history)
        self.dry_run = False  # admission only: writes return the would-be object, store nothing
        self.crds_changed = False  # a CRD was written: its controllers run before the next write

    @property
    def settings(self) -> Any:
        return self._settings

    @property
    def now(self) -> float:
        return self._now()

    @property
    def kinds(self) -> KindView:
        """The kinds served now: built-ins plus the established CRDs' (rebuilt after a CRD write)."""
        if self._kinds is None:
            self._kinds = KindView(lambda: self.cache.list("CustomResourceDefinition"))
        return self._kinds

    def info(self, kind: str) -> KindInfo:
        """Facts of a kind key (`kindview`); NotFoundError when it is not served."""
        return builtin_info(kind) if not is_custom_key(kind) else self.kinds.info(kind)

    def resource_label(self, kind: str) -> str:
        """`deployments.apps`, `crontabs.stable.example.com`: how 404/409 messages name a resource."""
        return self.info(kind).resource if is_custom_key(kind) else resource_label(kind)

    def _decode(self, obj: Obj, normalise: bool = True) -> None:
        """The decoder's checks (`admission.decode`) against the schema of the kind's served version."""
        kind = str(obj.get("kind", ""))
        given = obj.get("apiVersion")
        key = self.kinds.key_of(obj) if isinstance(given, str) and given else \
            self.kinds.key(kind) if given is None else kind
        info = self.kinds.find(key) if is_custom_key(key) else kind_info(key)
        if info is None and REGISTRY.by_kind(kind) is not None:  # a built-in kind at a wrong apiVersion:
            key, info = kind, REGISTRY.by_kind(kind)  # its body is still decoded as the served version
        if info is not None:  # an unserved custom kind: the REST mapping refuses it next
            admission.decode(key, obj, info.api_version, normalise)

    def _served(self, obj: Obj) -> tuple[str, KindInfo]:
        """The key and facts of the kind an object names, at its apiVersion (`KindView.mapping`)."""
        return self.kinds.mapping(obj)

    # ---- reads ---------------------------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The stored object or None (shared: do not mutate)."""
        return self.cache.get(kind, namespace if self.info(kind).namespaced else "", name)

    def read(self, kind: str, namespace: str, name: str) -> Obj:
        """The stored object or NotFoundError."""
        obj = self.get(kind, namespace, name)
        if obj is None:
            raise NotFoundError(f'{self.resource_label(kind)} "{name}" not found')
        return obj

    def list(self, kind: str, namespace: str | None = None, selector: Selector | None = None,
             node: str | None = None, owner_uid: str | None = None,
             field_selector: tuple[fields.FieldRequirement, ...] = ()) -> list[Obj]:
        """Objects of a kind, filtered (label and field selectors, node, controller owner)."""
        if not self.info(kind).namespaced:
            namespace = None
        found = self.cache.list(kind, namespace, selector, node, owner_uid)
        if field_selector:
            found = [o for o in found if fields.matches_fields(o, field_selector)]
        return found

    # ---- writes --------------------------------------------------------------------------------

    def create(self, obj: Obj, validate: bool = True, manager: str | None = None) -> Obj:
        """Admit and store a new object; AlreadyExists / NotFound(namespace) / Invalid.

        `manager` records an Update entry in managedFields (None: an untracked internal write).
        """
        if validate:
            self._decode(obj)
        kind, info = self._served(obj)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(self._rng.choice(_NAME_CHARS) for _ in range(5))
        if not meta.get("name"):
            raise admission.invalid(kind, "", [("metadata.name",
                                                "Required value: name or generateName is required")])
        if info.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
            self._check_namespace(kind, meta["namespace"], meta["name"])
        else:
            meta.pop("namespace", None)
        ns = meta.get("namespace", "")
        if self.cache.get(kind, ns, meta["name"]) is not None:
            raise AlreadyExistsError(f'{self.resource_label(kind)} "{meta["name"]}" already exists')
        for server_field in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
            meta.pop(server_field, None)
        if info.resets_status:
            obj.pop("status", None)
        if kind == "Pod":
            obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj.get("spec") or {})}
        meta["uid"] = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))  # before admission, as
        self._admit(kind, "CREATE", obj, None, validate, manager)  # BeforeCreate: a Job's selector names it
        self.created_uids.add(meta["uid"])
        meta["creationTimestamp"] = rfc3339(self.now)
        if info.generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        return self._write("ADDED", kind, obj, None)

    def update(self, obj: Obj, validate: bool = True, manager: str | None = None) -> Obj:
        """Replace spec/metadata (status kept for status kinds); Conflict on a stale resourceVersion.

        Without managedFields in `obj` the stored ones are kept; `manager` records its Update entry.
        """
        if validate:
            self._decode(obj)
        kind, info = self._served(obj)
        old = self._existing(kind, obj)
        meta = obj.setdefault("metadata", {})
        old_meta = old["metadata"]
        for server_field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                             "generation"):
            if server_field in old_meta:
                meta[server_field] = old_meta[server_field]
            else:
                meta.pop(server_field, None)
        meta["namespace"] = old_meta.get("namespace", "")
        if not meta["namespace"]:
            meta.pop("namespace")
        if info.status:
            if "status" in old:
                obj["status"] = old["status"]
            else:
                obj.pop("status", None)
        self._admit(kind, "UPDATE", obj, old, validate, manager)
        if validate:  # controllers' own writes (a pod binding its node) are trusted, as subresources are
            admission.check_immutable(kind, obj, old)
        if info.generation and _spec_changed(obj, old, info.status):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        if meta.get("deletionTimestamp") and not meta.get("finalizers") and old_meta.get("finalizers") \
                and not int(meta.get("deletionGracePeriodSeconds") or 0):
            return self._remove(kind, old)  # a graceful pod deletion still waits for its kubelet
        return self._write_if_changed(kind, obj, old)

    def update_status(self, obj: Obj, manager: str | None = None) -> Obj:
        """Replace only the status (the /status subresource)."""
        kind, info = self._served(obj)
        old = self._existing(kind, obj)
        new = dict(old)
        new["metadata"] = dict(old["metadata"])
        if "status" in obj:
            new["status"] = obj["status"]
        else:
            new.pop("status", None)
        if manager is not None:
            record_update(old, new, manager, endpoint(kind, str(old.get("apiVersion", "")), "status",
                                                      info.status), rfc3339(self.now))
        return self._write_if_changed(kind, new, old)

    def patch(self, kind: str, namespace: str, name: str, body: Any, patch_type: str = "strategic",
              validate: bool = True, manager: str | None = None, force: bool = False) -> Obj:
        """JSON (RFC 6902), merge (RFC 7386), strategic-merge or apply patch of the stored object."""
        if patch_type == "apply":
            namespace_checked = namespace if self.info(kind).namespaced else None
            return self.apply(patching.apply_body(body, kind, name, namespace_checked), manager or "", force,
                              validate)
        patching.forbid_force(force)
        old = self.read(kind, namespace, name)
        new = patching.patched(old, body, patch_type, kind)
        if isinstance(body, dict) and "status" in body and self.info(kind).status \
                and set(body) <= {"status"}:
            return self.update_status(new, manager)
        return self.update(new, validate=validate, manager=manager)

    def apply(self, obj: Obj, manager: str, force: bool = False, validate: bool = True) -> Obj:
        """Server-side apply of the configuration `obj` by `manager` (creates when absent).

        The merged object is defaulted and admitted as any write; a no-op apply writes nothing.
        ApplyConflictError (409) names the managers and fields unless `force`.
        """
        check_field_manager(manager, apply=True)
        if validate:
            self._decode(obj, normalise=False)
        if not obj.get("apiVersion"):
            raise NotFoundError(f'no matches for kind "{obj.get("kind", "")}" in version ""')
        kind, info = self._served(obj)
        api_version = str(obj["apiVersion"])
        meta = obj.get("metadata")
        if not isinstance(meta, dict) or not meta.get("name"):
            raise admission.invalid(kind, "", [("metadata.name", "Required value: name is required")])
        name = str(meta["name"])
        namespace = (meta.get("namespace") or "default") if info.namespaced else ""
        live = self.get(kind, namespace, name)
        config = json.loads(json.dumps(obj))
        if info.namespaced:
            config["metadata"]["namespace"] = namespace
        merged = server_side_apply(live, config, manager,
                                   endpoint(kind, api_version, status=info.status),
                                   rfc3339(self.now), force)
        if live is None:
            return self.create(merged, validate)
        merged["metadata"].setdefault("resourceVersion", live["metadata"]["resourceVersion"])
        return self.update(merged, validate)

    def delete(self, kind: str, namespace: str, name: str, grace_seconds: float | None = None,
               propagation: str = "Background") -> Obj | None:
        """Delete; Pods on a node and objects with finalizers get a deletionTimestamp instead.

        Returns the object still present after a graceful delete, None once it is gone.
        """
        old = self.read(kind, namespace, name)
        meta = old["metadata"]
        if kind == "Namespace":
            return self._delete_namespace(old)
        if propagation == "Orphan":
            self._orphan_dependents(meta.get("uid", ""))
        elif propagation not in ("Background", "Foreground"):
            raise admission.invalid(kind, name, [("propagationPolicy", f'Unsupported value: "{propagation}": '
                                                  'supported values: "Foreground", "Background", "Orphan"')])
        finalizer = FOREGROUND_FINALIZER if propagation == "Foreground" else None
        if kind == "CustomResourceDefinition":  # held by the cleanup finalizer while its objects go
            marked = crd_admission.mark_deleting(old, finalizer, self.now)
            return old if marked is None else self._write("MODIFIED", kind, marked, old)
        grace = grace_seconds
        if kind == "Pod" and (old.get("spec") or {}).get("nodeName") and grace != 0:
            if grace is None:
                grace = float((old.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
            return self._mark_deleting(kind, old, grace, finalizer)
        if meta.get("finalizers") or finalizer:
            return self._mark_deleting(kind, old, 0, finalizer)
        self._remove(kind, old)
        return None

    def put_unchecked(self, kind: str, obj: Obj, old: Obj | None) -> Obj:
        """Store without admission (events, bootstrap objects); sets uid/timestamps if missing."""
        meta = obj.setdefault("metadata", {})
        if old is None:
            meta.setdefault("uid", str(uuid.UUID(int=self._rng.getrandbits(128), version=4)))
            meta.setdefault("creationTimestamp", rfc3339(self.now))
        return self._write("ADDED" if old is None else "MODIFIED", kind, obj, old)

    def remove_unchecked(self, kind: str, obj: Obj) -> None:
        """Delete at once, no grace, no finalizers (events expiring, namespace finalization)."""
        self._remove(kind, obj)

    # ---- internals -----------------------------------------------------------------------------

    def _existing(self, kind: str, obj: Obj) -> Obj:
        info = self.info(kind)
        meta = obj.get("metadata") or {}
        ns = (meta.get("namespace") or "default") if info.namespaced else ""
        old = self.read(kind, ns, str(meta.get("name", "")))
        rv = meta.get("resourceVersion")
        if rv and str(rv) != old["metadata"]["resourceVersion"]:
            raise ConflictError(f'Operation cannot be fulfilled on {info.resource} "{meta.get("name")}": '
                                "the object has been modified; please apply your changes to the latest "
                                "version and try again")
        return old

    def _check_namespace(self, kind: str, namespace: str, name: str) -> None:
        ns = self.cache.get("Namespace", "", namespace)
        if ns is None:
            raise NotFoundError(f'namespaces "{namespace}" not found')
        if ns["metadata"].get("deletionTimestamp"):
            raise ForbiddenError(f'{self.resource_label(kind)} "{name}" is forbidden: unable to create new '
                                 f"content in namespace {namespace} because it is being terminated")

    def _admit(self, kind: str, op: str, obj: Obj, old: Obj | None, validate: bool,
               manager: str | None = None) -> None:
        defaults.apply_defaults(kind, obj)  # after admission.decode (create/update): well-typed
        if is_custom_key(kind):  # the CRD's schema: defaults, pruning, validation, storage version
            crd_admission.admit_custom(self, kind, op, obj, old)
        if manager is not None:  # after defaulting, before the plugins' allocations, as the API server
            record_update(old, obj, manager, endpoint(kind, str(obj.get("apiVersion", "")),
                                                      status=self.info(kind).status),
                          rfc3339(self.now))
        elif old is not None and "managedFields" in old["metadata"]:
            obj["metadata"].setdefault("managedFields", old["metadata"]["managedFields"])
        for plugin in self._plugins:
            if kind in plugin.kinds:
                plugin.admit(self, op, obj, old)
        if validate:
            admission.validate(kind, obj)

    def _write_if_changed(self, kind: str, obj: Obj, old: Obj) -> Obj:
        obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        keep_times_if_unchanged(obj, old)
        if obj == old:
            return old  # a no-op update does not bump the resourceVersion (as the API server)
        return self._write("MODIFIED", kind, obj, old)

    @contextmanager
    def dry_running(self) -> Iterator[None]:
        """Writes inside run admission and return their result without storing it (server dry run)."""
        before, self.dry_run = self.dry_run, True
        try:
            yield
        finally:
            self.dry_run = before

    def _write(self, type_: ChangeType, kind: str, obj: Obj, old: Obj | None) -> Obj:
        if self.dry_run:
            if old is not None:
                obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return obj
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        if kind == "CustomResourceDefinition":
            self._kinds = None
            self.crds_changed = True
        self.cache.put(kind, obj)
        self.journal.changes.append((self.rv, type_, kind, obj))
        self._on_change(Change(type_, kind, obj, old))
        return obj

    def _remove(self, kind: str, old: Obj) -> None:
        if self.dry_run:
            return
        self.rv += 1
        gone = dict(old)
        gone["metadata"] = dict(old["metadata"], resourceVersion=str(self.rv))
        meta = gone["metadata"]
        self.cache.remove(kind, meta.get("namespace", "") or "", meta["name"])
        if kind == "CustomResourceDefinition":
            self._kinds = None
        self.journal.changes.append((self.rv, "DELETED", kind, gone))
        for plugin in self._plugins:
            if kind in plugin.kinds:
                plugin.released(self, gone)
        self._on_change(Change("DELETED", kind, gone, old))

    def _mark_deleting(self, kind: str, old: Obj, grace: float, finalizer: str | None = None) -> Obj:
        meta = old["metadata"]
        finalizers = list(meta.get("finalizers") or ())
        added = finalizer is not None and finalizer not in finalizers
        if meta.get("deletionTimestamp") and int(meta.get("deletionGracePeriodSeconds", 0)) <= grace \
                and not added:
            return old
        new = dict(old)
        new["metadata"] = dict(meta)
        if not meta.get("deletionTimestamp") or int(meta.get("deletionGracePeriodSeconds", 0)) > grace:
            new["metadata"].update(deletionTimestamp=rfc3339(self.now + grace),
                                   deletionGracePeriodSeconds=int(grace))
        if added:
            new["metadata"]["finalizers"] = [*finalizers, finalizer]
        return self._write("MODIFIED", kind, new, old)

    def _delete_namespace(self, old: Obj) -> Obj | None:
        name = old["metadata"]["name"]
        if name in PROTECTED_NAMESPACES:
            raise ForbiddenError(f'namespaces "{name}" is forbidden: this namespace may not be deleted')
        if old["metadata"].get("deletionTimestamp"):
            return old
        new = dict(old)
        new["metadata"] = dict(old["metadata"], deletionTimestamp=rfc3339(self.now))
        new["status"] = dict(old.get("status") or {}, phase="Terminating")
        return self._write("MODIFIED", "Namespace", new, old)

    def _orphan_dependents(self, uid: str) -> None:
        for kind, ns, name in self.cache.dependents(uid):
            dep = self.cache.get(kind, ns, name)
            if dep is None:
                continue
            new = dict(dep)
            refs = [r for r in dep["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
            new["metadata"] = dict(dep["metadata"], ownerReferences=refs)
            if not refs:
                del new["metadata"]["ownerReferences"]
            self._write("MODIFIED", kind, new, dep)


def _spec_changed(obj: Obj, old: Obj, status_subresource: bool = True) -> bool:
    """Whether anything but metadata (and the status, when it is a subresource) changed: what bumps
    metadata.generation."""
    ignored = {"metadata", "apiVersion", "kind", *(("status",) if status_subresource else ())}
    keys = (set(obj) | set(old)) - ignored
    return any(obj.get(k) != old.get(k) for k in keys)
