"""The Deployment controller: claims ReplicaSets, then syncs by state (paused, scaling, strategy).

Mirrors syncDeployment in pkg/controller/deployment/deployment_controller.go. Watches
Deployments, the ReplicaSets they control (and orphans they might adopt, key `rs:ns/name`), and
pod deletions of their ReplicaSets (key `pod-rs:ns/name`: a Recreate rollout waits for old pods
to be gone). Each pass works on a deep copy of the Deployment; the strategies live in
`rolling.py` and `recreate.py`, shared steps in `sync.py`, progress in `progress.py`.
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Change, Context, Obj, controller_of, ns_key, split_key
from kapply.cluster.sim.controllers.deployment import revisions as rev
from kapply.cluster.sim.controllers.deployment import util
from kapply.cluster.sim.controllers.deployment.recreate import rollout_recreate
from kapply.cluster.sim.controllers.deployment.rolling import rollout_rolling
from kapply.cluster.sim.controllers.deployment.sync import (
    check_paused_conditions,
    get_all_replica_sets_and_sync_revision,
    is_scaling_event,
    sync,
    sync_deployment_status,
    write_status,
)
from kapply.cluster.sim.helpers.refmanager import claim
from kapply.errors import ClusterError
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import Selector, from_label_selector

RS_PREFIX = "rs:"  # an orphan ReplicaSet: find the Deployments that might adopt it
POD_RS_PREFIX = "pod-rs:"  # a pod of this ReplicaSet was deleted: wake its Deployment
RETRY_SECONDS = 1.0  # a sync that hit an API error runs again this much later


def _selects_everything(selector: Obj | None) -> bool:
    return not selector or (not selector.get("matchLabels") and not selector.get("matchExpressions"))


class DeploymentController:
    """pkg/controller/deployment for the embedded cluster."""

    name = "deployment"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "Deployment":
            if change.type != "DELETED":
                yield ns_key(change.obj)
        elif change.kind == "ReplicaSet":
            keys = set()
            for obj in (change.obj, change.old):
                ref = controller_of(obj) if obj is not None else None
                if ref is not None and ref.get("kind") == "Deployment":
                    keys.add(f"{change.namespace}/{ref.get('name', '')}")
            if change.type != "DELETED" and controller_of(change.obj) is None:
                keys.add(RS_PREFIX + ns_key(change.obj))
            yield from sorted(keys)
        elif change.kind == "Pod" and change.type == "DELETED":
            ref = controller_of(change.obj)
            if ref is not None and ref.get("kind") == "ReplicaSet":
                yield f"{POD_RS_PREFIX}{change.namespace}/{ref.get('name', '')}"

    def sync(self, ctx: Context, key: str) -> None:
        try:
            self._sync(ctx, key)
        except ClusterError:
            # A write refused or raced (the controller manager retries with back-off).
            ctx.requeue_after(RETRY_SECONDS, key)

    def _sync(self, ctx: Context, key: str) -> None:
        if key.startswith(RS_PREFIX):
            namespace, name = split_key(key[len(RS_PREFIX):])
            rs = ctx.get("ReplicaSet", namespace, name)
            if rs is None or controller_of(rs) is not None:
                return
            for d in ctx.list("Deployment", namespace):
                selector = d["spec"].get("selector")
                if not _selects_everything(selector) and \
                        from_label_selector(selector).matches(rs["metadata"].get("labels")):
                    self.sync_deployment(ctx, d)
            return
        if key.startswith(POD_RS_PREFIX):
            namespace, name = split_key(key[len(POD_RS_PREFIX):])
            rs = ctx.get("ReplicaSet", namespace, name)
            ref = controller_of(rs) if rs is not None else None
            if ref is None or ref.get("kind") != "Deployment":
                return
            d = ctx.get("Deployment", namespace, str(ref.get("name", "")))
            if d is not None and util.strategy_type(d) == util.RECREATE:
                self.sync_deployment(ctx, d)
            return
        namespace, name = split_key(key)
        d = ctx.get("Deployment", namespace, name)
        if d is not None:
            self.sync_deployment(ctx, d)

    def sync_deployment(self, ctx: Context, deployment: Obj) -> None:
        """syncDeployment for one (stored) Deployment."""
        # The working copy: its metadata (revision annotation) and status change; its spec is
        # only ever read, so it stays shared with the stored object.
        d = {k: v if k == "spec" else deep_copy(v) for k, v in deployment.items()}
        d.setdefault("status", {})
        if _selects_everything(d["spec"].get("selector")):
            ctx.record_event(d, "Warning", "SelectingAll",
                             "This deployment is selecting all pods. A non-empty selector is required.")
            generation = int(d["metadata"].get("generation") or 0)
            if int(d["status"].get("observedGeneration") or 0) < generation:
                d["status"]["observedGeneration"] = generation
                write_status(ctx, d)
            return
        selector = from_label_selector(d["spec"]["selector"])
        rs_list = self._replica_sets(ctx, d, selector)
        if d["metadata"].get("deletionTimestamp"):
            new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, d, rs_list, create=False)
            sync_deployment_status(ctx, [*old_rss, new_rs], new_rs, d)
            return
        if check_paused_conditions(ctx, d):
            return  # the status write re-queues this Deployment
        if d["spec"].get("paused"):
            sync(ctx, d, rs_list)
            return
        _, all_old = rev.find_old_replica_sets(d, rs_list)
        if is_scaling_event(d, rev.find_new_replica_set(d, rs_list), all_old):
            sync(ctx, d, rs_list)
            return
        strategy = util.strategy_type(d)
        if strategy == util.RECREATE:
            rollout_recreate(ctx, d, rs_list, self._pod_map(ctx, rs_list))
        elif strategy == util.ROLLING_UPDATE:
            rollout_rolling(ctx, d, rs_list)

    def _replica_sets(self, ctx: Context, d: Obj, selector: Selector) -> list[Obj]:
        """getReplicaSetsForDeployment: ours, adopting orphans and releasing strays."""
        namespace = d["metadata"].get("namespace", "")
        candidates = [*ctx.list("ReplicaSet", namespace, owner_uid=d["metadata"].get("uid", "")),
                      *ctx.list("ReplicaSet", namespace, selector=selector)]
        return claim(ctx, d, selector, candidates)

    def _pod_map(self, ctx: Context, rs_list: list[Obj]) -> dict[str, list[Obj]]:
        """Pods by the uid of the ReplicaSet controlling them (getPodMapForDeployment)."""
        return {rs["metadata"].get("uid", ""): ctx.list("Pod", rs["metadata"].get("namespace", ""),
                                                         owner_uid=rs["metadata"].get("uid", ""))
                for rs in rs_list}
