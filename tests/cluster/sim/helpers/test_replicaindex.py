"""The replica manager's incremental counts agree with counting every pod from scratch.

Random commands (scale, advance, delete a pod, relabel a pod, add an orphan, fail an image) run
through the real runtime, each its own session (the index is built from the cache each time) or
all in one session (the index only follows changes); after each, the ReplicaSet's status must
equal what scanning its pods gives (the calculation the index replaced), and its pods must be
exactly the matching ones.
Time moves in whole seconds: availability after minReadySeconds is re-evaluated on whole seconds
(timestamps have second precision), so only there is the status a function of the clock.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.controllers.base import controller_of
from kapply.cluster.sim.helpers.podutil import is_pod_active, is_pod_available, is_pod_ready
from kapply.cluster.sim.helpers.replicaindex import OwnerPods
from kapply.cluster.sim.testing import new_test_cluster

SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None

commands = st.lists(st.one_of(
    st.tuples(st.just("scale"), st.integers(0, 70)),
    st.tuples(st.just("advance"), st.sampled_from([1, 2, 3, 10])),
    st.tuples(st.just("delete"), st.integers(0, 100)),
    st.tuples(st.just("relabel"), st.integers(0, 100)),
    st.tuples(st.just("orphan"), st.integers(0, 3)),
    st.tuples(st.just("fault"), st.booleans()),
), min_size=1, max_size=12)


def _replica_set(min_ready: int) -> dict[str, Any]:
    labels = {"app": "web"}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
            "spec": {"replicas": 40, "minReadySeconds": min_ready, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": {**labels, "tier": "front"}},
                                  "spec": {"containers": [{"name": "c", "image": "app:v1"}]}}}}


class _OneSession:
    """The cluster's calls, made through the API of one open session (no index rebuilt between)."""

    def __init__(self, runtime: Any) -> None:
        self.rt = runtime

    def get(self, kind: str, namespace: str, name: str) -> Any:
        return self.rt.api.read(kind, namespace, name)

    def list(self, kind: str, namespace: str) -> Any:
        return self.rt.api.list(kind, namespace)

    def now(self) -> float:
        return self.rt.now

    def patch(self, *args: Any, **kwargs: Any) -> None:
        self.rt.api.patch(*args, **kwargs)
        self.rt.drain()

    def create(self, obj: dict[str, Any]) -> None:
        self.rt.api.create(obj)
        self.rt.drain()

    def delete(self, kind: str, namespace: str, name: str) -> None:
        self.rt.api.delete(kind, namespace, name)
        self.rt.drain()

    def advance(self, seconds: float) -> None:
        self.rt.catch_up(self.rt.now + seconds)


def _pick(cluster: Any, i: int) -> dict[str, Any] | None:
    pods = [p for p in cluster.list("Pod", "default") if is_pod_active(p)]
    return pods[i % len(pods)] if pods else None


def _check(cluster: Any) -> None:
    rs = cluster.get("ReplicaSet", "default", "web")
    now = cluster.now()
    mine = [p for p in cluster.list("Pod", "default") if is_pod_active(p)
            and (controller_of(p) or {}).get("uid") == rs["metadata"]["uid"]]
    assert all(p["metadata"]["labels"].get("app") == "web" for p in mine)  # strays were released
    orphans = [p["metadata"]["name"] for p in cluster.list("Pod", "default") if is_pod_active(p)
               and controller_of(p) is None and p["metadata"]["labels"].get("app") == "web"]
    assert orphans == []  # matching orphans were adopted
    min_ready = int(rs["spec"].get("minReadySeconds") or 0)
    expected = {"replicas": len(mine),
                "fullyLabeledReplicas": sum(1 for p in mine if p["metadata"]["labels"].get("tier")),
                "readyReplicas": sum(1 for p in mine if is_pod_ready(p)),
                "availableReplicas": sum(1 for p in mine if is_pod_available(p, min_ready, now))}
    status = rs["status"]
    assert {k: status.get(k, 0) for k in expected} == expected


def _run(cluster: Any, script: list[tuple[str, Any]]) -> None:
    for verb, arg in script:
        if verb == "scale":
            cluster.patch("ReplicaSet", "default", "web", {"spec": {"replicas": arg}}, patch_type="merge")
        elif verb == "advance":
            cluster.advance(arg)
        elif verb == "fault":
            if isinstance(cluster, _OneSession):
                continue  # settings reach the controllers at the next session
            cluster.update_settings(image_faults={"app:v1": {"reason": "CrashLoopBackOff"}} if arg else {})
        elif (pod := _pick(cluster, arg)) is not None and verb == "delete":
            cluster.delete("Pod", "default", pod["metadata"]["name"])
        elif pod is not None and verb == "relabel":
            labels = {"app": "other"} if arg % 2 else {"tier": None}  # a stray, or half-labeled
            cluster.patch("Pod", "default", pod["metadata"]["name"], {"metadata": {"labels": labels}},
                          patch_type="merge")
        elif verb == "orphan":
            cluster.create({"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": f"stray-{arg}-{len(cluster.list('Pod', 'default'))}",
                                         "labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "c", "image": "app:v1"}]}})
        _check(cluster)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(script=commands, min_ready=st.sampled_from([0, 4]), one_session=st.booleans())
def test_counts_match_a_full_scan(script: list[tuple[str, Any]], min_ready: int, one_session: bool) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        cluster = new_test_cluster(Path(tmp), nodes=1)
        try:
            cluster.create(_replica_set(min_ready))
            cluster.advance(5)
            if one_session:
                with cluster.session() as rt:
                    _run(_OneSession(rt), script)
            else:
                _run(cluster, script)
        finally:
            cluster.close()


def test_available_counts_pods_ready_for_longer_than_min_ready() -> None:
    pods = OwnerPods()
    for name, since in (("a", 100.0), ("b", 105.0), ("c", 110.0)):
        pods.add(name, {"metadata": {"name": name, "labels": {}},
                        "status": {"conditions": [{"type": "Ready", "status": "True",
                                                   "lastTransitionTime": _time(since)}]}})
    assert (pods.ready, pods.available(0, 111.0)) == (3, 3)
    assert pods.available(5, 110.0) == 1  # a: ready 10 s; b exactly 5 s is not more than 5
    assert pods.next_available(5, 110.0) == 105.0 + 5 + 1
    pods.remove("a")
    assert (pods.ready, pods.available(5, 110.0), pods.since) == (2, 0, [105.0, 110.0])
    assert pods.next_available(5, 200.0) is None


def _time(epoch: float) -> str:
    from kapply.cluster.sim.helpers.podutil import format_time

    return format_time(epoch)
