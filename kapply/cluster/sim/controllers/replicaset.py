"""The replica manager: ReplicaSets and ReplicationControllers keep N pods of their template.

One implementation for both kinds, as Kubernetes does (pkg/controller/replicaset; the RC manager
wraps it): claim the pods the selector matches (adopt orphans, release pods that no longer
match), create pods `<owner>-<5 random chars>` when too few, delete the lowest-ranked ones when
too many (`podrank.py`: Kubernetes' ActivePodsWithRanks with logarithmic scale-down), then
post status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
observedGeneration). Pods being deleted are not active and not counted. The pods and counts of
each owner come from `replicaindex.py`, kept current by watches(), so a sync costs what changed,
not the size of the ReplicaSet.

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

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, Obj, controller_of, ns_key, split_key
from kapply.cluster.sim.helpers import slowstart
from kapply.cluster.sim.helpers.podrank import pods_to_delete
from kapply.cluster.sim.helpers.podutil import format_time, is_pod_active
from kapply.cluster.sim.helpers.refmanager import claim, controller_ref
from kapply.cluster.sim.helpers.replicaindex import OwnerPods, ReplicaIndex
from kapply.errors import ClusterError, NotFoundError
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import Selector, from_label_selector, from_match_labels

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
POD_PREFIX = "pod:"  # key of an orphan pod looking for an owner to adopt it
BURST_PREFIX = "burst:"  # timer key of an owner's next paced create/delete step (its expectations)
FAILED_CREATE_RETRY = 10.0  # seconds before retrying after a refused pod create
RETRY_SECONDS = 1.0  # a sync that hit an API error runs again this much later
COUNTS = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")


# --- status --------------------------------------------------------------------------------

def template_labels(owner: Obj) -> Selector:
    """The owner's pod-template labels, which a fully labeled pod carries."""
    return from_match_labels(((owner["spec"].get("template") or {}).get("metadata") or {}).get("labels"))


