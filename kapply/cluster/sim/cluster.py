"""`SimCluster`: the embedded cluster behind the `Cluster` protocol, and its session logic.

Every operation is a session: one `BEGIN IMMEDIATE` transaction that brings the cache up to date
(from the changelog, or a full load), catches the simulation up to the virtual now, performs the
operation, lets the controllers react, and commits the final rows, timers and clock at once.
Reads on an idle cluster take a fast path: one metadata read and one indexed `min(due)` query,
then the rows asked for, never loading the cache. A failure rolls everything back and drops the
cache, so memory never disagrees with the file.

A read-only state file (`Store.read_only`) cannot take a catch-up: the first read that needs one
runs it in memory (`_detached`) and every later read of the process sees that state; nothing is
committed, so the file's clock lags until a command that can write runs. Dry-run sessions (diff)
roll back as always; any other session raises ReadOnlyError before doing anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kapply import __version__
from kapply.cluster.fieldmanager.apiserver import check_field_manager, manager_from_user_agent
from kapply.cluster.fields import check_label_selector, matches_fields, parse_field_selector
from kapply.cluster.protocol import WatchEvent
from kapply.cluster.sim import admission
from kapply.cluster.sim.api import SimAPI
from kapply.cluster.sim.cache import Cache
from kapply.cluster.sim.clock import SystemClock, WallClock, target_time
from kapply.cluster.sim.events import EventRecorder, EventTTLController, events_for
from kapply.cluster.sim.kindview import KindView
from kapply.cluster.sim.runtime import IDLE_IGNORED, Runtime, TimerSet, load_controllers
from kapply.cluster.sim.serving import ServingAbilities
from kapply.cluster.sim.settings import ClusterSettings
from kapply.cluster.sim.store import CHANGELOG_KEEP, Store
from kapply.errors import ClusterError, NotFoundError
from kapply.model import selectors
from kapply.model.collector import collector_paused
from kapply.model.jsoncopy import deep_copy
from kapply.model.kinds import KindInfo
from kapply.model.selectors import Selector

Obj = dict[str, Any]


DEFAULT_FIELD_MANAGER = manager_from_user_agent(f"kapply/{__version__}")  # kapply's own writes
RECLAIM_AFTER = 1000  # deletions in one commit after which free pages go back to the file system
LAZY_KINDS = ("Event",)  # loaded into the cache only when read (see cache.py)


def _manager(field_manager: str | None, options: str) -> str:
    """The Update manager of a write: `field_manager` (checked as the API server checks its
    `options`) or kapply's own."""
    if field_manager is None:
        return DEFAULT_FIELD_MANAGER
    check_field_manager(field_manager, apply=False, options=options)
    return field_manager or DEFAULT_FIELD_MANAGER


class _DryRun(Exception):
    """Raised at the end of a dry-run session to roll it back."""


@dataclass(frozen=True)
class AdvanceResult:
    start: float  # virtual time before
    end: float  # virtual time after
    timers: int  # timers that fired
    syncs: int  # controller syncs run
    idle: bool  # nothing left due (for --until-idle)


