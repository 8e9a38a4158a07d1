"""`pods/log?follow=true`: the log so far, then its new lines as the container writes them.

The simulated log is a function of the pod's status (`Subresources.pod_log`), so following it
means watching the pod: on each change the log is read again and what was not sent yet goes out.
The stream ends as the kubelet's does: when the container instance ends (terminated, or replaced
by a restart), when the pod is deleted, at the server's shutdown, or when the client leaves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kapply.cluster.fields import FieldRequirement
from kapply.serve import subresources
from kapply.serve.call import Call
from kapply.serve.hub import CLOSED, EXPIRED, Event, Hub, Subscription

Run = Callable[[Callable[[], Any]], Awaitable[Any]]


@dataclass
class Following:
    first: str  # the text to send first (tail and limit applied)
    full: str  # the instance's whole log so far
    sub: Subscription
    done: bool  # the instance already ended: send `first` and stop


def _ended(pod: dict[str, Any], container: str | None) -> bool:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or ()]
    name = container or (names[0] if names else None)
    status: dict[str, Any] = next((s for s in statuses if s.get("name") == name), {})
    return bool((status.get("state") or {}).get("terminated"))


def start(call: Call, hub: Hub) -> Following:
    """Read the log and register for the pod's changes (on the cluster thread)."""
    options = subresources.log_options(call)
    first = subresources.log_text(call, options)
    full = subresources.log_text(call, dict(options, tail=None, limit=None))
    name = call.target.name or ""
    namespace = call.target.namespace or "default"
    sub, _ = hub.subscribe(
        "Pod", namespace, None, (FieldRequirement("metadata.name", True, name),), hub.position
    )
    pod = call.cluster.get("Pod", namespace, name)
    return Following(first, full, sub, options["previous"] or _ended(pod, options["container"]))


async def stream(call: Call, following: Following, run: Run) -> AsyncIterator[bytes]:
    sub = following.sub
    try:
        yield following.first.encode()
        if following.done:
            return
        sent = following.full
        options = dict(subresources.log_options(call), tail=None, limit=None)
        while True:
            item = await sub.queue.get()
            sub.taken()
            if item is CLOSED or item is EXPIRED:
                return
            if not isinstance(item, Event):
                continue
            if item.type == "DELETED":
                return
            try:
                text = await run(lambda: subresources.log_text(call, options))
            except Exception:  # the container has no log any more (restarting): the instance ended
                return
            if not text.startswith(sent):
                return  # a new instance: kubectl logs -f ends with the old one
            if len(text) > len(sent):
                yield text[len(sent) :].encode()
                sent = text
            if _ended(item.object, options["container"]):
                return
    finally:
        sub.closed = True