def calculate_status(owner: Obj, counts: dict[str, int], now: float, failure: tuple[str, str] | None) -> Obj:
    """The owner's status for the counts of its active pods (zero counts omitted, as the API
    serialises; `replicas` always present) and a create/delete failure, if any."""
    status: Obj = deep_copy(owner.get("status") or {})
    for key in COUNTS:
        value = counts.get(key, 0)
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
        self._index = ReplicaIndex(kind)  # this session's owners: their pods and counts
        self._victims: dict[str, list[str]] = {}  # owner uid -> pods its deletion burst still has to delete

    def selector(self, owner: Obj) -> Selector:
        sel = owner["spec"].get("selector")
        if self.kind == "ReplicationController":
            return from_match_labels(sel)
        return from_label_selector(sel)

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == self.kind:
            uid = change.obj["metadata"].get("uid", "")
            if change.type == "DELETED":
                self._index.forget(uid)
                return
            if change.old is None or change.old["spec"].get("selector") != change.obj["spec"].get("selector"):
                self._index.mark_dirty(uid)  # orphans may match it now
            yield ns_key(change.obj)
            return
        if change.kind != "Pod":
            return
        self._index.observe(change)
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
                self._index.mark_dirty(owner["metadata"].get("uid", ""))
                self._sync_owner(ctx, owner)
                return

    def _claim(self, ctx: Context, owner: Obj, sel: Selector) -> None:
        """Adopt matching orphans and release owned pods that no longer match (the writes update
        the index through watches)."""
        meta = owner["metadata"]
        namespace = meta.get("namespace", "")
        candidates = ctx.list("Pod", namespace, owner_uid=meta.get("uid", ""))
        if not sel.empty:
            candidates = [*candidates, *ctx.list("Pod", namespace, selector=sel)]
        claim(ctx, owner, sel, candidates)

    def _sync_owner(self, ctx: Context, owner: Obj) -> None:
        sel = self.selector(owner)
        if sel.empty:
            return  # validation forbids it; a selector matching nothing would create pods forever
        meta = owner["metadata"]
        namespace, uid = meta.get("namespace", ""), meta.get("uid", "")
        pods = self._index.owner(uid, lambda: ctx.list("Pod", namespace, owner_uid=uid))
        if pods.dirty:
            pods.dirty = False
            self._claim(ctx, owner, sel)
        failure = None
        pacing = ctx.due(BURST_PREFIX + ns_key(owner))
        satisfied = pacing is None or pacing <= ctx.now  # SatisfiedExpectations: no step in flight
        if satisfied and not meta.get("deletionTimestamp"):
            failure = self._manage(ctx, owner, pods)
        min_ready = int(owner["spec"].get("minReadySeconds") or 0)
        counts = {"replicas": len(pods.pods), "readyReplicas": pods.ready,
                  "fullyLabeledReplicas": pods.count_labeled(template_labels(owner)),
                  "availableReplicas": pods.available(min_ready, ctx.now)}
        status = calculate_status(owner, counts, ctx.now, failure)
        status["observedGeneration"] = int(meta.get("generation") or 0)
        if _status_changed(owner, status):
            current = ctx.get(self.kind, namespace, meta["name"])
            if current is None:
                return
            updated = deep_copy(current)
            updated["status"] = status
            ctx.update_status(updated)
        at = pods.next_available(min_ready, ctx.now)
        if at is not None:
            ctx.requeue_at(at, ns_key(owner))

    def _manage(self, ctx: Context, owner: Obj, pods: OwnerPods) -> tuple[str, str] | None:
        """manageReplicas: create or delete pods towards spec.replicas; the failure, if any.

        At most one paced step (`slowstart`) per sync: the rest follows when the burst timer
        fires, and until then the manager's expectations hold it to posting status.
        """
        replicas = owner["spec"].get("replicas")
        want = 1 if replicas is None else int(replicas)
        diff = len(pods.pods) - want
        step = slowstart.step_size(abs(diff))
        uid = owner["metadata"].get("uid", "")
        if diff <= 0:
            self._victims.pop(uid, None)
        if diff < 0:
            failure = self._create_pods(ctx, owner, step)
        elif diff > 0:
            failure = self._delete_pods(ctx, owner, self._next_victims(ctx, owner, pods, diff, step))
        else:
            return None
        if failure is None and abs(diff) > step:  # more to do once the client has tokens again
            ctx.requeue_after(slowstart.refill_seconds(step), BURST_PREFIX + ns_key(owner))
        return failure

    def _create_pods(self, ctx: Context, owner: Obj, count: int) -> tuple[str, str] | None:
        def create() -> ClusterError | None:
            try:
                self._create_pod(ctx, owner)
            except ClusterError as exc:
                ctx.record_event(owner, "Warning", "FailedCreate", f"Error creating: {exc}")
                return exc
            return None

        _, failed = slowstart.slow_start_batch(count, slowstart.SLOW_START_INITIAL_BATCH_SIZE, create)
        if failed is not None:
            ctx.requeue_after(FAILED_CREATE_RETRY, ns_key(owner))
            return "FailedCreate", str(failed)
        return None

    def _next_victims(self, ctx: Context, owner: Obj, pods: OwnerPods, diff: int, count: int) -> list[Obj]:
        """The next `count` pods of the current burst's deletions, ranked once per burst.

        getPodsToDelete ranks the pods once per sync and the burst's deletes then trickle out
        through the client; so here a burst's victims are chosen once (at most BurstReplicas) and
        each paced step deletes the next of them that are still there.
        """
        uid = owner["metadata"].get("uid", "")
        queue = [key for key in self._victims.get(uid, ()) if key in pods.pods]
        if not queue:
            burst = min(diff, slowstart.BURST_REPLICAS)
            ranked = pods_to_delete(list(pods.pods.values()), self._related(ctx, owner), burst, ctx.now)
            queue = [ns_key(pod) for pod in ranked]
        self._victims[uid] = queue[count:]
        return [pods.pods[key] for key in queue[:count]]

    def _delete_pods(self, ctx: Context, owner: Obj, doomed: list[Obj]) -> tuple[str, str] | None:
        failed: ClusterError | None = None
        for pod in doomed:  # all at once in Kubernetes: every delete is tried
            name = pod["metadata"]["name"]
            try:
                ctx.delete("Pod", pod["metadata"].get("namespace", ""), name)
            except NotFoundError:
                pass
            except ClusterError as exc:
                ctx.record_event(owner, "Warning", "FailedDelete", f"Error deleting: {exc}")
                failed = failed or exc
                continue
            ctx.record_event(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")
        return None if failed is None else ("FailedDelete", str(failed))

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
