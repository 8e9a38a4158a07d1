"""Kubernetes Events (core/v1 `Event` objects) recorded by the controllers of the embedded cluster.

Deduplicated like client-go's EventCorrelator: an event with the same involved object, type,
reason, message and source as an existing one bumps its `count` and `lastTimestamp` instead of
creating a new object. Names follow the recorder (`<object>.<hex unix nanos>`). Events expire an
hour after they were last seen (the API server's event TTL), swept by the `event-ttl` timer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.clock import parse_rfc3339, rfc3339
from kapply.cluster.sim.controllers.base import Change, Context

Obj = dict[str, Any]
EVENT_TTL = 3600.0
TTL_CONTROLLER = "event-ttl"

# Controller names -> the component an event's `source` names, as kubectl shows it.
COMPONENTS: dict[str, str] = {
    "deployment": "deployment-controller",
    "replicaset": "replicaset-controller",
    "replicationcontroller": "replication-controller",
    "scheduler": "default-scheduler",
    "kubelet": "kubelet",
    "nodelifecycle": "node-controller",
    "endpoints": "endpoint-controller",
    "garbagecollector": "garbage-collector-controller",
    "loadbalancer": "service-controller",
}

DedupeKey = tuple[str, str, str, str, str, str, str, str]


def _dedupe_key(event: Obj) -> DedupeKey:
    inv = event.get("involvedObject") or {}
    src = event.get("source") or {}
    return (inv.get("kind", ""), inv.get("namespace", ""), inv.get("name", ""), inv.get("uid", ""),
            event.get("type", ""), event.get("reason", ""), event.get("message", ""),
            f"{src.get('component', '')}/{src.get('host', '')}")


class EventRecorder:
    """Creates or bumps Event objects through the API's unchecked path."""

    def __init__(self, api: Any, timers: Any, now: Any) -> None:
        self._api = api
        self._timers = timers
        self._now = now
        self._index: dict[DedupeKey, tuple[str, str]] | None = None

    def _lookup(self) -> dict[DedupeKey, tuple[str, str]]:
        if self._index is None:
            self._index = {}
            for event in self._api.list("Event"):
                meta = event["metadata"]
                self._index[_dedupe_key(event)] = (meta.get("namespace", ""), meta["name"])
        return self._index

    def record(self, obj: Obj, type_: str, reason: str, message: str, controller: str) -> Obj:
        """Record one event about `obj`."""
        now = self._now()
        meta = obj.get("metadata") or {}
        component = COMPONENTS.get(controller, controller)
        source: dict[str, str] = {"component": component}
        host = ""
        if component == "kubelet":
            host = str((obj.get("spec") or {}).get("nodeName") or meta.get("name", ""))
            source["host"] = host
        involved = {"kind": obj.get("kind", ""), "namespace": meta.get("namespace", ""),
                    "name": meta.get("name", ""), "uid": meta.get("uid", ""),
                    "apiVersion": obj.get("apiVersion", ""),
                    "resourceVersion": meta.get("resourceVersion", "")}
        if not involved["namespace"]:
            del involved["namespace"]
        event: Obj = {"involvedObject": involved, "type": type_, "reason": reason, "message": message,
                      "source": source}
        key = _dedupe_key(event)
        index = self._lookup()
        found = index.get(key)
        stamp = rfc3339(now)
        if found is not None:
            old = self._api.get("Event", *found)
            if old is not None:
                new = dict(old, count=int(old.get("count", 1)) + 1, lastTimestamp=stamp)
                new["metadata"] = dict(old["metadata"])
                self._arm(now)
                return self._api.put_unchecked("Event", new, old)
        namespace = meta.get("namespace") or "default"
        nanos = int(now * 1e9)
        while self._api.get("Event", namespace, f"{meta.get('name', '')}.{nanos:x}") is not None:
            nanos += 1
        event.update({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{meta.get('name', '')}.{nanos:x}", "namespace": namespace},
            "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1, "eventTime": None,
            "reportingComponent": component, "reportingInstance": host,
        })
        created = self._api.put_unchecked("Event", event, None)
        index[key] = (namespace, created["metadata"]["name"])
        self._arm(now)
        return created

    def forget(self, event: Obj) -> None:
        """Drop an expired event from the dedupe index."""
        if self._index is not None:
            self._index.pop(_dedupe_key(event), None)

    def _arm(self, now: float) -> None:
        self._timers.add(TTL_CONTROLLER, "sweep", now + EVENT_TTL)


class EventTTLController:
    """Deletes events an hour after they were last seen."""

    name = TTL_CONTROLLER

    def __init__(self, recorder: EventRecorder | None = None) -> None:
        self.recorder = recorder

    def watches(self, change: Change) -> Iterable[str]:
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        earliest = None
        for event in ctx.list("Event"):
            seen = parse_rfc3339(str(event.get("lastTimestamp") or event["metadata"]["creationTimestamp"]))
            if seen + EVENT_TTL <= ctx.now:
                ctx.delete("Event", event["metadata"]["namespace"], event["metadata"]["name"], 0)
                if self.recorder is not None:
                    self.recorder.forget(event)
            elif earliest is None or seen < earliest:
                earliest = seen
        if earliest is not None:
            ctx.requeue_at(earliest + EVENT_TTL, key)


def events_for(events: list[Obj], obj: Obj) -> list[Obj]:
    """The events about `obj` (by uid, else kind/namespace/name), oldest first, as describe lists them."""
    meta = obj.get("metadata") or {}
    uid = meta.get("uid")
    out = []
    for ev in events:
        inv = ev.get("involvedObject") or {}
        if uid and inv.get("uid"):
            if inv["uid"] != uid:
                continue
        elif (inv.get("kind"), inv.get("name"), inv.get("namespace", "")) != \
                (obj.get("kind"), meta.get("name"), meta.get("namespace", "")):
            continue
        out.append(ev)
    return sorted(out, key=lambda e: (str(e.get("firstTimestamp") or ""), e["metadata"]["name"]))
