"""The StatefulSet controller: claim pods and revisions, run one update pass, post the status.

Mirrors StatefulSetController.syncStatefulSet and defaultStatefulSetControl.UpdateStatefulSet:
the revisions come first (getStatefulSetRevisions: the update revision is the one whose template
equals the set's, created or renumbered as needed; the current revision is status.currentRevision
or, the first time, the update revision), then the pass (`control.py`), then the status
(replicas, readyReplicas, currentReplicas, updatedReplicas, availableReplicas, currentRevision,
updateRevision, collisionCount, observedGeneration; a finished rolling update makes the update
revision current), then the history beyond revisionHistoryLimit is deleted, keeping every
revision a pod or the status still uses. Every Pod, PersistentVolumeClaim deletion and set
change re-syncs its set; a pod that will become available after minReadySeconds sets a timer.
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import (
    Change,
    Context,
    Obj,
    controller_keys,
    controller_of,
    ns_key,
    split_key,
)
from kapply.cluster.sim.controllers.statefulset import control
from kapply.cluster.sim.controllers.statefulset import identity as ident
from kapply.cluster.sim.helpers import history
from kapply.cluster.sim.helpers.podutil import becomes_available_at, is_pod_available
from kapply.cluster.sim.helpers.refmanager import claim_kind
from kapply.model.selectors import Selector, from_label_selector

KIND = "StatefulSet"
ORPHAN = "orphan:"  # orphan:<namespace>/<labels-key>: a pod or claim some set may adopt or need
_STATUS_FIELDS = ("observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                  "currentRevision", "updateRevision", "collisionCount", "availableReplicas")


def selector(sts: Obj) -> Selector:
    return from_label_selector((sts.get("spec") or {}).get("selector"))


def _count_status(status: Obj, pods: Iterable[Obj], min_ready: int, now: float,
                  current: str, update: str) -> None:
    """updateStatus / computeReplicaStatus."""
    counts = dict.fromkeys(("replicas", "readyReplicas", "availableReplicas", "currentReplicas",
                            "updatedReplicas"), 0)
    for pod in pods:
        created = ident.is_created(pod) and bool(pod["metadata"].get("uid"))
        if created:
            counts["replicas"] += 1
        if ident.running_and_ready(pod):
            counts["readyReplicas"] += 1
            if ident.running_and_available(pod, min_ready, now):
                counts["availableReplicas"] += 1
        if created and not pod["metadata"].get("deletionTimestamp"):
            revision = ident.pod_revision(pod)
            counts["currentReplicas"] += revision == current
            counts["updatedReplicas"] += revision == update
    status.update(counts)


def _serialise(status: Obj) -> Obj:
    """StatefulSetStatus as JSON: readyReplicas, currentReplicas, updatedReplicas omitted at zero."""
    out = {k: status[k] for k in _STATUS_FIELDS if k in status}
    for key in ("readyReplicas", "currentReplicas", "updatedReplicas"):
        if not out.get(key):
            out.pop(key, None)
    return out


class StatefulSetController:
    name = "statefulset"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == KIND:
            if change.type != "DELETED":
                yield ns_key(change.obj)
            return
        if change.kind == "PersistentVolumeClaim" and change.type == "DELETED":
            yield ORPHAN + change.namespace  # a stale claim is gone: a waiting pod may be created
            return
        if change.kind != "Pod":
            return
        keys = controller_keys(change, KIND)
        if not keys and change.type != "DELETED" and controller_of(change.obj) is None \
                and change.obj["metadata"].get("labels"):
            keys.add(ORPHAN + change.namespace)
        yield from sorted(keys)

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith(ORPHAN):
            for sts in ctx.list(KIND, key[len(ORPHAN):]):
                ctx.requeue_at(ctx.now, ns_key(sts))
            return
        namespace, name = split_key(key)
        sts = ctx.get(KIND, namespace, name)
        if sts is not None:
            self._sync(ctx, sts)

    def _pods(self, ctx: Context, sts: Obj, sel: Selector) -> list[Obj]:
        return claim_kind(ctx, sts, "Pod", sel, lambda pod: ident.is_member_of(sts, pod))

    def _revisions(self, ctx: Context, sts: Obj, revisions: list[Obj]) -> tuple[Obj, Obj, int]:
        """getStatefulSetRevisions: (current, update, collision count)."""
        collision = int((sts.get("status") or {}).get("collisionCount") or 0)
        template = (sts.get("spec") or {}).get("template") or {}
        labels = (template.get("metadata") or {}).get("labels")
        update = history.new_revision(sts, labels, history.template_patch(template),
                                      history.next_revision(revisions), collision)
        equal = history.find_equal(revisions, update)
        if equal and history.equal_revision(revisions[-1], equal[-1]):
            update = revisions[-1]
        elif equal:
            update = history.set_number(ctx, equal[-1], int(update["revision"]))
        else:
            update, collision = history.create(ctx, sts, update, collision)
        wanted = (sts.get("status") or {}).get("currentRevision")
        current = next((r for r in revisions if r["metadata"]["name"] == wanted), update)
        return current, update, collision

    def _sync(self, ctx: Context, sts: Obj) -> None:
        sel = selector(sts)
        if sel.empty:
            return  # validation forbids it
        revisions = history.sort_revisions(history.owned(ctx, sts, sel))
        pods = self._pods(ctx, sts, sel)
        current, update, collision = self._revisions(ctx, sts, revisions)
        p = control.Pass(ctx, sts, current, update, history.template_of(current), history.template_of(update))
        control.arrange(p, pods)
        status: Obj = {"observedGeneration": int(sts["metadata"].get("generation") or 0),
                       "currentRevision": current["metadata"]["name"],
                       "updateRevision": update["metadata"]["name"], "collisionCount": collision}
        current_name, update_name = current["metadata"]["name"], update["metadata"]["name"]
        update_step = control.run(p)
        _count_status(status, (*p.replicas, *p.condemned), p.min_ready, ctx.now, current_name, update_name)
        if update_step:
            control.rolling_update(p, status)  # counts its deletions out of currentReplicas
        self._post_status(ctx, sts, status)
        self._truncate_history(ctx, sts, pods, revisions, current, update)
        self._wake_for_availability(ctx, sts, p)

    def _post_status(self, ctx: Context, sts: Obj, status: Obj) -> None:
        """completeRollingUpdate, then write the status if it changed."""
        strategy = ((sts.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate" and status["updatedReplicas"] == status["replicas"] \
                and status["readyReplicas"] == status["replicas"]:
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = status["updateRevision"]
        new = dict(sts.get("status") or {})
        for key in _STATUS_FIELDS:
            new.pop(key, None)
        new.update(_serialise(status))
        if new == (sts.get("status") or {}):
            return
        live = ctx.get(KIND, sts["metadata"].get("namespace", ""), sts["metadata"]["name"])
        if live is not None:
            updated = dict(live)
            updated["status"] = new
            ctx.update_status(updated)

    def _truncate_history(self, ctx: Context, sts: Obj, pods: list[Obj], revisions: list[Obj],
                          current: Obj, update: Obj) -> None:
        """truncateHistory: delete non-live revisions beyond revisionHistoryLimit, oldest first."""
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live.update(ident.pod_revision(p) for p in pods)
        old = [r for r in revisions if r["metadata"]["name"] not in live]
        limit = (sts.get("spec") or {}).get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        if limit < 0 or len(old) <= limit:
            return
        for revision in old[:len(old) - limit]:
            rmeta = revision["metadata"]
            ctx.delete("ControllerRevision", rmeta.get("namespace", ""), rmeta["name"])

    def _wake_for_availability(self, ctx: Context, sts: Obj, p: control.Pass) -> None:
        if p.min_ready <= 0:
            return
        pending = [at for pod in p.replicas if pod["metadata"].get("uid")
                   and not is_pod_available(pod, p.min_ready, ctx.now)
                   and (at := becomes_available_at(pod, p.min_ready)) is not None]
        if pending:
            ctx.requeue_at(min(pending), ns_key(sts))



