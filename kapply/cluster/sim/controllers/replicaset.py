"""The replica manager: ReplicaSets and ReplicationControllers keep N pods of their template.

One implementation for both kinds, as Kubernetes does (pkg/controller/replicaset; the RC manager
wraps it): claim the pods the selector matches (adopt orphans, release pods that no longer
match), create pods `<owner>-<5 random chars>` when too few, delete the lowest-ranked ones when
too many (`deletion_order`: Kubernetes' ActivePodsWithRanks with logarithmic scale-down), then
post status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
observedGeneration). Pods being deleted are not active and not counted.

Creates and deletes are paced as kube-controller-manager's are (`slowstart.py`): a sync runs at
most one step (up to 30 requests, creates in slow-start batches) and leaves a `burst:` timer for
the next; while that timer is pending the owner's expectations are unsatisfied, so other syncs
only post status. Work per sync is bounded whatever spec.replicas says.

Simulation detail: the status written after creating or deleting pods already reflects them
(Kubernetes posts the pre-change counts and corrects them on the next pod event); the Deployment
controller next door reads these counts, so they must never overstate availability.
A ready pod that will count as available after minReadySeconds sets a timer for that moment.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers import slowstart
from kapply.cluster.sim.controllers.base import Change, Context, Obj, controller_of, ns_key, split_key
from kapply.cluster.sim.controllers.podutil import (
    becomes_available_at,
    format_time,
    is_pod_active,
    is_pod_available,
    is_pod_ready,
    max_container_restarts,
    parse_time,
    ready_since,
)
from kapply.cluster.sim.controllers.refmanager import claim, controller_ref
from kapply.errors import ClusterError, NotFoundError
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import Selector, from_label_selector, from_match_labels

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost"
POD_PREFIX = "pod:"  # key of an orphan pod looking for an owner to adopt it
BURST_PREFIX = "burst:"  # timer key of an owner's next paced create/delete step (its expectations)
FAILED_CREATE_RETRY = 10.0  # seconds before retrying after a refused pod create
RETRY_SECONDS = 1.0  # a sync that hit an API error runs again this much later
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


# --- deletion ranking (controller.ActivePodsWithRanks) --------------------------------------

def _deletion_cost(pod: Obj) -> int:
    value = (pod.get("metadata", {}).get("annotations") or {}).get(DELETION_COST_ANNOTATION)
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def _log_rank_diff(t1: float, t2: float, now: float) -> int:
    """logarithmicRankDiff: compare how long ago, in power-of-two buckets of nanoseconds."""
    def bucket(t: float) -> int:
        d = (now - t) * 1e9
        return int(math.log2(d)) if d > 0 else -1
    return bucket(t1) - bucket(t2)


def _newer_first(t1: float | None, t2: float | None, uid1: str, uid2: str, now: float) -> int:
    """-1 if the first sorts before (is deleted before) the second, by recency; 0 if equal."""
    if t1 == t2:
        return 0
    if t1 is None or t2 is None:  # afterOrZero: a zero time sorts first
        return -1 if t1 is None else 1
    diff = _log_rank_diff(t1, t2, now)
    if diff == 0:
        return -1 if uid1 < uid2 else (1 if uid1 > uid2 else 0)
    return -1 if diff < 0 else 1


def _compare(a: tuple[Obj, int], b: tuple[Obj, int], now: float) -> int:
    (p, rank_p), (q, rank_q) = a, b
    node_p, node_q = p["spec"].get("nodeName") or "", q["spec"].get("nodeName") or ""
    if node_p != node_q and (not node_p or not node_q):
        return -1 if not node_p else 1  # 1. unscheduled before scheduled
    phase_p = _PHASE_ORDINAL.get((p.get("status") or {}).get("phase", ""), 0)
    phase_q = _PHASE_ORDINAL.get((q.get("status") or {}).get("phase", ""), 0)
    if phase_p != phase_q:
        return -1 if phase_p < phase_q else 1  # 2. Pending < Unknown < Running
    ready_p, ready_q = is_pod_ready(p), is_pod_ready(q)
    if ready_p != ready_q:
        return -1 if not ready_p else 1  # 3. not ready before ready
    cost_p, cost_q = _deletion_cost(p), _deletion_cost(q)
    if cost_p != cost_q:
        return -1 if cost_p < cost_q else 1  # 4. lower pod-deletion-cost first
    if rank_p != rank_q:
        return -1 if rank_p > rank_q else 1  # 5. doubled up on a node before alone
    uid_p, uid_q = p["metadata"].get("uid", ""), q["metadata"].get("uid", "")
    if ready_p and ready_q:  # 6. ready for a shorter time first
        order = _newer_first(ready_since(p), ready_since(q), uid_p, uid_q, now)
        if order:
            return order
    restarts_p, restarts_q = max_container_restarts(p), max_container_restarts(q)
    if restarts_p != restarts_q:
        return -1 if restarts_p > restarts_q else 1  # 7. more restarts first
    created_p = parse_time(p["metadata"].get("creationTimestamp"))
    created_q = parse_time(q["metadata"].get("creationTimestamp"))
    return _newer_first(created_p, created_q, uid_p, uid_q, now)  # 8. newer first


def deletion_order(pods: list[Obj], related: Iterable[Obj], now: float) -> list[Obj]:
    """`pods` in the order a replica manager deletes them (getPodsToDelete's sort)."""
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = pod["spec"].get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    ranked = [(pod, on_node.get(pod["spec"].get("nodeName") or "", 0)) for pod in pods]
    ranked.sort(key=functools.cmp_to_key(lambda a, b: _compare(a, b, now)))
    return [pod for pod, _ in ranked]


# --- status --------------------------------------------------------------------------------

def calculate_status(owner: Obj, pods: list[Obj], now: float, failure: tuple[str, str] | None) -> Obj:
    """The owner's status for its active pods (fields at zero omitted, as the API serialises)."""
    status: Obj = deep_copy(owner.get("status") or {})
    template_labels = from_match_labels(
        ((owner["spec"].get("template") or {}).get("metadata") or {}).get("labels"))
    min_ready = int(owner["spec"].get("minReadySeconds") or 0)
    counts = {
        "replicas": len(pods),
        "fullyLabeledReplicas": sum(1 for p in pods if template_labels.matches(p["metadata"].get("labels"))),
        "readyReplicas": sum(1 for p in pods if is_pod_ready(p)),
        "availableReplicas": sum(1 for p in pods if is_pod_available(p, min_ready, now)),
    }
    for key, value in counts.items():
        if value or key == "replicas":
            status[key] = value
        else:
            status.pop(key, None)
    conditions = [c for c in status.get("conditions") or () if c.get("type") != "ReplicaFailure"]
    current = next((c for c in status.get("conditions") or () if c.get("type") == "ReplicaFailure"), None)
    if failure is not None:
        conditions.append(current or {"type": "ReplicaFailure", "status": "True",
                                      "lastTransitionTime": format_time(now),
                                      "reason": failure[0], "message": failure[1]})
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)
    return status


