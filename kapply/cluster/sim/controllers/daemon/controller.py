"""The DaemonSet controller: one pod per eligible node, rolling updates, history and status.

Mirrors DaemonSetsController.syncDaemonSet: construct the history (the ControllerRevision whose
data equals the template is current, created as `<ds>-<hash>` when missing, renumbered to the
newest), then `manage` (create a pod on every eligible node without one, delete pods on nodes
that may not keep them, failed or succeeded pods, extra pods on a node: the oldest stays), then,
when manage changed nothing, the RollingUpdate step (`update.py`; OnDelete replaces nothing),
then the history beyond revisionHistoryLimit, then the status (desiredNumberScheduled,
currentNumberScheduled, numberMisscheduled, numberReady, updatedNumberScheduled,
numberAvailable, numberUnavailable, observedGeneration). At most 250 pods are created or
deleted per sync (burstReplicas). Node additions, removals and label, taint or schedulability
changes re-sync every DaemonSet; events are `Created pod: fluentd-x7k2p` / `Deleted pod: ...`.
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
from kapply.cluster.sim.controllers.daemon import eligibility as elig
from kapply.cluster.sim.controllers.daemon import update
from kapply.cluster.sim.controllers.deployment.revisions import pod_template_hash
from kapply.cluster.sim.helpers import history
from kapply.cluster.sim.helpers.podtemplate import generated_name
from kapply.cluster.sim.helpers.podutil import (
    becomes_available_at,
    is_pod_available,
    is_pod_ready,
    parse_time,
)
from kapply.cluster.sim.helpers.refmanager import claim_kind, controller_ref
from kapply.errors import AlreadyExistsError, NotFoundError
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import from_label_selector

KIND = "DaemonSet"
NODES = "nodes"  # every DaemonSet re-syncs: a node came, went or changed what decides eligibility
ORPHAN = "orphan:"
BURST_REPLICAS = 250
_STATUS = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady",
           "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
           "collisionCount")
_OPTIONAL = ("updatedNumberScheduled", "numberAvailable", "numberUnavailable")


def _node_relevant(change: Change) -> bool:
    if change.type != "MODIFIED" or change.old is None:
        return True
    old, new = change.old, change.obj
    return ((old["metadata"].get("labels") != new["metadata"].get("labels"))
            or (old.get("spec") or {}).get("taints") != (new.get("spec") or {}).get("taints")
            or (old.get("spec") or {}).get("unschedulable") != (new.get("spec") or {}).get("unschedulable"))


def _by_age(pods: Iterable[Obj]) -> list[Obj]:
    """podByCreationTimestampAndPhase: scheduled first, then oldest, then by name."""
    return sorted(pods, key=lambda p: (not (p.get("spec") or {}).get("nodeName"),
                                       parse_time(p["metadata"].get("creationTimestamp")) or 0.0,
                                       p["metadata"]["name"]))


class DaemonSetController:
    name = "daemonset"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == KIND:
            if change.type != "DELETED":
                yield ns_key(change.obj)
        elif change.kind == "Node":
            if _node_relevant(change):
                yield NODES
        elif change.kind == "Pod":
            keys = controller_keys(change, KIND)
            if not keys and change.type == "ADDED" and controller_of(change.obj) is None \
                    and change.obj["metadata"].get("labels"):
                keys.add(ORPHAN + change.namespace)
            yield from sorted(keys)

    def sync(self, ctx: Context, key: str) -> None:
        if key == NODES or key.startswith(ORPHAN):
            namespace = None if key == NODES else key[len(ORPHAN):]
            for ds in ctx.list(KIND, namespace):
                ctx.requeue_at(ctx.now, ns_key(ds))
            return
        namespace, name = split_key(key)
        ds = ctx.get(KIND, namespace, name)
        if ds is not None:
            self._sync(ctx, ds)

    # -- pieces --------------------------------------------------------------------------------

    def _pods(self, ctx: Context, ds: Obj) -> list[Obj]:
        return claim_kind(ctx, ds, "Pod", from_label_selector((ds.get("spec") or {}).get("selector")))

    def _history(self, ctx: Context, ds: Obj) -> tuple[Obj, list[Obj]] | None:
        """constructHistory: (current revision, old revisions); None after a name collision."""
        sel = from_label_selector((ds.get("spec") or {}).get("selector"))
        template = (ds.get("spec") or {}).get("template") or {}
        patch = history.canonical(history.template_patch(template))
        current, old = [], []
        for revision in history.owned(ctx, ds, sel):
            (current if history.canonical(revision.get("data")) == patch else old).append(revision)
        number = max((history.number(r) for r in old), default=0) + 1
        if current:
            cur = max(current, key=history.number)
            return history.set_number(ctx, cur, max(history.number(cur), number)), old
        collision = int((ds.get("status") or {}).get("collisionCount") or 0)
        hash_ = pod_template_hash(template, collision or None)
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels[history.HASH_LABEL] = hash_
        meta = ds["metadata"]
        revision = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
                    "metadata": {"name": f"{meta['name']}-{hash_}", "namespace": meta.get("namespace", ""),
                                 "labels": labels, "ownerReferences": [controller_ref(ds)]},
                    "data": history.template_patch(template), "revision": number}
        if meta.get("annotations"):
            revision["metadata"]["annotations"] = dict(meta["annotations"])
        try:
            return ctx.create(revision), old
        except AlreadyExistsError:
            live = ctx.get(KIND, meta.get("namespace", ""), meta["name"])
            if live is not None:  # a different template hashed alike: count the collision, try again
                bumped = dict(live.get("status") or {}, collisionCount=collision + 1)
                ctx.update_status(dict(live, status=bumped))
            return None

    def _node_pods(self, pods: Iterable[Obj]) -> dict[str, list[Obj]]:
        """getNodesToDaemonPods: pods by target node, deleted terminal pods left out."""
        out: dict[str, list[Obj]] = {}
        for pod in pods:
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Succeeded", "Failed") and pod["metadata"].get("deletionTimestamp"):
                continue
            out.setdefault(elig.target_node(pod), []).append(pod)
        return out

    def _manage(self, ctx: Context, ds: Obj, nodes: list[Obj], eligible: dict[str, elig.Eligibility],
                node_pods: dict[str, list[Obj]], hash_: str) -> tuple[list[str], list[Obj]]:
        """podsShouldBeOnNode for every node: (nodes needing a pod, pods to delete)."""
        needing: list[str] = []
        doomed: list[Obj] = []
        surge = update.allows_surge(ds)
        for node in nodes:
            name = elig.node_name(node)
            decision = eligible[name]
            pods = node_pods.get(name, [])
            if decision.should_run and not pods:
                needing.append(name)
            elif decision.should_continue:
                running = []
                for pod in pods:
                    if pod["metadata"].get("deletionTimestamp"):
                        continue
                    phase = (pod.get("status") or {}).get("phase")
                    if phase == "Failed":
                        ctx.record_event(ds, "Warning", "FailedDaemonPod",
                                         f"Found failed daemon pod {pod['metadata'].get('namespace', '')}/"
                                         f"{pod['metadata']['name']} on node {name}, will try to kill it")
                        doomed.append(pod)
                    elif phase == "Succeeded":
                        doomed.append(pod)
                    else:
                        running.append(pod)
                if len(running) > 1:
                    doomed.extend(self._excess(ds, _by_age(running), surge, hash_, ctx.now))
            elif pods:
                doomed.extend(p for p in pods if not p["metadata"].get("deletionTimestamp"))
        known = {elig.node_name(n) for n in nodes}
        for name, pods in node_pods.items():  # getUnscheduledPodsWithoutNode
            if name not in known:
                doomed.extend(p for p in pods if not (p.get("spec") or {}).get("nodeName")
                              and not p["metadata"].get("deletionTimestamp"))
        return needing, doomed

    @staticmethod
    def _excess(ds: Obj, running: list[Obj], surge: bool, hash_: str, now: float) -> list[Obj]:
        """Extra pods on one node: without surge all but the oldest; with surge the old one goes
        once the oldest new one is available (or the old one is not ready)."""
        if not surge:
            return running[1:]
        doomed, oldest_new, oldest_old = [], None, None
        for pod in running:
            if update.is_updated(pod, hash_):
                if oldest_new is None:
                    oldest_new = pod
                    continue
            elif oldest_old is None:
                oldest_old = pod
                continue
            doomed.append(pod)
        if oldest_new is not None and oldest_old is not None:
            min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
            if not is_pod_ready(oldest_old) or is_pod_available(oldest_new, min_ready, now):
                doomed.append(oldest_old)
        return doomed

    def _sync_nodes(self, ctx: Context, ds: Obj, doomed: list[Obj], needing: list[str], hash_: str) -> bool:
        """syncNodes: create and delete (each at most burstReplicas); True when anything changed."""
        template = (ds.get("spec") or {}).get("template") or {}
        namespace = ds["metadata"].get("namespace", "")
        for node in needing[:BURST_REPLICAS]:
            pod = elig.daemon_pod(ds, template, node, hash_)
            pod["metadata"]["name"] = generated_name(ctx, namespace, pod["metadata"]["generateName"])
            created = ctx.create(pod)
            ctx.record_event(ds, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")
        for pod in doomed[:BURST_REPLICAS]:
            name = pod["metadata"]["name"]
            try:
                ctx.delete("Pod", namespace, name)
            except NotFoundError:
                continue
            ctx.record_event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")
        return bool(needing or doomed)

    def _cleanup_history(self, ctx: Context, ds: Obj, old: list[Obj], pods: list[Obj]) -> None:
        limit = (ds.get("spec") or {}).get("revisionHistoryLimit")
        to_kill = len(old) - (10 if limit is None else int(limit))
        if to_kill <= 0:
            return
        live = {(p["metadata"].get("labels") or {}).get(history.HASH_LABEL) for p in pods}
        for revision in history.sort_revisions(old):
            if to_kill <= 0:
                return
            if (revision["metadata"].get("labels") or {}).get(history.HASH_LABEL) in live:
                continue
            rmeta = revision["metadata"]
            ctx.delete("ControllerRevision", rmeta.get("namespace", ""), rmeta["name"])
            to_kill -= 1

    def _status(self, ctx: Context, ds: Obj, nodes: list[Obj], eligible: dict[str, elig.Eligibility],
                hash_: str) -> None:
        """updateDaemonSetStatus."""
        node_pods = self._node_pods(self._pods(ctx, ds))
        min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
        counts = dict.fromkeys(("desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled",
                                "numberReady", "updatedNumberScheduled", "numberAvailable"), 0)
        wake: list[float] = []
        for node in nodes:
            name = elig.node_name(node)
            pods = node_pods.get(name)
            if eligible[name].should_run:
                counts["desiredNumberScheduled"] += 1
                if not pods:
                    continue
                counts["currentNumberScheduled"] += 1
                pod = _by_age(pods)[0]
                if is_pod_ready(pod):
                    counts["numberReady"] += 1
                    if is_pod_available(pod, min_ready, ctx.now):
                        counts["numberAvailable"] += 1
                    elif (at := becomes_available_at(pod, min_ready)) is not None:
                        wake.append(at)
                if update.is_updated(pod, hash_):
                    counts["updatedNumberScheduled"] += 1
            elif pods:
                counts["numberMisscheduled"] += 1
        counts["numberUnavailable"] = counts["desiredNumberScheduled"] - counts["numberAvailable"]
        status = {k: v for k, v in (ds.get("status") or {}).items() if k not in _STATUS}
        status.update({k: v for k, v in counts.items() if v or k not in _OPTIONAL})
        status["observedGeneration"] = int(ds["metadata"].get("generation") or 0)
        collision = (ds.get("status") or {}).get("collisionCount")
        if collision:
            status["collisionCount"] = collision
        if status != (ds.get("status") or {}):
            live = ctx.get(KIND, ds["metadata"].get("namespace", ""), ds["metadata"]["name"])
            if live is not None:
                ctx.update_status(dict(live, status=status))
        if wake:
            ctx.requeue_at(min(wake), ns_key(ds))

    # -- the sync ------------------------------------------------------------------------------

    def _sync(self, ctx: Context, ds: Obj) -> None:
        if from_label_selector((ds.get("spec") or {}).get("selector")).empty:
            return  # validation forbids it
        found = self._history(ctx, ds)
        if found is None:
            return  # the collision count was bumped: the status write re-syncs
        current, old = found
        hash_ = str((current["metadata"].get("labels") or {}).get(history.HASH_LABEL) or "")
        nodes = sorted(ctx.list("Node"), key=elig.node_name)
        spec = deep_copy(((ds.get("spec") or {}).get("template") or {}).get("spec") or {})
        tolerations = elig.daemon_tolerations(spec)
        eligible = {elig.node_name(n): elig.should_run(n, spec, tolerations) for n in nodes}
        pods = self._pods(ctx, ds)
        changed = False
        if not ds["metadata"].get("deletionTimestamp"):
            node_pods = self._node_pods(pods)
            needing, doomed = self._manage(ctx, ds, nodes, eligible, node_pods, hash_)
            changed = self._sync_nodes(ctx, ds, doomed, needing, hash_)
            strategy = ((ds.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate")
            if not changed and strategy == "RollingUpdate":
                # updatedDesiredNodeCounts: every node with pods, plus eligible nodes without any
                wanted = {name: pods_ for name, pods_ in node_pods.items() if name in eligible}
                for name, decision in eligible.items():
                    if decision.should_run:
                        wanted.setdefault(name, [])
                old_pods, surge_nodes = update.plan(ds, wanted, hash_, ctx.now)
                changed = self._sync_nodes(ctx, ds, old_pods, surge_nodes, hash_)
            if not changed:
                self._cleanup_history(ctx, ds, old, pods)
        self._status(ctx, ds, nodes, eligible, hash_)
