"""`apply --wait`: follow what was applied until it is ready, failed, or time runs out.

Time is the cluster's: on an embedded cluster with a manual clock the waiter fast-forwards the
virtual clock from event to event (so CI never sleeps), otherwise it polls in wall time.
When something is not ready at the end, `explain` says why in the user's terms (pods in
ImagePullBackOff, unschedulable pods with the scheduler's message).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kapply.apply.readiness import Readiness, readiness
from kapply.cluster.protocol import ActsOn, Cluster, VirtualClock
from kapply.errors import NotFoundError
from kapply.model.keys import ResourceKey
from kapply.model.selectors import from_label_selector, from_match_labels

POLL_SECONDS = 0.2


@dataclass
class WaitResult:
    ok: bool
    timed_out: bool
    states: dict[ResourceKey, Readiness] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _step(cluster: Cluster, remaining: float, sleep: Callable[[float], None]) -> None:
    """Let time pass: jump to the next event on a manual clock, else sleep a poll interval."""
    if isinstance(cluster, VirtualClock) and bool(getattr(cluster.settings, "manual_clock", False)):
        due = cluster.next_due()
        now = cluster.now()
        gap = (due - now) if due is not None and due > now else 1.0
        cluster.advance(max(0.001, min(gap, remaining)))
    else:
        sleep(min(POLL_SECONDS, max(0.0, remaining)))


def wait_ready(cluster: Cluster, keys: Iterable[ResourceKey], timeout: float,
               on_progress: Callable[[ResourceKey, Readiness], None] | None = None,
               sleep: Callable[[float], None] = time.sleep) -> WaitResult:
    """Wait until every object is ready (or one fails, or `timeout` cluster-seconds pass)."""
    pending = list(keys)
    result = WaitResult(ok=True, timed_out=False)
    deadline = cluster.now() + timeout
    while True:
        still = []
        for key in pending:
            acts_on = (lambda _kind, k=key: cluster.acts_on(k.kind, group=k.group)) \
                if isinstance(cluster, ActsOn) else None
            try:
                state = readiness(cluster.get(key.kind, key.namespace, key.name, group=key.group), acts_on)
            except NotFoundError:
                state = Readiness(False, True, "not found yet")
            if result.states.get(key) != state and on_progress is not None:
                on_progress(key, state)
            result.states[key] = state
            if not state.done:
                still.append(key)
            elif not state.ok:
                result.ok = False
                result.problems.extend(explain(cluster, key, state))
        pending = still
        if not result.ok or not pending:
            return result
        remaining = deadline - cluster.now()
        if remaining <= 0:
            result.ok, result.timed_out = False, True
            for key in pending:
                result.problems.extend(explain(cluster, key, result.states[key]))
            return result
        _step(cluster, remaining, sleep)


def explain(cluster: Cluster, key: ResourceKey, state: Readiness) -> list[str]:
    """Why `key` is not ready: its own message plus what its pods are stuck on."""
    lines = [f"{key.ref}: {state.message}"]
    try:
        obj = cluster.get(key.kind, key.namespace, key.name, group=key.group)
    except NotFoundError:
        return lines
    if obj.get("kind") == "Pod":  # a bare pod: what it is stuck on is the whole explanation
        reason = _pod_problem(obj)
        return [f"{key.ref}: {reason}"] if reason else lines
    selector = _pod_selector(obj)
    if selector is None:
        return lines
    for pod in cluster.list("Pod", namespace=key.namespace, label_selector=selector):
        reason = _pod_problem(pod)
        if reason:
            lines.append(f"  pod/{pod['metadata']['name']}: {reason}")
    return lines


def _pod_selector(obj: dict[str, Any]) -> Any:
    if obj.get("kind") == "Pod":
        return None
    spec = obj.get("spec") or {}
    sel = spec.get("selector")
    if not sel:
        return None
    return from_match_labels(sel) if obj.get("kind") == "ReplicationController" else from_label_selector(sel)


def _pod_problem(pod: dict[str, Any]) -> str:
    status = pod.get("status") or {}
    for cs in status.get("containerStatuses") or ():
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason") not in (None, "ContainerCreating"):
            return f"{waiting['reason']}" + (f" ({waiting['message']})" if waiting.get("message") else "")
    for cond in status.get("conditions") or ():
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            return f"Pending: {cond.get('message') or cond.get('reason')}"
    return ""
