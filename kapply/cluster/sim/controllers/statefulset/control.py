"""One pass of the StatefulSet update loop (defaultStatefulSetControl.updateStatefulSet).

Pods are sorted into `replicas` (ordinals start..start+replicas-1, a not-yet-created pod in each
empty slot) and `condemned` (ordinals beyond, highest first). Then, as Kubernetes does:
1. each replica in ordinal order: a failed or succeeded pod is deleted (recreated next pass); a
   missing one is created with its claims; under OrderedReady the pass stops at the first pod it
   created or that is not Running, Ready and available (so N+1 never starts before N is ready);
2. condemned pods are deleted highest ordinal first, under OrderedReady one at a time and only
   while every other pod is healthy;
3. RollingUpdate replaces pods not at the update revision from the highest ordinal down to the
   partition, one at a time, waiting for each to be available (or, with `maxUnavailable`, up to
   that many at once, as the MaxUnavailableStatefulSet feature does). OnDelete replaces nothing.
Parallel management does steps 1 and 2 for every pod at once. Events are the controller's:
`create Pod web-0 in StatefulSet web successful`, `create Claim data-web-0 Pod web-0 in
StatefulSet web success`, `delete Pod web-2 in StatefulSet web successful`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kapply.cluster.sim.controllers.base import Context, Obj
from kapply.cluster.sim.controllers.statefulset import identity as ident
from kapply.errors import AlreadyExistsError, ClusterError, NotFoundError
from kapply.model.jsoncopy import deep_copy


@dataclass
class Pass:
    """What one pass sees and decides: the set, its two revisions and its pods by role."""

    ctx: Context
    sts: Obj
    current: Obj  # ControllerRevision
    update: Obj
    current_template: Obj
    update_template: Obj
    replicas: list[Obj] = field(default_factory=list)
    condemned: list[Obj] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.sts["metadata"]["name"])

    @property
    def min_ready(self) -> int:
        return int((self.sts.get("spec") or {}).get("minReadySeconds") or 0)

    @property
    def monotonic(self) -> bool:
        return (self.sts.get("spec") or {}).get("podManagementPolicy") != "Parallel"

    def event(self, type_: str, reason: str, message: str) -> None:
        self.ctx.record_event(self.sts, type_, reason, message)


def _strategy(sts: Obj) -> Obj:
    return (sts.get("spec") or {}).get("updateStrategy") or {}


def partition(sts: Obj) -> int:
    return int((_strategy(sts).get("rollingUpdate") or {}).get("partition") or 0)


def arrange(p: Pass, pods: list[Obj]) -> None:
    """Sort pods into replicas (missing ordinals filled with new pods) and condemned."""
    start, count = ident.start_ordinal(p.sts), ident.replicas(p.sts)
    slots: list[Obj | None] = [None] * count
    for pod in pods:
        index = ident.ordinal(pod)
        if ident.in_ordinal_range(pod, p.sts):
            slots[index - start] = pod
        elif index >= 0:
            p.condemned.append(pod)
    current_count = int((p.sts.get("status") or {}).get("currentReplicas") or 0)
    rolling = _strategy(p.sts).get("type", "RollingUpdate") == "RollingUpdate"
    has_rolling = "rollingUpdate" in _strategy(p.sts)
    for i, slot in enumerate(slots):
        if slot is not None:
            continue
        index = start + i
        at_current = rolling and ((not has_rolling and index < start + current_count)
                                  or (has_rolling and index < start + partition(p.sts)))
        if at_current:
            slots[i] = ident.new_pod(p.sts, p.current_template, index, p.current["metadata"]["name"])
        else:
            slots[i] = ident.new_pod(p.sts, p.update_template, index, p.update["metadata"]["name"])
    p.replicas = [s for s in slots if s is not None]
    p.condemned.sort(key=ident.ordinal, reverse=True)


def first_unavailable(p: Pass) -> Obj | None:
    for pod in (*p.replicas, *reversed(p.condemned)):
        if ident.is_unavailable(pod, p.min_ready, p.ctx.now):
            return pod
    return None


def _delete_pod(p: Pass, pod: Obj) -> None:
    name = pod["metadata"]["name"]
    try:
        p.ctx.delete("Pod", pod["metadata"].get("namespace", ""), name)
    except NotFoundError:
        return
    except ClusterError as exc:
        p.event("Warning", "FailedDelete", f"delete Pod {name} in StatefulSet {p.name} failed error: {exc}")
        raise
    p.event("Normal", "SuccessfulDelete", f"delete Pod {name} in StatefulSet {p.name} successful")


def _claims(p: Pass, pod: Obj, live_pod: Obj | None) -> None:
    """createMissingPersistentVolumeClaims, with the retention policy's ownerReferences."""
    for claim in ident.claims_for(p.sts, pod):
        meta = claim["metadata"]
        if p.ctx.get("PersistentVolumeClaim", meta["namespace"], meta["name"]) is not None:
            continue
        refs = ident.retention_owner_refs(p.sts, live_pod, claim)
        if refs:
            meta["ownerReferences"] = refs
        try:
            p.ctx.create(claim)
        except AlreadyExistsError:
            continue
        except ClusterError as exc:
            pod_name = pod["metadata"]["name"]
            p.event("Warning", "FailedCreate", f"create Claim {meta['name']} for Pod {pod_name} "
                                               f"in StatefulSet {p.name} failed error: {exc}")
            raise
        p.event("Normal", "SuccessfulCreate",
                f"create Claim {meta['name']} Pod {pod['metadata']['name']} in StatefulSet {p.name} success")


