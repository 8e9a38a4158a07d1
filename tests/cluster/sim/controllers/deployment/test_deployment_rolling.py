"""One rolling step against the tables of Kubernetes' rolling_test.go, with a recording fake context."""

from __future__ import annotations

import random
from typing import Any

import pytest

from kapply.cluster.sim.controllers.deployment import rolling

Obj = dict[str, Any]


class FakeContext:
    """Records writes and events; enough of `Context` for the scaling helpers."""

    def __init__(self) -> None:
        self.now = 1_767_225_600.0
        self.random = random.Random(0)
        self.updates: list[Obj] = []
        self.events: list[tuple[str, str, str]] = []

    def update(self, obj: Obj) -> Obj:
        self.updates.append(obj)
        return obj

    def record_event(self, obj: Obj, type_: str, reason: str, message: str) -> None:
        self.events.append((type_, reason, message))

    def sizes(self) -> dict[str, int]:
        return {u["metadata"]["name"]: u["spec"]["replicas"] for u in self.updates}


def deployment(replicas: int, surge: Any = 0, unavailable: Any = 0) -> Obj:
    return {"metadata": {"name": "foo", "namespace": "default", "generation": 1},
            "spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": {
                "maxSurge": surge, "maxUnavailable": unavailable}}}}


def rs(name: str, replicas: int, available: int, created: str) -> Obj:
    return {"metadata": {"name": name, "namespace": "default", "creationTimestamp": created, "generation": 1,
                         "annotations": {}},
            "spec": {"replicas": replicas},
            "status": {"replicas": replicas, "availableReplicas": available, "observedGeneration": 1}}


OLD, NEW = "2016-05-20T01:00:00Z", "2016-05-20T02:00:00Z"


@pytest.mark.parametrize(("replicas", "surge", "old", "new", "expected"), [
    # TestDeploymentController_reconcileNewReplicaSet (maxUnavailable 0)
    (10, 0, 10, 0, None),
    (10, 2, 10, 0, 2),
    (10, 2, 5, 0, 7),
    (10, 2, 10, 2, None),
    (2, 2, 2, 4, 2),  # scale down
])
def test_reconcile_new_replica_set(replicas: int, surge: int, old: int, new: int,
                                   expected: int | None) -> None:
    ctx = FakeContext()
    old_rs, new_rs = rs("foo-v1", old, old, OLD), rs("foo-v2", new, new, NEW)
    d = deployment(replicas, surge, 0)
    scaled = rolling.reconcile_new_replica_set(ctx, [old_rs, new_rs], new_rs, d)  # type: ignore[arg-type]
    assert scaled is (expected is not None)
    if expected is not None:
        assert ctx.sizes() == {"foo-v2": expected}
        assert ctx.events[0][1] == "ScalingReplicaSet"


@pytest.mark.parametrize(("replicas", "unavailable", "old", "new", "ready_old", "ready_new", "expected"), [
    # TestDeploymentController_reconcileOldReplicaSets (maxSurge 0)
    (10, 0, 10, 0, 10, 0, 9),
    (10, 2, 10, 0, 10, 0, 8),
    (10, 2, 10, 0, 8, 0, 8),  # unhealthy old replicas cleaned up
    (10, 2, 10, 0, 9, 0, 8),  # one unhealthy cleaned up, one ready scaled down
    (10, 2, 8, 2, 8, 0, None),  # unavailable new pods block further scale-down
])
def test_reconcile_old_replica_sets(replicas: int, unavailable: int, old: int, new: int, ready_old: int,
                                    ready_new: int, expected: int | None) -> None:
    ctx = FakeContext()
    old_rs, new_rs = rs("foo-v1", old, ready_old, OLD), rs("foo-v2", new, ready_new, NEW)
    d = deployment(replicas, 0, unavailable)
    scaled = rolling.reconcile_old_replica_sets(ctx, [old_rs, new_rs], [old_rs], new_rs, d)  # type: ignore[arg-type]
    assert scaled is (expected is not None)
    if expected is not None:
        assert ctx.sizes()["foo-v1"] == expected


@pytest.mark.parametrize(("old", "ready", "limit", "expected"), [
    # TestDeploymentController_cleanupUnhealthyReplicas
    (10, 8, 1, 1),
    (10, 8, 3, 2),
    (10, 8, 0, 0),
    (10, 10, 3, 0),
])
def test_cleanup_unhealthy_replicas(old: int, ready: int, limit: int, expected: int) -> None:
    ctx = FakeContext()
    _, cleaned = rolling.cleanup_unhealthy_replicas(ctx, [rs("foo-v1", old, ready, OLD)],  # type: ignore[arg-type]
                                                    deployment(10, 2, 2), limit)
    assert cleaned == expected


@pytest.mark.parametrize(("replicas", "unavailable", "ready", "old", "expected"), [
    # TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate
    (10, 0, 10, 10, 9),
    (10, 2, 10, 10, 8),
    (10, 2, 8, 10, None),
    (10, 2, 10, 0, None),
    (10, 2, 1, 10, None),
])
def test_scale_down_old_replica_sets(replicas: int, unavailable: int, ready: int, old: int,
                                     expected: int | None) -> None:
    ctx = FakeContext()
    old_rs = rs("foo-v1", old, ready, OLD)
    d = deployment(replicas, 0, unavailable)
    count = rolling.scale_down_old_replica_sets(ctx, [old_rs], [old_rs], d)  # type: ignore[arg-type]
    if expected is None:
        assert count == 0 and not ctx.updates
    else:
        assert ctx.sizes() == {"foo-v1": expected}
        assert ctx.events == [("Normal", "ScalingReplicaSet",
                               f"Scaled down replica set foo-v1 from {old} to {expected}")]


def test_unobserved_scale_down_caps_availability() -> None:
    # The ReplicaSet was just scaled to 2 but its controller has not run: 3 available is stale.
    stale = rs("foo-v1", 2, 3, OLD)
    stale["metadata"]["generation"] = 2
    assert rolling.available(stale) == 2
