"""Helpers of the workload scenario and property tests, offered as the `kit` fixture.

`kit.new_cluster(path, observer=None, **settings)` makes a 3-node test cluster; with a
`kit.PodObserver()` it also sees every committed pod write (the rollout bounds are checked
at every step, not only between commands).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kapply.cluster.sim import cluster as cluster_module
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.helpers.podutil import is_pod_active, is_pod_ready

_LOAD_CONTROLLERS = cluster_module.load_controllers


def deployment(name: str = "web", replicas: int = 3, image: str = "nginx:1.25",
               **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "replicas": replicas, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "app", "image": image}]}},
    }
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": body}


def set_image(cluster: SimCluster, image: str, name: str = "web", ready_delay: int = 0) -> dict[str, Any]:
    d = cluster.get("Deployment", "default", name)
    container = d["spec"]["template"]["spec"]["containers"][0]
    container["image"] = image
    if ready_delay:
        container["readinessProbe"] = {"exec": {"command": ["true"]}, "initialDelaySeconds": ready_delay}
    return cluster.update(d)


def live_pods(cluster: SimCluster) -> list[dict[str, Any]]:
    return [p for p in cluster.list("Pod", "default") if is_pod_active(p)]


def counts(cluster: SimCluster) -> tuple[int, int]:
    """(active pods, ready pods)."""
    pods = live_pods(cluster)
    return len(pods), sum(1 for p in pods if is_pod_ready(p))


def scaling_events(cluster: SimCluster) -> list[str]:
    """ScalingReplicaSet messages in the order they were recorded."""
    events = [e for e in cluster.events("default") if e["reason"] == "ScalingReplicaSet"]
    events.sort(key=lambda e: (e.get("firstTimestamp") or "", int(e["metadata"]["resourceVersion"])))
    return [e["message"] for e in events]


def step(cluster: SimCluster, limit: float = 3600.0) -> bool:
    """Advance to the next pending event (within `limit` seconds); False when none is due."""
    due = cluster.next_due()
    now = cluster.now()
    if due is None or due > now + limit:
        return False
    cluster.advance(max(0.0, due - now))
    return True


class PodObserver:
    """A test-only controller that sees every committed pod write and checks the rollout bounds."""

    name = "test-pod-observer"

    def __init__(self) -> None:
        self.pods: dict[str, tuple[bool, bool]] = {}  # name -> (active, ready)
        self.max_total = 0
        self.min_ready: int | None = None
        self.armed = False
        self.images: dict[str, str] = {}  # name -> image of every pod object, terminating included
        self.max_images = 0  # most distinct images that ever existed at once

    def watches(self, change: Any) -> tuple[str, ...]:
        if change.kind == "Pod":
            name = change.obj["metadata"]["name"]
            if change.type == "DELETED":
                self.pods.pop(name, None)
                self.images.pop(name, None)
            else:
                self.pods[name] = (is_pod_active(change.obj), is_pod_ready(change.obj))
                self.images[name] = change.obj["spec"]["containers"][0]["image"]
            self.max_images = max(self.max_images, len(set(self.images.values())))
            if self.armed:
                total = sum(1 for active, _ in self.pods.values() if active)
                ready = sum(1 for active, r in self.pods.values() if active and r)
                self.max_total = max(self.max_total, total)
                self.min_ready = ready if self.min_ready is None else min(self.min_ready, ready)
        return ()

    def sync(self, ctx: Any, key: str) -> None:
        """Never called: the observer watches only."""

    def arm(self) -> None:
        self.armed = True
        self.max_total = sum(1 for active, _ in self.pods.values() if active)
        self.min_ready = sum(1 for active, r in self.pods.values() if active and r)


def new_cluster(path: Path, observer: PodObserver | None = None, **settings: Any) -> SimCluster:
    """A fresh 3-node cluster on a manual clock, optionally watched by `observer`."""
    from kapply.cluster.sim.testing import new_test_cluster

    settings.setdefault("nodes", 3)
    cluster = new_test_cluster(path, **settings)
    if observer is not None:
        def with_observer(paths: Any) -> list[Any]:
            return [*_LOAD_CONTROLLERS(paths), observer]

        cluster_module.load_controllers = with_observer  # type: ignore[assignment]
    else:
        cluster_module.load_controllers = _LOAD_CONTROLLERS
    return cluster


@pytest.fixture
def kit() -> Any:
    """The helpers above; restores the controller loader after the test."""
    yield SimpleNamespace(deployment=deployment, set_image=set_image, live_pods=live_pods, counts=counts,
                          scaling_events=scaling_events, step=step, PodObserver=PodObserver,
                          new_cluster=new_cluster)
    cluster_module.load_controllers = _LOAD_CONTROLLERS
