"""The optional abilities a long-running API front end needs from the embedded cluster.

`kapply serve` keeps one `SimCluster` open for hours while other kapply processes write the same
file. Beyond the `Cluster` protocol it needs what `kapply.cluster.protocol` names as abilities:
lists in pages (`PagedLists`), the change log as a feed with a cheap cross-process change check
(`ChangeFeed`, SQLite's `data_version`), a real-time runner that fires due timers without any
request (`ControlPlane`), the status / log / eviction subresources (`Subresources`) and deletes
with preconditions or by collection (`CheckedDeletes`). `SimCluster` inherits them from here.

Continue tokens are base64 JSON `{"v": "meta.k8s.io/v1", "rv": N, "start": "ns/name"}` as the API
server's. Simplification: a continue page reads the state when it is read, after the last key
of the page before; the whole list keeps the first page's resourceVersion, so a watch from it
still sees every change made meanwhile. A token older than the change log is 410 Expired.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from typing import TYPE_CHECKING, Any

from kapply.cluster.fields import check_label_selector, matches_fields, parse_field_selector
from kapply.cluster.protocol import Change, ContinueExpiredError, ListPage, ResourceExpiredError
from kapply.cluster.sim import patching
from kapply.cluster.sim.clock import target_time
from kapply.cluster.sim.kindview import group_of_key
from kapply.cluster.sim.logs import LogsUnavailableError, container_log
from kapply.errors import BadRequestError, ConflictError
from kapply.model import selectors
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import Selector

if TYPE_CHECKING:
    from kapply.cluster.sim.cache import Cache
    from kapply.cluster.sim.store import Store

Obj = dict[str, Any]
_PAGE_BATCH = 500  # rows read per query while filling a filtered page from the file


def encode_continue(rv: int, key: tuple[str, str]) -> str:
    """The opaque continue token after `key` of a list read at `rv`."""
    text = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": f"{key[0]}/{key[1]}"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    """(resourceVersion, last key) of a continue token; BadRequestError when it is not one."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        namespace, _, name = str(data["start"]).partition("/")
        if data.get("v") != "meta.k8s.io/v1" or not name or int(data["rv"]) < 0:
            raise ValueError("not a continue token")
        return int(data["rv"]), (namespace, name)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequestError(f'continue key is not valid: "{token}"') from None


