"""StatefulSet invariants over random scaling, template changes, pod deletions and node failures:
a set never has two pods with the same ordinal, and under OrderedReady a pod is created only
when every lower ordinal is Running and Ready (stateful_set_control.go processReplica)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapply.cluster.sim import cluster as cluster_module
from kapply.cluster.sim.controllers.statefulset.identity import ordinal
from kapply.cluster.sim.helpers.podutil import is_pod_ready
from kapply.cluster.sim.testing import new_test_cluster

SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


class OrdinalObserver:
    """Sees every committed pod write; records violations of the two invariants."""

    name = "test-ordinal-observer"

    def __init__(self) -> None:
        self.pods: dict[str, dict[str, Any]] = {}
        self.violations: list[str] = []
        self.ordered = True

    def watches(self, change: Any) -> tuple[str, ...]:
        if change.kind != "Pod":
            return ()
        name = change.obj["metadata"]["name"]
        if change.type == "DELETED":
            self.pods.pop(name, None)
            return ()
        if change.type == "ADDED" and self.ordered:
            index = ordinal(change.obj)
            for lower in range(index):
                pod = self.pods.get(f"web-{lower}")
                if pod is None or not is_pod_ready(pod) or pod["status"].get("phase") != "Running":
                    self.violations.append(f"web-{index} created before web-{lower} was Running and Ready")
        self.pods[name] = change.obj
        owned = [p for p in self.pods.values()
                 if any(r.get("kind") == "StatefulSet" for r in p["metadata"].get("ownerReferences") or ())]
        ordinals = [ordinal(p) for p in owned]
        if len(ordinals) != len(set(ordinals)):
            self.violations.append(f"two pods share an ordinal: {sorted(ordinals)}")
        return ()

    def sync(self, ctx: Any, key: str) -> None:
        """Never called."""


actions = st.lists(st.one_of(
    st.tuples(st.just("scale"), st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("image"), st.sampled_from(["nginx:1.25", "nginx:1.26", "nginx:1.27"])),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=4)),
    st.tuples(st.just("fail"), st.sampled_from(["minikube-m02", "minikube-m03"])),
    st.tuples(st.just("recover"), st.sampled_from(["minikube-m02", "minikube-m03"])),
    st.tuples(st.just("advance"), st.sampled_from([0.5, 1.0, 2.0, 5.0, 30.0, 400.0])),
), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=st.sampled_from(["OrderedReady", "Parallel"]), steps=actions,
       startup=st.sampled_from([1.0, 2.0, 4.0]))
def test_ordinals_are_unique_and_ordered_ready_waits(policy: str, steps: list[tuple[str, Any]],
                                                    startup: float) -> None:
    from kapply.cluster.sim.nodeops import fail_node, recover_node

    observer = OrdinalObserver()
    observer.ordered = policy == "OrderedReady"
    loader = cluster_module.load_controllers
    cluster_module.load_controllers = lambda paths: [*loader(paths), observer]  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
            cluster = new_test_cluster(Path(tmp), nodes=3, pod_startup=startup)
            cluster.create({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
                            "spec": {"replicas": 3, "serviceName": "web", "podManagementPolicy": policy,
                                     "selector": {"matchLabels": {"app": "web"}},
                                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                                         "containers": [{"name": "c", "image": "nginx:1.25"}]}}}})
            for action, value in steps:
                sts = cluster.get("StatefulSet", "default", "web")
                if action == "scale":
                    sts["spec"]["replicas"] = value
                    cluster.update(sts)
                elif action == "image":
                    sts["spec"]["template"]["spec"]["containers"][0]["image"] = value
                    cluster.update(sts)
                elif action == "delete" and cluster.list("Pod", "default"):
                    names = sorted(p["metadata"]["name"] for p in cluster.list("Pod", "default"))
                    cluster.delete("Pod", "default", names[value % len(names)])
                elif action == "fail":
                    fail_node(cluster, value)
                elif action == "recover":
                    recover_node(cluster, value)
                else:
                    cluster.advance(value)
            cluster.advance(3600)
            cluster.close()
    finally:
        cluster_module.load_controllers = loader
    assert observer.violations == []
