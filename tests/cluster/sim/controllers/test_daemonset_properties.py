"""A DaemonSet has exactly one pod on every eligible node, and none elsewhere, once the cluster
settles after any sequence of node additions, removals, failures, recoveries, cordons and label
changes (NodeShouldRunDaemonPod decides eligibility; a pod may stay on a node it would no longer
be started on when only NoSchedule taints are untolerated, as on a failed node)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.controllers.daemon.eligibility import daemon_tolerations, should_run
from kapply.cluster.sim.nodeops import add_node, fail_node, recover_node, set_unschedulable
from kapply.cluster.sim.testing import new_test_cluster

SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None
SPEC: dict[str, Any] = {"nodeSelector": {"logs": "yes"}, "containers": [{"name": "a", "image": "agent:1"}]}

node_ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.just(0)),
    st.tuples(st.sampled_from(["remove", "fail", "recover", "cordon", "label", "unlabel"]),
              st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("advance"), st.sampled_from([1.0, 5.0, 60.0, 400.0])),
), min_size=1, max_size=15)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=node_ops)
def test_one_pod_per_eligible_node(steps: list[tuple[str, Any]]) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        cluster = new_test_cluster(Path(tmp), nodes=3)
        for node in cluster.list("Node"):
            node["metadata"]["labels"]["logs"] = "yes"
            cluster.update(node)
        cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                                 "template": {"metadata": {"labels": {"app": "agent"}}, "spec": SPEC}}})
        for action, index in steps:
            if action == "advance":
                cluster.advance(index)
                continue
            names = sorted(n["metadata"]["name"] for n in cluster.list("Node"))
            name = names[int(index) % len(names)] if names else ""
            if action == "add":
                add_node(cluster)
            elif not name:
                continue
            elif action == "remove":
                cluster.delete("Node", "", name)
            elif action == "fail":
                fail_node(cluster, name)
            elif action == "recover":
                recover_node(cluster, name)
            elif action == "cordon":
                set_unschedulable(cluster, name, True)
            else:
                node = cluster.get("Node", "", name)
                node["metadata"]["labels"]["logs"] = "yes" if action == "label" else "no"
                cluster.update(node)
        cluster.advance(3600)
        tolerations = daemon_tolerations(SPEC)
        decisions = {n["metadata"]["name"]: should_run(n, SPEC, tolerations) for n in cluster.list("Node")}
        eligible = {name for name, d in decisions.items() if d.should_run}
        # a pod may stay where only NoSchedule taints are untolerated (a failed node's unreachable
        # NoSchedule taint): shouldContinueRunning
        staying = {name for name, d in decisions.items() if d.should_continue and not d.should_run}
        per_node: dict[str, int] = {}
        for pod in cluster.list("Pod", "default"):
            if not pod["metadata"].get("deletionTimestamp"):
                node_name = pod["spec"].get("nodeName") or "<unscheduled>"
                per_node[node_name] = per_node.get(node_name, 0) + 1
        status = cluster.get("DaemonSet", "default", "agent")["status"]
        cluster.close()
    kept = {name for name in staying if per_node.get(name)}
    assert per_node == dict.fromkeys(eligible | kept, 1)
    assert status["desiredNumberScheduled"] == len(eligible) == status["currentNumberScheduled"]
    assert status["numberMisscheduled"] == len(kept)