def _stale_claim(p: Pass, pod: Obj) -> bool:
    for claim in ident.claims_for(p.sts, pod):
        meta = claim["metadata"]
        live = p.ctx.get("PersistentVolumeClaim", meta["namespace"], meta["name"])
        if live is not None and ident.has_stale_pod_ref(live, pod):
            return True
    return False


def fix_claim_refs(p: Pass, pod: Obj) -> None:
    """UpdatePodClaimForRetentionPolicy: set the claims' ownerReferences the policy asks for."""
    for claim in ident.claims_for(p.sts, pod):
        meta = claim["metadata"]
        live = p.ctx.get("PersistentVolumeClaim", meta["namespace"], meta["name"])
        if live is None:
            continue
        refs = ident.retention_owner_refs(p.sts, pod, live)
        if refs != (live["metadata"].get("ownerReferences") or []):
            updated = deep_copy(live)
            if refs:
                updated["metadata"]["ownerReferences"] = refs
            else:
                updated["metadata"].pop("ownerReferences", None)
            p.ctx.update(updated)


def _create(p: Pass, i: int) -> bool:
    """CreateStatefulPod; True when the pass must stop here."""
    pod = p.replicas[i]
    if _stale_claim(p, pod):
        return True
    _claims(p, pod, None)
    name = pod["metadata"]["name"]
    try:
        p.replicas[i] = p.ctx.create(deep_copy(pod))
    except ClusterError as exc:
        p.event("Warning", "FailedCreate", f"create Pod {name} in StatefulSet {p.name} failed error: {exc}")
        raise
    p.event("Normal", "SuccessfulCreate", f"create Pod {name} in StatefulSet {p.name} successful")
    return p.monotonic


def process_replica(p: Pass, i: int) -> bool:
    """processReplica; True when an OrderedReady pass must stop at this ordinal."""
    pod = p.replicas[i]
    if ident.phase(pod) in ("Failed", "Succeeded"):
        if not pod["metadata"].get("deletionTimestamp"):
            _delete_pod(p, pod)
        return True
    if not pod["metadata"].get("uid"):
        if _create(p, i):
            return True
        pod = p.replicas[i]
    if ident.phase(pod) == "Pending":
        _claims(p, pod, pod)
    if p.monotonic and (pod["metadata"].get("deletionTimestamp")
                        or not ident.running_and_ready(pod)
                        or not ident.running_and_available(pod, p.min_ready, p.ctx.now)):
        return True
    if not (ident.identity_matches(p.sts, pod) and ident.storage_matches(p.sts, pod)):
        fixed = deep_copy(pod)
        ident.update_identity(p.sts, fixed)
        ident.update_storage(p.sts, fixed)
        p.replicas[i] = p.ctx.update(fixed)
        p.event("Normal", "SuccessfulUpdate", f"update Pod {pod['metadata']['name']} in StatefulSet {p.name} "
                                              "successful")
    fix_claim_refs(p, p.replicas[i])
    return False


def process_condemned(p: Pass, i: int, unhealthy: Obj | None) -> bool:
    """processCondemned: delete (highest ordinal first); True when an OrderedReady pass stops."""
    pod = p.condemned[i]
    if pod["metadata"].get("deletionTimestamp"):
        return p.monotonic
    if p.monotonic and pod is not unhealthy and (
            not ident.running_and_ready(pod) or not ident.running_and_available(pod, p.min_ready, p.ctx.now)):
        return True
    _delete_pod(p, pod)
    return True


def rolling_update(p: Pass, status: Obj) -> None:
    """Replace pods not at the update revision, from the highest ordinal down to the partition."""
    update_name = p.update["metadata"]["name"]
    low = partition(p.sts)
    rolling = _strategy(p.sts).get("rollingUpdate") or {}
    if rolling.get("maxUnavailable") is not None:
        _rolling_max_unavailable(p, status, low)
        return
    for target in range(len(p.replicas) - 1, low - 1, -1):
        pod = p.replicas[target]
        if ident.pod_revision(pod) != update_name and not pod["metadata"].get("deletionTimestamp"):
            _delete_pod(p, pod)
            status["currentReplicas"] = int(status.get("currentReplicas") or 0) - 1
            return
        if ident.is_unavailable(pod, p.min_ready, p.ctx.now):
            return


def _rolling_max_unavailable(p: Pass, status: Obj, low: int) -> None:
    """updateStatefulSetAfterInvariantEstablished: up to maxUnavailable pods replaced at once."""
    allowed = ident.max_unavailable(p.sts)
    unavailable = sum(1 for pod in p.replicas if ident.is_unavailable(pod, p.min_ready, p.ctx.now))
    if unavailable > allowed:
        return
    budget = allowed - unavailable
    update_name = p.update["metadata"]["name"]
    for target in range(len(p.replicas) - 1, low - 1, -1):
        if budget <= 0:
            return
        pod = p.replicas[target]
        if ident.pod_revision(pod) != update_name and not pod["metadata"].get("deletionTimestamp"):
            _delete_pod(p, pod)
            budget -= 1
            status["currentReplicas"] = int(status.get("currentReplicas") or 0) - 1


def run(p: Pass) -> bool:
    """Steps 1 and 2 after the pods are arranged; True when the update step may follow (the
    set is not being deleted, an OrderedReady pass did not stop, the strategy is RollingUpdate)."""
    if p.sts["metadata"].get("deletionTimestamp"):
        return False
    unhealthy = first_unavailable(p)
    for i in range(len(p.replicas)):
        if process_replica(p, i) and p.monotonic:
            return False
    for pod in p.condemned:
        fix_claim_refs(p, pod)
    for i in range(len(p.condemned)):
        if process_condemned(p, i, unhealthy) and p.monotonic:
            return False
    return _strategy(p.sts).get("type") != "OnDelete"
