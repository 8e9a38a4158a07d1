"""Revisions, pod-template-hash and conditions of the Deployment controller."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kapply.cluster.sim.controllers.deployment import conditions as cond
from kapply.cluster.sim.controllers.deployment import revisions as rev

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}


def test_hash_is_stable_and_kubernetes_shaped() -> None:
    h = rev.pod_template_hash(TEMPLATE)
    assert h == rev.pod_template_hash({"spec": TEMPLATE["spec"], "metadata": TEMPLATE["metadata"]})
    assert re.fullmatch(r"[456789bcdf]{1,10}", h)
    changed = {**TEMPLATE, "spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}
    assert rev.pod_template_hash(changed) != h
    assert rev.pod_template_hash(TEMPLATE, 1) != h


def test_safe_encode_matches_kubernetes() -> None:
    # rand.SafeEncodeString maps decimal digits onto 4 5 6 7 8 9 b c d f
    assert rev.safe_encode("0123456789") == "456789bcdf"


def test_fnv1a_known_vector() -> None:
    assert rev.fnv1a_32(b"") == 0x811C9DC5
    assert rev.fnv1a_32(b"a") == 0xE40C292C


def test_equal_ignore_hash() -> None:
    hashed = {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}}, "spec": TEMPLATE["spec"]}
    assert rev.equal_ignore_hash(hashed, TEMPLATE)
    other = {"metadata": {"labels": {"app": "api", "pod-template-hash": "abc"}}, "spec": TEMPLATE["spec"]}
    assert not rev.equal_ignore_hash(other, TEMPLATE)
    only_hash = {"metadata": {"labels": {"pod-template-hash": "x"}}, "spec": {}}
    assert rev.equal_ignore_hash(only_hash, {"spec": {}})


def rs(name: str, created: str, template: dict[str, Any], revision: str | None = None,
       replicas: int = 1) -> dict[str, Any]:
    ann = {rev.REVISION_ANNOTATION: revision} if revision else {}
    return {"metadata": {"name": name, "uid": name, "creationTimestamp": created, "annotations": ann},
            "spec": {"replicas": replicas, "template": template}}


def test_find_new_and_old() -> None:
    d = {"metadata": {"name": "web"}, "spec": {"template": TEMPLATE}}
    other = {**TEMPLATE, "spec": {"containers": [{"name": "web", "image": "old"}]}}
    a = rs("a", "2026-01-01T00:00:01Z", TEMPLATE, "2")
    b = rs("b", "2026-01-01T00:00:00Z", other, "1", replicas=0)
    c = rs("c", "2026-01-01T00:00:02Z", TEMPLATE, "3")  # a younger duplicate: the oldest match wins
    assert rev.find_new_replica_set(d, [c, b, a]) is a
    with_replicas, all_old = rev.find_old_replica_sets(d, [a, b, c])
    assert all_old == [b, c]
    assert with_replicas == [c]
    assert rev.max_revision([a, b, c]) == 3
    assert [r["metadata"]["name"] for r in rev.by_revision([c, a, b])] == ["b", "a", "c"]


def test_new_replica_set_annotations_on_create() -> None:
    d = {"metadata": {"annotations": {"team": "x", rev.REVISION_ANNOTATION: "4",
                                      "kapply.io/last-applied": "{}"}},
         "spec": {"replicas": 10, "strategy": {
             "type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}}
    r: dict[str, Any] = {"metadata": {}, "spec": {"replicas": 0}}
    assert rev.set_new_replica_set_annotations(d, r, "5", exists=False)
    assert r["metadata"]["annotations"] == {
        "team": "x", rev.REVISION_ANNOTATION: "5",
        "deployment.kubernetes.io/desired-replicas": "10", "deployment.kubernetes.io/max-replicas": "13"}
    assert not rev.set_new_replica_set_annotations(d, r, "5", exists=True)


def test_revision_history_kept_on_rollback() -> None:
    d: dict[str, Any] = {"metadata": {}, "spec": {"replicas": 1}}
    r: dict[str, Any] = {"metadata": {"annotations": {rev.REVISION_ANNOTATION: "1"}}, "spec": {"replicas": 1}}
    rev.set_new_replica_set_annotations(d, r, "3", exists=True)
    assert r["metadata"]["annotations"][rev.REVISION_HISTORY_ANNOTATION] == "1"
    rev.set_new_replica_set_annotations(d, r, "5", exists=True)
    assert r["metadata"]["annotations"][rev.REVISION_HISTORY_ANNOTATION] == "1,3"
    assert r["metadata"]["annotations"][rev.REVISION_ANNOTATION] == "5"
    assert not rev.set_new_replica_set_annotations(d, r, "4", exists=True)  # never lowers a revision


def test_rollback_annotations() -> None:
    d = {"metadata": {"annotations": {rev.REVISION_ANNOTATION: "3", "note": "new"}}}
    r = {"metadata": {"annotations": {rev.REVISION_ANNOTATION: "1", "note": "old",
                                      rev.CHANGE_CAUSE_ANNOTATION: "first"}}}
    assert rev.rollback_annotations(d, r) == {rev.REVISION_ANNOTATION: "3", "note": "old",
                                              rev.CHANGE_CAUSE_ANNOTATION: "first"}


def test_set_condition_keeps_transition_time_when_status_unchanged() -> None:
    status: dict[str, Any] = {}
    cond.set_condition(status, cond.new_condition("Progressing", "True", "NewReplicaSetCreated", "a", 100))
    cond.set_condition(status, cond.new_condition("Progressing", "True", "NewReplicaSetCreated", "b", 200))
    assert status["conditions"][0]["message"] == "a"  # same status and reason: untouched
    cond.set_condition(status, cond.new_condition("Progressing", "True", "ReplicaSetUpdated", "c", 300))
    c = status["conditions"][0]
    assert (c["reason"], c["lastTransitionTime"], c["lastUpdateTime"]) == (
        "ReplicaSetUpdated", "1970-01-01T00:01:40Z", "1970-01-01T00:05:00Z")
    cond.set_condition(status, cond.new_condition("Progressing", "False", cond.TIMED_OUT, "d", 400))
    assert status["conditions"][0]["lastTransitionTime"] == "1970-01-01T00:06:40Z"


def _dep(replicas: int = 3, generation: int = 1, deadline: int | None = 600,
         status: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas}
    if deadline is not None:
        spec["progressDeadlineSeconds"] = deadline
    return {"metadata": {"generation": generation}, "spec": spec, "status": status or {}}


@pytest.mark.parametrize(("status", "expected"), [
    ({"updatedReplicas": 3, "replicas": 3, "availableReplicas": 3, "observedGeneration": 1}, True),
    ({"updatedReplicas": 3, "replicas": 4, "availableReplicas": 3, "observedGeneration": 1}, False),
    ({"updatedReplicas": 3, "replicas": 3, "availableReplicas": 2, "observedGeneration": 1}, False),
    ({"updatedReplicas": 3, "replicas": 3, "availableReplicas": 3, "observedGeneration": 0}, False),
])
def test_deployment_complete(status: dict[str, Any], expected: bool) -> None:
    assert cond.deployment_complete(_dep(), status) is expected


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"updatedReplicas": 1}, {"updatedReplicas": 2}, True),
    ({"replicas": 4, "updatedReplicas": 1}, {"replicas": 3, "updatedReplicas": 1}, True),
    ({"readyReplicas": 1}, {"readyReplicas": 2}, True),
    ({"availableReplicas": 1}, {"availableReplicas": 2}, True),
    ({"availableReplicas": 2, "updatedReplicas": 1}, {"availableReplicas": 2, "updatedReplicas": 1}, False),
])
def test_deployment_progressing(old: dict[str, Any], new: dict[str, Any], expected: bool) -> None:
    assert cond.deployment_progressing(_dep(status=old), new) is expected


@pytest.mark.parametrize(("reason", "updated_at", "now", "deadline", "expected"), [
    ("ReplicaSetUpdated", 0, 601, 600, True),
    ("ReplicaSetUpdated", 0, 600, 600, False),  # strictly after the deadline
    ("NewReplicaSetAvailable", 0, 10_000, 600, False),
    ("ProgressDeadlineExceeded", 0, 1, 600, True),
    ("ReplicaSetUpdated", 0, 10_000, None, False),
    ("ReplicaSetUpdated", 0, 10_000, 2**31 - 1, False),
])
def test_deployment_timed_out(reason: str, updated_at: int, now: int, deadline: int | None,
                              expected: bool) -> None:
    status = {"conditions": [cond.new_condition("Progressing", "True", reason, "", updated_at)]}
    assert cond.deployment_timed_out(_dep(deadline=deadline), status, now) is expected
