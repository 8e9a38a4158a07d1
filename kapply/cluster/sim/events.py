"""Kubernetes Events (core/v1 `Event` objects) recorded by the controllers of the embedded cluster.

Deduplicated like client-go's EventCorrelator: an event with the same involved object, type,
reason, message and source as an existing one bumps its `count` and `lastTimestamp` instead of
creating a new object. Names follow the recorder (`<object>.<hex unix nanos>`). Events expire an
hour after they were last seen (the API server's event TTL), swept by the `event-ttl` timer.
"""

from __future__ import annotations

import functools
import uuid
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
    "statefulset": "statefulset-controller",
    "daemonset": "daemonset-controller",
    "job": "job-controller",
    "cronjob": "cronjob-controller",
    "horizontal-pod-autoscaler": "horizontal-pod-autoscaler",
    "persistentvolume-controller": "persistentvolume-controller",
    # minikube's storage-provisioner: `<provisioner>_<host>_<uuid>` as sig-storage's library names it
    "hostpath-provisioner": "k8s.io/minikube-hostpath_minikube_" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                                                     "kapply:hostpath-provisioner")),
}

DedupeKey = tuple[str, str, str, str, str, str, str, str]


def _dedupe_key(event: Obj) -> DedupeKey:
    inv = event.get("involvedObject") or {}
    src = event.get("source") or {}
    return (inv.get("kind", ""), inv.get("namespace", ""), inv.get("name", ""), inv.get("uid", ""),
            event.get("type", ""), event.get("reason", ""), event.get("message", ""),
            f"{src.get('component', '')}/{src.get('host', '')}")


class EventRecorder:
    """Creates or bumps Event objects through the API's unchecked path.

    Finding the event to bump never loads every Event: the candidates are the involved object's
    own events (`<name>.*`, one indexed range query), overlaid with what this process wrote.
    """

    def __init__(self, api: Any, timers: Any, now: Any, store: Any = None) -> None:
        self._api = api
        self._timers = timers
        self._now = now
        self._store = store
        self._index: dict[DedupeKey, tuple[str, str]] = {}
        self._scanned: set[tuple[str, str]] = set()
        self._names: set[str] = set()  # events created in this session

    def _candidates(self, namespace: str, obj_name: str) -> list[Obj]:
        cache = self._api.cache
        if self._store is None or cache.is_loaded("Event"):
            return [e for e in self._api.list("Event", namespace)
                    if e["metadata"]["name"].startswith(obj_name + ".")]
        found = []
        for event in self._store.with_prefix("Event", namespace, obj_name + "."):
            name = event["metadata"]["name"]
            if not cache.deleted("Event", namespace, name):
                found.append(cache.peek("Event", namespace, name) or event)
        return found

    def _find(self, key: DedupeKey, namespace: str, obj_name: str, fresh: bool) -> Obj | None:
        if not fresh and (namespace, obj_name) not in self._scanned:
            self._scanned.add((namespace, obj_name))
            for event in self._candidates(namespace, obj_name):
                self._index.setdefault(_dedupe_key(event), (namespace, event["metadata"]["name"]))
        found = self._index.get(key)
        return self._current(*found) if found else None

    def _current(self, namespace: str, name: str) -> Obj | None:
        cache = self._api.cache
        if self._store is None or cache.is_loaded("Event"):
            return self._api.get("Event", namespace, name)
        if cache.deleted("Event", namespace, name):
            return None
        return cache.peek("Event", namespace, name) or self._store.get("Event", namespace, name)

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
        namespace = meta.get("namespace") or "default"
        obj_name = str(meta.get("name", ""))
        stamp = rfc3339(now)
        # An object created in this session has no stored events: they would name its uid.
        fresh = meta.get("uid", "") in getattr(self._api, "created_uids", ())
        old = self._find(key, namespace, obj_name, fresh)
        if old is not None:
            new = dict(old, count=int(old.get("count", 1)) + 1, lastTimestamp=stamp)
            new["metadata"] = dict(old["metadata"])
            self._arm(now)
            return self._api.put_unchecked("Event", new, old)
        nanos = int(now * 1e9)
        while (f"{obj_name}.{nanos:x}" in self._names if fresh
               else self._current(namespace, f"{obj_name}.{nanos:x}") is not None):
            nanos += 1
        event.update({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{obj_name}.{nanos:x}", "namespace": namespace},
            "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1, "eventTime": None,
            "reportingComponent": component, "reportingInstance": host,
        })
        created = self._api.put_unchecked("Event", event, None)
        self._index[key] = (namespace, created["metadata"]["name"])
        self._names.add(created["metadata"]["name"])
        self._arm(now)
        return created

    def forget(self, event: Obj) -> None:
        """Drop an expired event from the dedupe index."""
        self._index.pop(_dedupe_key(event), None)

    def _arm(self, now: float) -> None:
        self._timers.add(TTL_CONTROLLER, "sweep", now + EVENT_TTL)


@functools.lru_cache(maxsize=16384)
def _seen(stamp: str) -> float:
    """parse_rfc3339, remembered: a sweep reads the same few thousand timestamps every minute."""
    return parse_rfc3339(stamp)


LEASE_REUSE = 60.0  # seconds: etcd leases are reused for the events written within a minute


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
            seen = _seen(str(event.get("lastTimestamp") or event["metadata"]["creationTimestamp"]))
            if seen + EVENT_TTL <= ctx.now:
                ctx.delete("Event", event["metadata"]["namespace"], event["metadata"]["name"], 0)
                if self.recorder is not None:
                    self.recorder.forget(event)
            elif earliest is None or seen < earliest:
                earliest = seen
        if earliest is not None:  # sweeps at most once a minute, as the API server's leases are
            ctx.requeue_at(max(earliest + EVENT_TTL, ctx.now + LEASE_REUSE), key)  # shared that long


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
