"""Replica arithmetic against the values of Kubernetes' own tests (deployment_util_test.go, sync_test.go)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.controllers.deployment import util

T_NEW = "2016-05-20T03:00:00Z"
T_OLD = "2016-05-20T02:00:00Z"
T_OLDER = "2016-05-20T01:00:00Z"


def deployment(replicas: int, surge: Any = 0, unavailable: Any = 0, strategy: str = "RollingUpdate",
               status_replicas: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas, "strategy": {"type": strategy}}
    if strategy == "RollingUpdate":
        spec["strategy"]["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    return {"metadata": {"name": "foo", "namespace": "default"}, "spec": spec,
            "status": {"replicas": status_replicas}}


def rs(name: str, replicas: int, created: str = T_NEW, available: int | None = None,
       desired: int | None = None, maximum: int | None = None) -> dict[str, Any]:
    ann = {}
    if desired is not None:
        ann[util.DESIRED_REPLICAS_ANNOTATION] = str(desired)
    if maximum is not None:
        ann[util.MAX_REPLICAS_ANNOTATION] = str(maximum)
    return {"metadata": {"name": name, "uid": name, "creationTimestamp": created, "annotations": ann},
            "spec": {"replicas": replicas},
            "status": {"replicas": replicas,
                       "availableReplicas": replicas if available is None else available}}


@pytest.mark.parametrize(("surge", "unavailable", "desired", "expected"), [
    # TestResolveFenceposts
    ("0%", "0%", 0, (0, 1)),
    ("39%", "39%", 10, (4, 3)),
    (None, "39%", 10, (0, 3)),
    ("39%", None, 10, (4, 0)),
    (None, None, 10, (0, 1)),
    # the defaults (25% / 25%) from DESIGN.md §4
    ("25%", "25%", 3, (1, 0)),
    ("25%", "25%", 10, (3, 2)),
    ("25%", "25%", 1, (1, 0)),
    ("25%", "25%", 4, (1, 1)),
    (0, 1, 5, (0, 1)),
    (2, 0, 5, (2, 0)),
])
def test_resolve_fenceposts(surge: Any, unavailable: Any, desired: int, expected: tuple[int, int]) -> None:
    assert util.resolve_fenceposts(surge, unavailable, desired) == expected


@pytest.mark.parametrize(("surge", "unavailable"), [("oops", "39%"), ("55%", "urg")])
def test_resolve_fenceposts_rejects_garbage(surge: str, unavailable: str) -> None:
    with pytest.raises(ValueError):
        util.resolve_fenceposts(surge, unavailable, 10)


@pytest.mark.parametrize(("d", "expected"), [
    # TestMaxUnavailable
    (deployment(10, 0, 5), 5),
    (deployment(10, 0, 10), 10),
    (deployment(5, 0, 10), 5),
    (deployment(0, 0, 10), 0),
    (deployment(10, strategy="Recreate"), 0),
    (deployment(10, 0, "50%"), 5),
    (deployment(10, 0, "100%"), 10),
    (deployment(5, 0, "100%"), 5),
])
def test_max_unavailable(d: dict[str, Any], expected: int) -> None:
    assert util.max_unavailable(d) == expected


@pytest.mark.parametrize(("d", "expected"), [
    (deployment(3, "25%", "25%"), 1),
    (deployment(10, "25%", "25%"), 3),
    (deployment(10, 2, 0), 2),
    (deployment(10, strategy="Recreate"), 0),
])
def test_max_surge(d: dict[str, Any], expected: int) -> None:
    assert util.max_surge(d) == expected


@pytest.mark.parametrize(("strategy", "dep_replicas", "new_rs_replicas", "surge", "expected"), [
    # TestNewRSNewReplicas: another ReplicaSet holds 5 replicas; maxUnavailable 1
    ("RollingUpdate", 1, 5, 1, 5),  # can not scale up
    ("RollingUpdate", 6, 2, 10, 6),  # scale up to the deployment's replicas
    ("Recreate", 3, 1, 1, 3),
])
def test_new_rs_new_replicas(strategy: str, dep_replicas: int, new_rs_replicas: int, surge: int,
                             expected: int) -> None:
    d = deployment(dep_replicas, surge, 1, strategy=strategy)
    new_rs = rs("new", new_rs_replicas)
    assert util.new_rs_new_replicas(d, [rs("rs5", 5)], new_rs) == expected


def test_new_rs_new_replicas_rolling_step() -> None:
    # 3 replicas, surge 1: an old RS at 3 lets the new one grow to 1 (4 pods in total).
    d = deployment(3, "25%", "25%")
    old, new = rs("old", 3, T_OLD), rs("new", 0)
    assert util.new_rs_new_replicas(d, [old, new], new) == 1


@pytest.mark.parametrize(("replicas", "rs_replicas", "desired", "available", "expected"), [
    (3, 3, 3, 3, True),
    (3, 3, 3, 2, False),
    (3, 3, None, 3, False),
    (3, 2, 3, 2, False),
    (3, 3, 2, 3, False),
])
def test_is_saturated(replicas: int, rs_replicas: int, desired: int | None, available: int,
                      expected: bool) -> None:
    assert util.is_saturated(deployment(replicas, 1, 0), rs("x", rs_replicas, available=available,
                                                             desired=desired)) is expected


def test_round_half_away_matches_go() -> None:
    assert [util.round_half_away(x) for x in (2.5, -2.5, 1.4, -1.6, 0.5)] == [3, -3, 1, -2, 1]


def _annotated(r: dict[str, Any], desired: int, maximum: int) -> dict[str, Any]:
    util.set_replicas_annotations(r, desired, maximum)
    return r


# TestScale (sync_test.go): (name, new deployment, old deployment, new rs, old rss, expected sizes,
# desired-replicas annotation overrides)
SCALE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any] | None,
                        list[dict[str, Any]], dict[str, int], dict[str, int]]] = [
    ("normal scaling event: 10 -> 12", deployment(12), deployment(10),
     rs("foo-v1", 10), [], {"foo-v1": 12}, {}),
    ("normal scaling event: 10 -> 5", deployment(5), deployment(10),
     rs("foo-v1", 10), [], {"foo-v1": 5}, {}),
    ("proportional scaling: 5 -> 10", deployment(10), deployment(5),
     rs("foo-v2", 2), [rs("foo-v1", 3, T_OLD)], {"foo-v2": 4, "foo-v1": 6}, {}),
    ("proportional scaling: 5 -> 3", deployment(3), deployment(5),
     rs("foo-v2", 2), [rs("foo-v1", 3, T_OLD)], {"foo-v2": 1, "foo-v1": 2}, {}),
    ("proportional scaling: 9 -> 4", deployment(4), deployment(9),
     rs("foo-v2", 8), [rs("foo-v1", 1, T_OLD)], {"foo-v2": 4, "foo-v1": 0}, {}),
    ("proportional scaling: 7 -> 10", deployment(10), deployment(7),
     rs("foo-v3", 2), [rs("foo-v2", 3, T_OLD), rs("foo-v1", 2, T_OLDER)],
     {"foo-v3": 3, "foo-v2": 4, "foo-v1": 3}, {}),
    ("proportional scaling: 13 -> 8", deployment(8), deployment(13),
     rs("foo-v3", 2), [rs("foo-v2", 8, T_OLD), rs("foo-v1", 3, T_OLDER)],
     {"foo-v3": 1, "foo-v2": 5, "foo-v1": 2}, {}),
    ("leftover distribution: 3 -> 4", deployment(4), deployment(3),
     rs("foo-v3", 1), [rs("foo-v2", 1, T_OLD), rs("foo-v1", 1, T_OLDER)],
     {"foo-v3": 2, "foo-v2": 1, "foo-v1": 1}, {}),
    ("leftover distribution: 3 -> 2", deployment(2), deployment(3),
     rs("foo-v3", 1), [rs("foo-v2", 1, T_OLD), rs("foo-v1", 1, T_OLDER)],
     {"foo-v3": 1, "foo-v2": 1, "foo-v1": 0}, {}),
    ("proportional scaling (no new rs): 4 -> 5", deployment(5), deployment(4),
     None, [rs("foo-v2", 2, T_OLD), rs("foo-v1", 2, T_OLDER)], {"foo-v2": 3, "foo-v1": 2}, {}),
    ("proportional scaling: 6 -> 0", deployment(0), deployment(6),
     rs("foo-v3", 3), [rs("foo-v2", 2, T_OLD), rs("foo-v1", 1, T_OLDER)],
     {"foo-v3": 0, "foo-v2": 0, "foo-v1": 0}, {}),
    ("proportional scaling: 0 -> 6", deployment(6), deployment(6),
     rs("foo-v3", 0), [rs("foo-v2", 0, T_OLD), rs("foo-v1", 0, T_OLDER)],
     {"foo-v3": 6, "foo-v2": 0, "foo-v1": 0}, {}),
    ("failed rs update", deployment(5), deployment(5),
     rs("foo-v3", 2), [rs("foo-v2", 1, T_OLD), rs("foo-v1", 1, T_OLDER)],
     {"foo-v3": 2, "foo-v2": 2, "foo-v1": 1}, {"foo-v2": 3}),
    ("deployment with surge pods", deployment(20, 2), deployment(10, 2),
     rs("foo-v2", 6), [rs("foo-v1", 6, T_OLD)], {"foo-v2": 11, "foo-v1": 11}, {}),
    ("change both surge and size", deployment(50, 6), deployment(10, 3),
     rs("foo-v2", 5), [rs("foo-v1", 8, T_OLD)], {"foo-v2": 22, "foo-v1": 34}, {}),
    ("change both size and template", deployment(14), deployment(10),
     None, [rs("foo-v2", 7, T_NEW), rs("foo-v1", 3, T_OLD)], {"foo-v2": 10, "foo-v1": 4}, {}),
    ("saturated but broken new replica set does not affect old pods", deployment(2, 1, 1),
     deployment(2, 1, 1), rs("foo", 2, available=0), [rs("foo-v1", 1, T_OLD)],
     {"foo": 2, "foo-v1": 1}, {}),
]


@pytest.mark.parametrize(("name", "d", "old_d", "new_rs", "old_rss", "expected", "desired_overrides"),
                         SCALE_CASES, ids=[c[0] for c in SCALE_CASES])
def test_proportional_scale(name: str, d: dict[str, Any], old_d: dict[str, Any],
                            new_rs: dict[str, Any] | None, old_rss: list[dict[str, Any]],
                            expected: dict[str, int], desired_overrides: dict[str, int]) -> None:
    for r in [new_rs, *old_rss]:
        if r is not None:
            desired = desired_overrides.get(r["metadata"]["name"], util.spec_replicas(old_d))
            _annotated(r, desired, desired + util.max_surge(old_d))
    plan = {r["metadata"]["name"]: size for r, size in util.proportional_scale(d, new_rs, old_rss)}
    sizes = {r["metadata"]["name"]: plan.get(r["metadata"]["name"], util.spec_replicas(r))
             for r in [new_rs, *old_rss] if r is not None}
    assert sizes == expected


def test_scale_saturated_new_rs_scales_old_to_zero() -> None:
    d = deployment(3, 1, 0)
    new = _annotated(rs("new", 3), 3, 4)
    old = rs("old", 1, T_OLD)
    assert [(r["metadata"]["name"], n) for r, n in util.proportional_scale(d, new, [old])] == [("old", 0)]


@pytest.mark.parametrize(("rs_replicas", "d_replicas", "to_add", "added", "max_before", "expected"), [
    (0, 10, 5, 0, 10, 0),  # an empty ReplicaSet never grows proportionally
    (5, 10, 0, 0, 10, 0),  # nothing to add
    (5, 10, 5, 5, 5, 0),  # already all added
    (5, 10, 5, 0, 5, 5),  # 5 * 10 / 5 = 10 -> +5
    (5, 10, 2, 0, 5, 2),  # capped by what is left to add
    (6, 3, -5, 0, 6, -3),  # scaling down: 6 * 3 / 6 = 3 -> -3
    (6, 3, -2, 0, 6, -2),  # never remove more than asked
])
def test_get_proportion(rs_replicas: int, d_replicas: int, to_add: int, added: int, max_before: int,
                        expected: int) -> None:
    r = _annotated(rs("x", rs_replicas), max_before, max_before)
    assert util.get_proportion(r, deployment(d_replicas), to_add, added) == expected


def test_fraction_falls_back_to_status_replicas_without_annotation() -> None:
    r = rs("x", 2)
    assert util.replica_set_fraction(r, deployment(8, status_replicas=4)) == 2  # 2 * 8 / 4 = 4
    assert util.replica_set_fraction(r, deployment(8, status_replicas=0)) == 0


def test_active_or_latest() -> None:
    new = rs("new", 0)
    old1, old2 = rs("old1", 0, T_OLDER), rs("old2", 0, T_OLD)
    assert util.active_or_latest(new, [old1, old2]) is new
    assert util.active_or_latest(None, [old1, old2]) is old2
    busy = rs("busy", 2, T_OLDER)
    assert util.active_or_latest(new, [busy]) is busy
    assert util.active_or_latest(rs("n", 1), [busy]) is None
