"""`kapply node drain` and PodDisruptionBudgets: evictions the budget refuses are retried every 5 s
of cluster time and reported as kubectl drain reports them (kubectl/pkg/drain: `error when
evicting pods/"x" -n "default" (will retry after 5s): Cannot evict pod as it would violate the
pod's disruption budget.`); a budget nothing can satisfy ends the drain with an error."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kapply.cluster.sim import open_cluster

REFUSED = "(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."


def _deploy(replicas: int, budget: dict[str, Any]) -> None:
    sim = open_cluster("demo")
    try:
        sim.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}},
                                          "spec": {"terminationGracePeriodSeconds": 1,
                                                   "containers": [{"name": "c", "image": "nginx"}]}}}})
        sim.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}}, **budget}})
        sim.advance_until_idle()
    finally:
        sim.close()


def _busiest_node() -> tuple[str, int]:
    sim = open_cluster("demo")
    try:
        counts = Counter(p["spec"]["nodeName"] for p in sim.list("Pod", "default"))
    finally:
        sim.close()
    return counts.most_common(1)[0]


def test_drain_waits_for_the_budget_and_reports_as_kubectl(run_cli: Any) -> None:
    assert run_cli("cluster", "create", "demo", "--nodes", "2", "--manual-clock").exit_code == 0
    _deploy(3, {"maxUnavailable": 1})
    node, count = _busiest_node()
    assert count == 2  # three pods on two nodes: this node holds two, and only one may go at a time
    res = run_cli("node", "drain", node, "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    out = res.stdout.splitlines()
    assert out[0] == f"node/{node} cordoned" and out[-1] == f"node/{node} drained"
    assert sum(1 for line in out if line.startswith("pod/") and line.endswith(" evicted")) == 2
    assert any(line.endswith(REFUSED) for line in res.stderr.splitlines())
    assert len([line for line in out if line.startswith("evicting pod default/")]) >= 3  # a retry
    listed = run_cli("get", "pdb", "web", "-o", "jsonpath={.status.currentHealthy}", "--cluster", "demo")
    assert listed.stdout in ("2", "3")


def test_a_budget_nothing_can_satisfy_fails_the_drain(run_cli: Any) -> None:
    run_cli("cluster", "create", "demo", "--nodes", "2", "--manual-clock")
    _deploy(2, {"minAvailable": 2})
    node, _ = _busiest_node()
    res = run_cli("node", "drain", node, "--cluster", "demo")
    assert res.exit_code == 1
    err = res.stderr.splitlines()
    assert any(line.endswith(REFUSED) for line in err)
    assert err[-3:-1] == ["There are pending nodes to be drained:", f" {node}"]
    assert err[-1].startswith('error: error when evicting pods/"web-') and "disruption budget" in err[-1]


def test_a_timeout_ends_the_retries(run_cli: Any) -> None:
    run_cli("cluster", "create", "demo", "--nodes", "2", "--manual-clock")
    _deploy(2, {"minAvailable": 2})
    sim = open_cluster("demo")
    try:  # something pending keeps the drain retrying until its timeout
        sim.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "long"},
                    "spec": {"template": {"spec": {"restartPolicy": "Never",
                                                   "containers": [{"name": "c", "image": "busybox"}]}}}})
    finally:
        sim.close()
    run_cli("image", "run", "busybox", "--duration", "1h", "--cluster", "demo")
    node, _ = _busiest_node()
    res = run_cli("node", "drain", node, "--timeout", "20s", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr.splitlines()[-1].endswith("global timeout reached: 20s")