class ServingAbilities:
    """Mixed into SimCluster; uses its sessions (`_reading`, `_writing`) and its store."""

    store: Store
    _cache: Cache | None
    _epoch: int
    _runtime: Any
    _meta: dict[str, Any]
    _data_version: int | None = None
    _sorted: tuple[Any, list[Obj]] | None = None  # the last unfiltered list read from memory

    # ---- PagedLists ----------------------------------------------------------------------------

    def list_page(
        self,
        kind: str,
        namespace: str | None = None,
        label_selector: Any = None,
        field_selector: str | None = None,
        limit: int = 0,
        continue_token: str = "",
        shared: bool = False,
        *,
        group: str | None = None,
    ) -> ListPage:
        """A page of a filtered list, in namespace/name order (see the module docstring)."""
        sel = selectors.parse(label_selector) if isinstance(label_selector, str) else label_selector
        if sel is not None:
            check_label_selector(sel)
        token_rv, after = decode_continue(continue_token) if continue_token else (None, None)
        with self._reading() as api:  # type: ignore[attr-defined]
            kind, info = self.resolve(kind, group, api)  # type: ignore[attr-defined]
            scope = namespace if info.namespaced else None
            reqs = parse_field_selector(kind, field_selector) if field_selector else ()
            meta = self._meta
            rv = api.rv if api is not None else int(meta["rv"])
            if token_rv is not None and token_rv < int(meta["changelog_floor"]):
                raise ContinueExpiredError(
                    "The provided continue parameter is too old to display a consistent list result. "
                    "You can start a new list without the continue parameter."
                )
            list_rv = token_rv if token_rv is not None else rv
            if api is not None:
                found = self._sorted_list(api, kind, scope, sel, reqs)
                start = bisect.bisect_right(found, after, key=_key) if after is not None else 0
                end = start + limit if limit > 0 else len(found)
                page = found[start:end]
                rest = len(found) - min(end, len(found))
                if not shared:
                    page = deep_copy(page)
            else:
                page, rest = self._page_from_file(kind, scope, sel, reqs, after, limit)
        more = limit > 0 and rest > 0
        token = encode_continue(list_rv, _key(page[-1])) if more and page else ""
        remaining = rest if more and sel is None and not reqs else None
        return ListPage(page, str(list_rv), token, remaining)

    def _sorted_list(self, api: Any, kind: str, scope: str | None, sel: Selector | None,
                     reqs: Any) -> list[Obj]:
        """The objects in (namespace, name) order; an unfiltered list is kept until the next write,
        so the pages of one long list (kubectl asks 500 at a time) sort it once."""
        if sel is not None or reqs:
            return api.list(kind, scope, sel, field_selector=reqs)
        key = (kind, scope, api.rv, id(api.cache))
        if self._sorted is not None and self._sorted[0] == key:
            return self._sorted[1]
        found = api.list(kind, scope)
        self._sorted = (key, found)
        return found

    def _page_from_file(
        self,
        kind: str,
        scope: str | None,
        sel: Selector | None,
        reqs: Any,
        after: tuple[str, str] | None,
        limit: int,
    ) -> tuple[list[Obj], int]:
        """Fill a page with index range scans; (page, how many matching objects follow, or 1 if
        unknown but some do)."""
        page: list[Obj] = []
        cursor = after
        filtered = sel is not None or bool(reqs)
        while True:
            want = _PAGE_BATCH if limit <= 0 or filtered else limit + 1
            rows = self.store.page(kind, scope, cursor, want)
            for obj in rows:
                if (sel is None or sel.matches(obj["metadata"].get("labels"))) and matches_fields(obj, reqs):
                    if limit > 0 and len(page) == limit:
                        rest = 1 if filtered else self.store.count_after(kind, scope, _key(page[-1]))
                        return page, rest
                    page.append(obj)
            if len(rows) < want:
                return page, 0
            cursor = _key(rows[-1])

    # ---- ChangeFeed ----------------------------------------------------------------------------

    def changes_since(self, resource_version: int, limit: int = 0) -> list[Change]:
        """Every committed change after `resource_version`, all kinds, oldest first."""
        with self.store.snapshot():
            floor = int(self.store.meta()["changelog_floor"])
            if resource_version < floor:
                raise ResourceExpiredError(f"too old resource version: {resource_version} ({floor})")
            rows = self.store.changes_since(resource_version, limit=limit)
        return [Change(rv, type_, key.partition(".")[0], obj, group_of_key(key))
                for rv, type_, key, obj in rows]

    def changed_elsewhere(self) -> bool:
        """Whether another connection committed since the last call (PRAGMA data_version)."""
        version = self.store.data_version()
        changed = self._data_version is not None and version != self._data_version
        self._data_version = version
        return changed

    # ---- ControlPlane --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the in-memory view up to the file without writing anything: a long-lived reader
        then answers from memory after other processes' writes, replaying only their changes."""
        if self._runtime is not None:
            return
        with self.store.snapshot():
            meta = self.store.meta()
            if self._cache is None or self._epoch != int(meta.get("epoch", 0)):
                self._refresh(meta)  # type: ignore[attr-defined]
            self._meta = meta

    def run_due(self) -> float | None:
        """Fire what is due now (one session when something is); wall seconds to the next timer."""
        self.refresh()
        self.catch_up()  # type: ignore[attr-defined]
        meta = self.store.meta()
        due = self.store.min_due()
        if due is None or meta["settings"].get("manual_clock"):
            return None
        now = target_time(
            self.clock.time(),
            float(meta["offset"]),  # type: ignore[attr-defined]
            float(meta["now"]),
            False,
        )
        return max(0.0, due - now)

    # ---- Subresources --------------------------------------------------------------------------

    def write_status(self, obj: Obj, dry_run: bool = False, *, field_manager: str | None = None) -> Obj:
        """PUT .../status: only the status changes (recorded for the status subresource)."""
        manager = _manager(field_manager, "UpdateOptions")
        with self._writing(dry_run) as api:  # type: ignore[attr-defined]
            return deep_copy(api.update_status(deep_copy(obj), manager))

    def patch_status(self, kind: str, namespace: str, name: str, body: Any, patch_type: str = "merge",
                     dry_run: bool = False, *, field_manager: str | None = None,
                     group: str | None = None) -> Obj:
        """PATCH .../status: the patch is applied to the whole object, then only its status kept."""
        manager = _manager(field_manager, "PatchOptions")
        with self._writing(dry_run) as api:  # type: ignore[attr-defined]
            kind, _ = self.resolve(kind, group, api)  # type: ignore[attr-defined]
            old = api.read(kind, namespace, name)
            new = patching.patched(old, body, patch_type, kind)
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return deep_copy(api.update_status(new, manager))

    def pod_log(self, namespace: str, name: str, container: str | None = None, previous: bool = False) -> str:
        """The simulated log of a pod's container (`kapply.cluster.sim.logs`)."""
        pod = self.get("Pod", namespace, name)  # type: ignore[attr-defined]
        names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or ()]
        if not container and len(names) > 1:
            raise LogsUnavailableError(
                f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]"
            )
        return container_log(pod, container or None, previous)

    def evict(
        self, namespace: str, name: str, grace_seconds: float | None = None, dry_run: bool = False
    ) -> None:
        """Evict a pod: a graceful delete its PodDisruptionBudget must allow (`eviction`; 429 when not)."""
        from kapply.cluster.sim.eviction import evict

        with self._writing(dry_run) as api:  # type: ignore[attr-defined]
            evict(api, namespace, name, grace_seconds)

    # ---- CheckedDeletes ------------------------------------------------------------------------

    def delete_checked(
        self,
        kind: str,
        namespace: str,
        name: str,
        grace_seconds: float | None = None,
        propagation: str = "Background",
        dry_run: bool = False,
        uid: str | None = None,
        resource_version: str | None = None,
        *,
        group: str | None = None,
    ) -> Obj | None:
        """Delete when the preconditions hold, in one transaction (Conflict otherwise)."""
        with self._writing(dry_run) as api:  # type: ignore[attr-defined]
            kind, info = self.resolve(kind, group, api)  # type: ignore[attr-defined]
            old = api.read(kind, namespace, name)
            meta = old["metadata"]
            failed = ""
            if uid and uid != meta.get("uid"):
                failed = f"UID in precondition: {uid}, UID in object meta: {meta.get('uid', '')}"
            elif resource_version and resource_version != meta.get("resourceVersion"):
                failed = (
                    f"ResourceVersion in precondition: {resource_version}, ResourceVersion in "
                    f"object meta: {meta.get('resourceVersion', '')}"
                )
            if failed:
                raise ConflictError(
                    f'Operation cannot be fulfilled on {info.resource} "{name}": '
                    f"Precondition failed: {failed}"
                )
            left = api.delete(kind, namespace, name, grace_seconds, propagation)
            return deep_copy(left) if left is not None else None

    def delete_collection(
        self,
        kind: str,
        namespace: str | None = None,
        label_selector: Any = None,
        field_selector: str | None = None,
        grace_seconds: float | None = None,
        propagation: str = "Background",
        dry_run: bool = False,
        *,
        group: str | None = None,
    ) -> list[Obj]:
        """Delete every matching object in one transaction; returns each as it was deleted."""
        sel = selectors.parse(label_selector) if isinstance(label_selector, str) else label_selector
        if sel is not None:
            check_label_selector(sel)
        gone: list[Obj] = []
        with self._writing(dry_run) as api:  # type: ignore[attr-defined]
            kind, info = self.resolve(kind, group, api)  # type: ignore[attr-defined]
            reqs = parse_field_selector(kind, field_selector) if field_selector else ()
            scope = namespace if info.namespaced else None
            for obj in list(api.list(kind, scope, sel, field_selector=reqs)):
                meta = obj["metadata"]
                left = api.delete(kind, meta.get("namespace", ""), meta["name"], grace_seconds, propagation)
                gone.append(deep_copy(left if left is not None else obj))
        return gone


def _manager(field_manager: str | None, options: str) -> str:
    """The cluster's own rule for a write's manager (`cluster._manager`; imported late: cluster.py
    imports this module)."""
    from kapply.cluster.sim.cluster import _manager as manager

    return manager(field_manager, options)


def _key(obj: Obj) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", "") or "", meta["name"]