class SimCluster(ServingAbilities):
    """One embedded cluster (state file + clock); Kubernetes-shaped dict objects in and out.

    The abilities a long-running front end needs (pages, the change feed, the real-time runner,
    subresources, checked deletes) come from `serving.ServingAbilities`.
    """

    def __init__(self, name: str, store: Store, clock: WallClock | None = None) -> None:
        self.name = name
        self.store = store
        self.clock = clock or SystemClock()
        self._cache: Cache | None = None
        self._epoch = -1  # store epoch the cache and timers reflect
        self._runtime: Runtime | None = None
        self._meta: dict[str, Any] = {}
        self._failures: dict[tuple[str, str], int] = {}  # controller retry backoff (this process)
        self._reclaim = False  # give free pages back after the session commits
        self._detached_runtime: Runtime | None = None  # read-only file: the catch-up kept in memory

    # ---- sessions ------------------------------------------------------------------------------

    @property
    def settings(self) -> ClusterSettings:
        """The cluster's settings as last read."""
        meta = self._meta if self._runtime is not None else self.store.meta()
        return ClusterSettings.from_dict(meta["settings"])

    def _target(self, meta: dict[str, Any]) -> float:
        settings = meta["settings"]
        return target_time(self.clock.time(), float(meta["offset"]), float(meta["now"]),
                           bool(settings.get("manual_clock")))

    def _refresh(self, meta: dict[str, Any]) -> None:
        """Bring the cache to the store's state (changelog replay when possible) and load timers."""
        rv = int(meta["rv"])
        cache = self._cache
        if cache is not None and self._epoch == int(meta.get("epoch", 0)):
            pass
        elif cache is not None and cache.rv >= int(meta["changelog_floor"]) and cache.rv <= rv:
            for _, type_, kind, obj in self.store.changes_since(cache.rv):
                if type_ == "DELETED":
                    m = obj["metadata"]
                    cache.remove(kind, m.get("namespace", "") or "", m["name"])
                else:
                    cache.put(kind, obj)
        else:
            cache = Cache(lazy={kind: self.store.list for kind in LAZY_KINDS})
            with collector_paused():  # many small containers at once: cyclic GC passes would dominate
                for kind, obj in self.store.all_objects(exclude=LAZY_KINDS):
                    cache.put(kind, obj)
        assert cache is not None
        cache.rv = rv
        self._cache = cache
        self._epoch = int(meta.get("epoch", 0))

    def _build_runtime(self, meta: dict[str, Any]) -> Runtime:
        assert self._cache is not None
        settings = ClusterSettings.from_dict(meta["settings"])
        seed = f"{settings.seed}:{meta['rv']}:{meta.get('epoch', 0)}"
        timers = TimerSet(self.store.timers())
        holder: dict[str, Runtime] = {}
        api = SimAPI(self._cache, settings, lambda: holder["rt"].now, int(meta["rv"]), seed,
                     lambda change: holder["rt"].on_change(change), admission.load_plugins())
        from kapply.cluster.sim.controllers.catalog import CONTROLLERS

        controllers = load_controllers(CONTROLLERS)
        runtime = Runtime(api, controllers, timers, float(meta["now"]), seed, failures=self._failures,
                          memory=meta.get("memory"))
        holder["rt"] = runtime
        recorder = EventRecorder(api, timers, lambda: runtime.now, self.store)
        runtime.events = recorder
        for controller in controllers:
            if isinstance(controller, EventTTLController):
                controller.recorder = recorder
        return runtime

    @contextmanager
    def session(self, advance: float = 0.0, dry_run: bool = False) -> Iterator[Runtime]:
        """One transaction: catch up, run the body, let controllers react, commit (or roll back)."""
        if self._runtime is not None:
            yield self._runtime
            return
        # A dry run commits nothing, so a read-only file can take one; any other session raises
        # ReadOnlyError from transaction() before anything ran.
        transaction = self.store.snapshot if dry_run and self.store.read_only else self.store.transaction
        try:
            with collector_paused(), transaction():
                meta = self.store.meta()
                manual = bool(meta["settings"].get("manual_clock"))
                if advance and not manual:
                    meta["offset"] = float(meta["offset"]) + advance
                target = self._target(meta) + (advance if manual else 0.0)
                self._meta = meta
                self._refresh(meta)
                runtime = self._runtime = self._build_runtime(meta)
                start_rv = runtime.api.rv
                runtime.catch_up(target)
                yield runtime
                if dry_run:  # admission ran for every write; the controllers' reactions are not needed
                    raise _DryRun
                runtime.drain()
                self._flush(meta, runtime, start_rv)
        except _DryRun:
            self._drop()
        except BaseException:
            self._drop()
            raise
        finally:
            self._runtime = None
        if self._reclaim:
            self._reclaim = False
            self.store.reclaim()

    def _flush(self, meta: dict[str, Any], runtime: Runtime, start_rv: int) -> None:
        floor = int(meta["changelog_floor"])
        compact = runtime.api.rv - floor > 2 * CHANGELOG_KEEP
        if compact:
            floor = max(floor, runtime.api.rv - CHANGELOG_KEEP)
        upserts, deletes, changelog = runtime.api.journal.rows(floor)
        timers_set, timers_del = runtime.timers.rows()
        self.store.write_batch(upserts, deletes, changelog, timers_set, timers_del)
        epoch = int(meta.get("epoch", 0)) + 1
        values: dict[str, Any] = {"rv": runtime.api.rv, "now": runtime.now, "epoch": epoch,
                                  "offset": meta["offset"]}
        if runtime.memory_dirty:
            values["memory"] = runtime.memory
        if compact:
            values["changelog_floor"] = self.store.compact(runtime.api.rv, CHANGELOG_KEEP)
        self._reclaim = compact or len(deletes) > RECLAIM_AFTER
        self.store.set_meta(values)
        meta.update(values)
        runtime.api.journal.clear()
        assert self._cache is not None
        self._cache.rv = runtime.api.rv
        self._epoch = epoch

    def _drop(self) -> None:
        self._cache = None
        self._epoch = -1

    def _detached(self) -> Runtime:
        """Read-only file: the cluster caught up to now in memory, once per process (never written)."""
        if self._detached_runtime is None:
            with collector_paused(), self.store.snapshot():
                meta = self.store.meta()
                self._meta = meta
                self._drop()
                self._refresh(meta)
                runtime = self._build_runtime(meta)
                runtime.catch_up(self._target(meta))
            self._drop()  # that cache is ahead of the file: sessions must not take it for the file's
            self._detached_runtime = runtime
        return self._detached_runtime

    @contextmanager
    def _reading(self) -> Iterator[SimAPI | None]:
        """Yields the API (inside a session) when catch-up was needed, else None (read the store)."""
        if self._runtime is not None:
            yield self._runtime.api
            return
        if self._detached_runtime is not None:
            yield self._detached_runtime.api
            return
        with self.store.snapshot():
            meta = self.store.meta()
            due = self.store.min_due()
            target = self._target(meta)
            fast = due is None or due > target
            if fast and self._cache is not None and self._epoch == int(meta.get("epoch", 0)):
                fast = False  # the cache is current: read from memory
                self._meta = meta
                yield SimAPI(self._cache, ClusterSettings.from_dict(meta["settings"]), lambda: target,
                             int(meta["rv"]), "", lambda change: None, [])
                return
            if fast:
                self._meta = meta
                yield None
                return
        if self.store.read_only:
            yield self._detached().api
            return
        refused: ClusterError | None = None
        with self.session() as runtime:
            try:
                yield runtime.api
            except ClusterError as exc:  # e.g. not found: the catch-up is still worth keeping
                refused = exc
        if refused is not None:
            raise refused

    def catch_up(self) -> None:
        """Run whatever is due up to now (opening a cluster does this)."""
        with self._reading():
            pass

    # ---- kinds ---------------------------------------------------------------------------------

    def kinds(self, api: SimAPI | None = None) -> KindView:
        """The kinds served now (inside `_reading`: `api` is what it yielded)."""
        if api is not None:
            return api.kinds
        return KindView(lambda: self.store.list("CustomResourceDefinition"))

    def resolve(self, kind: str, group: str | None, api: SimAPI | None = None) -> tuple[str, KindInfo]:
        """The kind key and facts of (kind, group) (see `kindview`); NotFound / AmbiguousKind."""
        view = self.kinds(api)
        key = view.key(kind, group)
        return key, view.info(key)

    def served_kinds(self) -> list[KindInfo]:
        """Every kind served now: the built-ins and the established CRDs' kinds (Discovery)."""
        with self._reading() as api:
            return self.kinds(api).served()

    # ---- the Cluster protocol -----------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str, *, group: str | None = None) -> Obj:
        """One object (a copy); NotFoundError if absent."""
        with self._reading() as api:
            key, info = self.resolve(kind, group, api)
            if api is None:
                found = self.store.get(key, namespace if info.namespaced else "", name)
                if found is None:
                    label = info.resource if info.custom else admission.resource_label(key)
                    raise NotFoundError(f'{label} "{name}" not found')
                return found
            return deep_copy(api.read(key, namespace, name))

    def list(self, kind: str, namespace: str | None = None, label_selector: str | Selector | None = None,
             field_selector: str | None = None, *, group: str | None = None) -> list[Obj]:
        """Objects of a kind (all namespaces when namespace is None), filtered, in ns/name order."""
        sel = selectors.parse(label_selector) if isinstance(label_selector, str) else label_selector
        if sel is not None:
            check_label_selector(sel)
        with self._reading() as api:
            key, info = self.resolve(kind, group, api)
            reqs = parse_field_selector(key, field_selector) if field_selector else ()
            if api is None:
                found = self.store.list(key, namespace if info.namespaced else None)
                return [o for o in found if (sel is None or sel.matches(o["metadata"].get("labels")))
                        and matches_fields(o, reqs)]
            return deep_copy(api.list(key, namespace, sel, field_selector=reqs))

    @contextmanager
    def _writing(self, dry_run: bool) -> Iterator[SimAPI]:
        """A session for one write; with dry_run, admission only (the catch-up is still kept).

        A refusal (ClusterError: invalid, conflict, not found...) happens before that write
        changed anything, so the session still commits what catching up did, then re-raises.
        """
        outermost = self._runtime is None
        refused: ClusterError | None = None
        with self.session(dry_run=dry_run and self.store.read_only) as rt:
            try:
                if dry_run:
                    with rt.api.dry_running():
                        yield rt.api
                else:
                    yield rt.api
                if rt.api.crds_changed:  # establish it now: a custom resource written next in this
                    rt.api.crds_changed = False  # transaction (one apply) is then served
                    rt.drain()
            except ClusterError as exc:
                if not outermost:
                    raise
                refused = exc
        if refused is not None:
            raise refused

    def names(self, kind: str, namespace: str | None = None, *, group: str | None = None
              ) -> list[tuple[str, str]]:
        """(namespace, name) of every object of a kind, for `get -o name` (no object is decoded)."""
        with self._reading() as api:
            key, info = self.resolve(kind, group, api)
            scope = namespace if info.namespaced else None
            if api is None:
                return self.store.names(key, scope)
            return [(o["metadata"].get("namespace", ""), o["metadata"]["name"])
                    for o in api.list(key, scope)]

    def create(self, obj: Obj, dry_run: bool = False, *, field_manager: str | None = None) -> Obj:
        """Create through admission; returns the stored object (or what would be stored)."""
        manager = _manager(field_manager, "CreateOptions")
        with self._writing(dry_run) as api:
            return deep_copy(api.create(deep_copy(obj), manager=manager))

    def update(self, obj: Obj, dry_run: bool = False, *, field_manager: str | None = None) -> Obj:
        """Replace an object (Conflict on a stale resourceVersion)."""
        manager = _manager(field_manager, "UpdateOptions")
        with self._writing(dry_run) as api:
            return deep_copy(api.update(deep_copy(obj), manager=manager))

    def update_status(self, obj: Obj, *, field_manager: str | None = None) -> Obj:
        """Replace an object's status (its manager's entry is for the `status` subresource)."""
        manager = _manager(field_manager, "UpdateOptions")
        with self.session() as rt:
            return deep_copy(rt.api.update_status(deep_copy(obj), manager))

    def patch(self, kind: str, namespace: str, name: str, body: Any, patch_type: str = "strategic",
              dry_run: bool = False, *, field_manager: str | None = None, force: bool = False,
              group: str | None = None) -> Obj:
        """JSON, merge, strategic-merge or apply patch (apply needs an explicit field_manager)."""
        manager = field_manager if patch_type == "apply" else _manager(field_manager, "PatchOptions")
        with self._writing(dry_run) as api:
            key, _ = self.resolve(kind, group, api)
            return deep_copy(api.patch(key, namespace, name, deep_copy(body), patch_type,
                                       manager=manager, force=force))

    def apply(self, obj: Obj, *, field_manager: str, force: bool = False, dry_run: bool = False) -> Obj:
        """Server-side apply (the `ServerSideApply` ability): merged, defaulted, admitted, stored."""
        with self._writing(dry_run) as api:
            return deep_copy(api.apply(deep_copy(obj), field_manager, force))

    def delete(self, kind: str, namespace: str, name: str, grace_seconds: float | None = None,
               propagation: str = "Background", dry_run: bool = False, *,
               group: str | None = None) -> Obj | None:
        """Delete; returns the object if it lingers (graceful pod deletion, finalizers)."""
        with self._writing(dry_run) as api:
            key, _ = self.resolve(kind, group, api)
            left = api.delete(key, namespace, name, grace_seconds, propagation)
            return deep_copy(left) if left is not None else None

    def events(self, namespace: str | None = None, involved: Obj | None = None) -> list[Obj]:
        """Events (of one object if given), oldest first."""
        found = self.list("Event", namespace)
        if involved is not None:
            return events_for(found, involved)
        return sorted(found, key=lambda e: (str(e.get("lastTimestamp") or ""), e["metadata"]["name"]))

    def resource_version(self) -> str:
        """The cluster-wide resourceVersion after catching up."""
        self.catch_up()
        if self._detached_runtime is not None:
            return str(self._detached_runtime.api.rv)
        return str(self.store.meta()["rv"])

    def watch(self, kind: str, namespace: str | None = None, resource_version: str | None = None,
              label_selector: str | None = None, timeout_seconds: float = 0.0, *,
              group: str | None = None) -> Iterator[WatchEvent]:
        """Changes after `resource_version` (or the current objects as ADDED when None), then,
        for `timeout_seconds` of wall time, new changes as they are committed."""
        from kapply.cluster.sim.watching import watch

        with self._reading() as api:
            key, _ = self.resolve(kind, group, api)
        return watch(self, key, namespace, resource_version, label_selector, timeout_seconds)

    def acts_on(self, kind: str, *, group: str | None = None) -> bool:
        """Whether a controller of this cluster acts on `kind` (protocol.ActsOn): a kind with a
        status that nothing here writes (an autoscaler, a claim, any custom resource: no operator
        runs inside the embedded cluster) is inert."""
        from kapply.cluster.sim.controllers import ACTS_ON

        with self._reading() as api:
            key, info = self.resolve(kind, group, api)
        if info.custom:
            return False
        return not info.status or key in ACTS_ON

    # ---- time ----------------------------------------------------------------------------------

    def now(self) -> float:
        """The virtual time now."""
        return self._target(self.store.meta())

    def advance(self, seconds: float) -> AdvanceResult:
        """Fast-forward the virtual clock; everything due runs in order."""
        start = self.now()
        if self._runtime is None and self._cache is None:
            with self.store.transaction():  # nothing due: move the clock without loading anything
                meta = self.store.meta()
                manual = bool(meta["settings"].get("manual_clock"))
                if not manual:
                    meta["offset"] = float(meta["offset"]) + seconds
                target = self._target(meta) + (seconds if manual else 0.0)
                due = self.store.min_due()
                if due is None or due > target:
                    self.store.set_meta({"offset": meta["offset"], "now": target,
                                         "epoch": int(meta.get("epoch", 0)) + 1})
                    busy = self.store.min_due(IDLE_IGNORED)
                    return AdvanceResult(start, target, 0, 0, busy is None)
        with self.session(advance=seconds) as rt:
            pass
        return AdvanceResult(start, rt.now, rt.fired, rt.sync_count,
                             rt.timers.earliest_excluding(IDLE_IGNORED) is None)

    def next_due(self) -> float | None:
        """Virtual time of the next pending timer (housekeeping excluded); None when idle."""
        self.catch_up()
        if self._detached_runtime is not None:
            return self._detached_runtime.timers.earliest_excluding(IDLE_IGNORED)
        return self.store.min_due(IDLE_IGNORED)

    def advance_until_idle(self, limit: float = 3600.0, max_steps: int = 100_000) -> AdvanceResult:
        """Jump from pending timer to pending timer until none is due (bounded by `limit` seconds)."""
        start = self.now()
        with self.session() as rt:
            idle = False
            for _ in range(max_steps):
                due = rt.timers.earliest_excluding(IDLE_IGNORED)
                if due is None:
                    idle = True
                    break
                if due > start + limit:
                    break
                rt.catch_up(due)
            meta = self._meta
            if not meta["settings"].get("manual_clock"):
                meta["offset"] = max(float(meta["offset"]), rt.now - self.clock.time())
        return AdvanceResult(start, rt.now, rt.fired, rt.sync_count, idle)

    # ---- settings and info -----------------------------------------------------------------------

    def update_settings(self, **changes: Any) -> ClusterSettings:
        """Change settings (e.g. image faults) and let controllers see them from now on."""
        with self.session():
            merged = dict(self._meta["settings"], **changes)
            ClusterSettings.from_dict(merged)
            self.store.set_meta({"settings": merged})
            self._meta["settings"] = merged
        return ClusterSettings.from_dict(merged)

    def info(self) -> dict[str, Any]:
        """Settings, virtual time, object counts and timers (for `cluster info`)."""
        self.catch_up()
        meta = self.store.meta()
        info = {
            "name": self.name, "path": str(self.store.path), "settings": meta["settings"],
            "now": self._target(meta), "created": meta.get("created"), "resourceVersion": meta["rv"],
            "counts": self.store.counts(), "nextDue": self.store.min_due(IDLE_IGNORED),
            "timers": self.store.timer_count(), "readOnly": self.store.read_only,
        }
        detached = self._detached_runtime
        if detached is not None:  # the state caught up in memory, not the file's
            cache = detached.api.cache
            info.update(resourceVersion=detached.api.rv, counts={k: cache.count(k) for k in cache.kinds()},
                        nextDue=detached.timers.earliest_excluding(IDLE_IGNORED), timers=len(detached.timers))
        return info

    def close(self) -> None:
        """Release the state file."""
        self.store.close()
