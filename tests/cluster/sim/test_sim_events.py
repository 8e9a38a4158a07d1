"""Events: recorded by controllers, deduplicated like the event correlator, expiring after an hour."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.controllers import catalog
from kapply.cluster.sim.controllers.base import Change, Context
from kapply.cluster.sim.controllers.catalog import CONTROLLERS
from kapply.errors import NotFoundError


class Complainer:
    """Records a warning about every ConfigMap each time it is touched."""

    name = "replicaset"  # shows as replicaset-controller

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == "ConfigMap" and change.type != "DELETED":
            yield change.name

    def sync(self, ctx: Context, key: str) -> None:
        obj = ctx.get("ConfigMap", "default", key)
        if obj is not None:
            ctx.record_event(obj, "Warning", "Broken", f"configmap {key} is broken")


@pytest.fixture(autouse=True)
def complainer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "CONTROLLERS", [*CONTROLLERS, Complainer()])


def touch(cluster: SimCluster, name: str, value: str) -> None:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                           "data": {"v": value}}
    try:
        current = cluster.get("ConfigMap", "default", name)
    except NotFoundError:
        cluster.create(obj)
        return
    current["data"] = {"v": value}
    cluster.update(current)


def broken(cluster: SimCluster) -> list[dict[str, Any]]:
    return [e for e in cluster.events() if e["reason"] == "Broken"]


def test_same_event_is_counted_not_repeated(cluster: SimCluster) -> None:
    touch(cluster, "a", "1")
    cluster.advance(30)
    touch(cluster, "a", "2")
    events = broken(cluster)
    assert len(events) == 1
    ev = events[0]
    assert ev["count"] == 2
    assert ev["firstTimestamp"] == "2026-01-01T00:00:00Z" and ev["lastTimestamp"] == "2026-01-01T00:00:30Z"
    assert ev["reason"] == "Broken" and ev["type"] == "Warning"
    assert ev["source"] == {"component": "replicaset-controller"}
    assert ev["involvedObject"]["kind"] == "ConfigMap" and ev["involvedObject"]["name"] == "a"
    assert ev["metadata"]["name"].startswith("a.")


def test_events_of_one_object(cluster: SimCluster) -> None:
    touch(cluster, "a", "1")
    touch(cluster, "b", "1")
    b = cluster.get("ConfigMap", "default", "b")
    assert [e["message"] for e in cluster.events(involved=b)] == ["configmap b is broken"]
    by_field = cluster.list("Event", "default", field_selector="involvedObject.name=a,reason=Broken")
    assert [e["involvedObject"]["name"] for e in by_field] == ["a"]


def test_events_expire_after_an_hour(cluster: SimCluster) -> None:
    touch(cluster, "a", "1")
    cluster.advance(1800)
    touch(cluster, "b", "1")
    cluster.advance(1800)
    assert [e["involvedObject"]["name"] for e in broken(cluster)] == ["b"]
    result = cluster.advance_until_idle()
    assert result.idle  # the expiry timer does not count as pending work
    cluster.advance(3600)
    assert cluster.events() == []
