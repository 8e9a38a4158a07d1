"""The HorizontalPodAutoscaler controller's queue: every autoscaler is processed once per sync
period (15 s, `hpa_sync_period`) on the virtual clock, as horizontal.go's rate-limited queue
does: a new HPA is first reconciled one period after it appears, and a change to it does not
bring its next pass forward (the queue drops a request for a key already waiting).

The controller's memory (recent recommendations, scale events) lives in `ctx.memory`, keyed
`namespace/name`, with `next`: when the pending pass is due. A pass that leaves the autoscaler
settled schedules the next one as housekeeping, so `cluster advance --until-idle` stops at a
steady autoscaler; an event that can change its decision (a changed HPA spec, a scaled or new
target, `kapply load set`) turns that pending pass back into a busy one (`wake:<namespace>`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, ns_key, split_key
from kapply.cluster.sim.controllers.hpa.reconcile import KIND, reconcile
from kapply.model.scale import SCALABLE

NAME = "horizontal-pod-autoscaler"
WAKE = "wake:"  # wake:<namespace>: the pending passes of the namespace's autoscalers count as busy
TARGET_KINDS = frozenset(kind for _, kind in SCALABLE)


def wake_key(namespace: str) -> str:
    return f"{WAKE}{namespace}"


def _replicas(obj: Any) -> Any:
    return ((obj or {}).get("spec") or {}).get("replicas")


class HorizontalController:
    """pkg/controller/podautoscaler for the embedded cluster."""

    name = NAME

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == KIND:
            if change.type == "ADDED":
                return [ns_key(change.obj)]
            if change.type == "MODIFIED" and change.old is not None \
                    and change.old.get("spec") != change.obj.get("spec"):
                return [ns_key(change.obj)]
            return ()
        if change.kind in TARGET_KINDS and (change.type != "MODIFIED"
                                            or _replicas(change.old) != _replicas(change.obj)):
            return [wake_key(change.namespace)]
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        memory = ctx.memory
        if key.startswith(WAKE):
            self._wake(ctx, memory, key[len(WAKE):])
            return
        namespace, name = split_key(key)
        hpa = ctx.get(KIND, namespace, name)
        if hpa is None:  # deleted: forget it (reconcileKey), no further pass
            memory.pop(key, None)
            return
        period = float(ctx.settings.hpa_sync_period)
        state = memory.get(key)
        if state is None:  # the first pass comes one period after the autoscaler appears
            memory[key] = {"next": ctx.now + period}
            ctx.requeue_at(ctx.now + period, key)
            return
        if state.get("last") == ctx.now:
            return  # passed at this instant already (a busy and a housekeeping timer both fired)
        if ctx.now < float(state.get("next", 0.0)):
            ctx.requeue_at(float(state["next"]), key)  # the pending pass is busy again
            return
        settled = reconcile(ctx, hpa, state)
        state["last"], state["next"] = ctx.now, ctx.now + period
        ctx.requeue_at(state["next"], key, housekeeping=settled)

    def _wake(self, ctx: Context, memory: dict[str, Any], namespace: str) -> None:
        for hpa in ctx.list(KIND, namespace):
            key = ns_key(hpa)
            state = memory.get(key)
            if state is not None and float(state.get("next", 0.0)) > ctx.now:
                ctx.requeue_at(float(state["next"]), key)