def _status_changed(owner: Obj, status: Obj) -> bool:
    old = owner.get("status") or {}
    fields = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "conditions")
    generation = int(owner["metadata"].get("generation") or 0)
    return (any(old.get(f) != status.get(f) for f in fields)
            or int(old.get("observedGeneration") or 0) != generation)


# --- the controller ------------------------------------------------------------------------

class ReplicaManager:
    """The replica manager for one kind (ReplicaSet or ReplicationController)."""

    def __init__(self, kind: str = "ReplicaSet") -> None:
        self.kind = kind
        self.name = kind.lower()

    def selector(self, owner: Obj) -> Selector:
        sel = owner["spec"].get("selector")
        if self.kind == "ReplicationController":
            return from_match_labels(sel)
        return from_label_selector(sel)

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == self.kind:
            if change.type != "DELETED":
                yield ns_key(change.obj)
            return
        if change.kind != "Pod":
            return
        keys = set()
        for obj in (change.obj, change.old):
            if obj is None:
                continue
            ref = controller_of(obj)
            if ref is not None and ref.get("kind") == self.kind:
                keys.add(f"{obj['metadata'].get('namespace', '')}/{ref.get('name', '')}")
        if (not keys and change.type != "DELETED" and controller_of(change.obj) is None
                and is_pod_active(change.obj) and change.obj["metadata"].get("labels")):
            keys.add(POD_PREFIX + ns_key(change.obj))
        yield from sorted(keys)

    def sync(self, ctx: Context, key: str) -> None:
        try:
            self._sync(ctx, key)
        except ClusterError:
            # A write refused or raced (the controller manager retries with back-off).
            ctx.requeue_after(RETRY_SECONDS, key)

    def _sync(self, ctx: Context, key: str) -> None:
        if key.startswith(POD_PREFIX):
            self._adopt_orphan(ctx, key[len(POD_PREFIX):])
            return
        key = key.removeprefix(BURST_PREFIX)  # the next paced step is due
        namespace, name = split_key(key)
        owner = ctx.get(self.kind, namespace, name)
        if owner is not None:
            self._sync_owner(ctx, owner)

    def _adopt_orphan(self, ctx: Context, key: str) -> None:
        namespace, name = split_key(key)
        pod = ctx.get("Pod", namespace, name)
        if pod is None or controller_of(pod) is not None or not is_pod_active(pod):
            return
        for owner in ctx.list(self.kind, namespace):
            sel = self.selector(owner)
            if not sel.empty and sel.matches(pod["metadata"].get("labels")):
                self._sync_owner(ctx, owner)
                return

    def _claim(self, ctx: Context, owner: Obj, sel: Selector) -> list[Obj]:
        """Our pods: owned ones that still match, plus matching orphans (adopted)."""
        meta = owner["metadata"]
        namespace = meta.get("namespace", "")
        candidates = ctx.list("Pod", namespace, owner_uid=meta.get("uid", ""))
        if not sel.empty:
            candidates = [*candidates, *ctx.list("Pod", namespace, selector=sel)]
        return claim(ctx, owner, sel, candidates)

    def _sync_owner(self, ctx: Context, owner: Obj) -> None:
        sel = self.selector(owner)
        if sel.empty:
            return  # validation forbids it; a selector matching nothing would create pods forever
        pods = [p for p in self._claim(ctx, owner, sel) if is_pod_active(p)]
        failure = None
        pacing = ctx.due(BURST_PREFIX + ns_key(owner))
        satisfied = pacing is None or pacing <= ctx.now  # SatisfiedExpectations: no step in flight
        if satisfied and not owner["metadata"].get("deletionTimestamp"):
            pods, failure = self._manage(ctx, owner, pods)
        status = calculate_status(owner, pods, ctx.now, failure)
        status["observedGeneration"] = int(owner["metadata"].get("generation") or 0)
        if _status_changed(owner, status):
            current = ctx.get(self.kind, owner["metadata"].get("namespace", ""), owner["metadata"]["name"])
            if current is None:
                return
            updated = deep_copy(current)
            updated["status"] = status
            ctx.update_status(updated)
        min_ready = int(owner["spec"].get("minReadySeconds") or 0)
        if min_ready > 0:
            pending = [at for p in pods if not is_pod_available(p, min_ready, ctx.now)
                       and (at := becomes_available_at(p, min_ready)) is not None]
            if pending:
                ctx.requeue_at(min(pending), ns_key(owner))

    def _manage(self, ctx: Context, owner: Obj, pods: list[Obj]) -> tuple[list[Obj], tuple[str, str] | None]:
        """manageReplicas: create or delete pods towards spec.replicas; returns the pods after it.

        At most one paced step (`slowstart`) per sync: the rest follows when the burst timer
        fires, and until then the manager's expectations hold it to posting status.
        """
        replicas = owner["spec"].get("replicas")
        want = 1 if replicas is None else int(replicas)
        diff = len(pods) - want
        step = slowstart.step_size(abs(diff))
        if diff < 0:
            pods, failure = self._create_pods(ctx, owner, pods, step)
        elif diff > 0:
            pods, failure = self._delete_pods(ctx, owner, pods, step)
        else:
            return pods, None
        if failure is None and abs(diff) > step:  # more to do once the client has tokens again
            ctx.requeue_after(slowstart.refill_seconds(step), BURST_PREFIX + ns_key(owner))
        return pods, failure

    def _create_pods(self, ctx: Context, owner: Obj, pods: list[Obj],
                     count: int) -> tuple[list[Obj], tuple[str, str] | None]:
        created: list[Obj] = []

        def create() -> ClusterError | None:
            try:
                created.append(self._create_pod(ctx, owner))
            except ClusterError as exc:
                ctx.record_event(owner, "Warning", "FailedCreate", f"Error creating: {exc}")
                return exc
            return None

        _, failed = slowstart.slow_start_batch(count, slowstart.SLOW_START_INITIAL_BATCH_SIZE, create)
        if failed is not None:
            ctx.requeue_after(FAILED_CREATE_RETRY, ns_key(owner))
            return pods + created, ("FailedCreate", str(failed))
        return pods + created, None

    def _delete_pods(self, ctx: Context, owner: Obj, pods: list[Obj],
                     count: int) -> tuple[list[Obj], tuple[str, str] | None]:
        doomed = pods if count >= len(pods) else deletion_order(pods, self._related(ctx, owner), ctx.now)
        gone: set[str] = set()
        failed: ClusterError | None = None
        for pod in doomed[:count]:  # all at once in Kubernetes: every delete is tried
            name = pod["metadata"]["name"]
            try:
                ctx.delete("Pod", pod["metadata"].get("namespace", ""), name)
            except NotFoundError:
                pass
            except ClusterError as exc:
                ctx.record_event(owner, "Warning", "FailedDelete", f"Error deleting: {exc}")
                failed = failed or exc
                continue
            gone.add(name)
            ctx.record_event(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")
        left = [p for p in pods if p["metadata"]["name"] not in gone]
        return left, None if failed is None else ("FailedDelete", str(failed))

    def _related(self, ctx: Context, owner: Obj) -> list[Obj]:
        """Pods of every ReplicaSet sharing this one's controller (getIndirectlyRelatedPods)."""
        namespace = owner["metadata"].get("namespace", "")
        ref = controller_of(owner)
        siblings = [owner] if ref is None else ctx.list(self.kind, namespace, owner_uid=ref.get("uid"))
        related: list[Obj] = []
        for sibling in siblings:
            related.extend(ctx.list("Pod", namespace, owner_uid=sibling["metadata"].get("uid")))
        return related

    def _create_pod(self, ctx: Context, owner: Obj) -> Obj:
        meta = owner["metadata"]
        namespace = meta.get("namespace", "")
        template = owner["spec"].get("template") or {}
        t_meta = template.get("metadata") or {}
        prefix = f"{meta['name']}-"
        name = prefix + "".join(ctx.random.choice(NAME_ALPHABET) for _ in range(5))
        while ctx.get("Pod", namespace, name) is not None:
            name = prefix + "".join(ctx.random.choice(NAME_ALPHABET) for _ in range(5))
        pod_meta: dict[str, Any] = {"name": name, "generateName": prefix, "namespace": namespace}
        for field in ("labels", "annotations", "finalizers"):
            if t_meta.get(field):
                pod_meta[field] = deep_copy(t_meta[field])
        pod_meta["ownerReferences"] = [controller_ref(owner)]
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
               "spec": deep_copy(template.get("spec") or {})}
        created = ctx.create(pod)
        ctx.record_event(owner, "Normal", "SuccessfulCreate", f"Created pod: {name}")
        return created


class ReplicationManager(ReplicaManager):
    """The same manager for ReplicationControllers (selector is a plain label map)."""

    def __init__(self) -> None:
        super().__init__("ReplicationController")
