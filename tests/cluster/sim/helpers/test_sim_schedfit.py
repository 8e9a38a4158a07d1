"""Scheduler arithmetic: requests, filters in plugin order, least-allocated score, FitError text."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.cluster.sim.controllers.scheduler import Scheduler
from kapply.cluster.sim.helpers.schedfit import (
    NodeInfo,
    Requests,
    fit_error,
    least_allocated_score,
    pod_requests,
    preemption_message,
    resource_reasons,
    static_reason,
)
from kapply.cluster.sim.nodes import make_node
from kapply.cluster.sim.settings import ClusterSettings

MI = 1024 * 1024


def _pod(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = (), **spec: Any) -> dict[str, Any]:
    cs = [{"name": f"c{i}", "image": "x", "resources": r} for i, r in enumerate(containers)]
    ics = [{"name": f"i{i}", "image": "x", "resources": r} for i, r in enumerate(init)]
    return {"spec": {"containers": cs, "initContainers": ics, **spec}}


@pytest.mark.parametrize(("pod", "expected"), [
    (_pod({"requests": {"cpu": "100m", "memory": "64Mi"}}), Requests(100, 64 * MI, 100, 64 * MI)),
    (_pod({}), Requests(0, 0, 100, 200 * MI)),  # nothing requested: non-zero defaults for scoring
    (_pod({"limits": {"cpu": "1", "memory": "1Gi"}}), Requests(1000, 1024 * MI, 1000, 1024 * MI)),
    (_pod({"requests": {"cpu": "250m"}}, {"requests": {"cpu": "0.25"}}), Requests(500, 0, 500, 400 * MI)),
    (_pod({"requests": {"cpu": "100m"}}, init=({"requests": {"cpu": "2"}},)),
     Requests(2000, 0, 2000, 200 * MI)),
    (_pod({"requests": {"cpu": "1m"}}, overhead={"cpu": "10m"}), Requests(11, 0, 11, 200 * MI)),
])
def test_pod_requests(pod: dict[str, Any], expected: Requests) -> None:
    assert pod_requests(pod) == expected


def _info(cpu: str = "4", memory: str = "8Gi", pods: int = 110, **spec: Any) -> NodeInfo:
    node = make_node(ClusterSettings(), 1, cpu=cpu, memory=memory, pods=pods)
    node["spec"].update(spec)
    return NodeInfo.from_node(node)


@pytest.mark.parametrize(("spec", "pod_spec", "reason"), [
    ({}, {}, None),
    ({"unschedulable": True}, {}, "node(s) were unschedulable"),
    ({"unschedulable": True}, {"tolerations": [{"key": "node.kubernetes.io/unschedulable",
                                                "operator": "Exists", "effect": "NoSchedule"}]}, None),
    ({"taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}]}, {},
     "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"),
    ({}, {"nodeSelector": {"disk": "ssd"}}, "node(s) didn't match Pod's node affinity/selector"),
    ({}, {"nodeSelector": {"kubernetes.io/hostname": "minikube-m02"}}, None),
    ({}, {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In",
                                                     "values": ["windows"]}]}]}}}},
     "node(s) didn't match Pod's node affinity/selector"),
    ({}, {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In",
                                                     "values": ["windows"]}]},
                              {"matchExpressions": [{"key": "kubernetes.io/arch",
                                                     "operator": "Exists"}]}]}}}},
     None),
])
def test_static_filters(spec: dict[str, Any], pod_spec: dict[str, Any], reason: str | None) -> None:
    assert static_reason(_info(**spec), pod_spec) == reason


def test_resource_fit_reports_every_short_resource() -> None:
    node = _info(cpu="1", memory="1Gi", pods=2)
    node.add(Requests(900, 900 * MI, 900, 900 * MI))
    assert resource_reasons(node, Requests(50, 50 * MI)) == []
    assert resource_reasons(node, Requests(200, 50 * MI)) == ["Insufficient cpu"]
    assert resource_reasons(node, Requests(200, 200 * MI)) == ["Insufficient cpu", "Insufficient memory"]
    node.add(Requests())
    assert resource_reasons(node, Requests()) == ["Too many pods"]


def test_least_allocated_prefers_the_emptier_node() -> None:
    empty, busy = _info(), _info()
    busy.add(Requests(2000, 4096 * MI, 2000, 4096 * MI))
    req = Requests(100, 64 * MI, 100, 64 * MI)
    # (4000-100)*100//4000 = 97, (8192-64)*100//8192 = 99 -> (97+99)//2
    assert least_allocated_score(empty, req) == 98
    assert least_allocated_score(busy, req) == 48
    assert least_allocated_score(_info(cpu="0"), req) == 49  # a zero resource scores 0


@pytest.mark.parametrize(("nodes", "reasons", "message"), [
    (3, {"Insufficient cpu": 3}, "0/3 nodes are available: 3 Insufficient cpu."),
    (3, {"node(s) had untolerated taint {node.kubernetes.io/unreachable: }": 1, "Insufficient memory": 2},
     "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, "
     "2 Insufficient memory."),
    (12, {"Insufficient cpu": 10, "Too many pods": 2},
     "0/12 nodes are available: 10 Insufficient cpu, 2 Too many pods."),
    (0, {}, "no nodes available to schedule pods"),
])
def test_fit_error_message(nodes: int, reasons: dict[str, int], message: str) -> None:
    assert fit_error(nodes, Counter(reasons)) == message


@given(st.lists(st.tuples(st.sampled_from(["1", "2", "4"]), st.sampled_from(["1Gi", "2Gi"]),
                          st.integers(1, 5), st.integers(0, 6)), min_size=1, max_size=8),
       st.integers(0, 1500), st.integers(0, 1536))
@settings(max_examples=150, deadline=None)
def test_grouped_choice_equals_node_by_node(nodes: list[tuple[str, str, int, int]], cpu: int,
                                            mem: int) -> None:
    """Evaluating one node per group of identical nodes changes neither the verdict nor the score."""
    scheduler = Scheduler()
    settings_ = ClusterSettings()
    for i, (n_cpu, n_mem, pods, load) in enumerate(nodes):
        scheduler._track_node(make_node(settings_, i, cpu=n_cpu, memory=n_mem, pods=pods), deleted=False)
        for _ in range(load):
            scheduler._add_usage(f"minikube-m{i + 1:02d}" if i else "minikube", Requests(250, 256 * MI), 1)
    req = Requests(cpu, mem * MI, max(cpu, 1), max(mem * MI, 1))
    grouped = scheduler.choose(list(scheduler.groups.values()), req, Counter(), random.Random(1))
    single = scheduler.choose([[name] for name in sorted(scheduler.nodes)], req, Counter(), random.Random(1))
    assert grouped[1] == single[1]
    if grouped[0] is None:
        assert single[0] is None
    else:
        assert single[0] is not None
        nodes_ = scheduler.nodes
        assert least_allocated_score(nodes_[grouped[0]], req) == least_allocated_score(nodes_[single[0]], req)
        assert resource_reasons(nodes_[grouped[0]], req) == []


@pytest.mark.parametrize(("nodes", "candidates", "eligible", "message"), [
    # the example: one unreachable node (UnschedulableAndUnresolvable), two short of CPU
    (3, 2, True, "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
                 "2 No preemption victims found for incoming pod."),
    (3, 0, True, "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."),
    (1, 1, True, "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."),
    (2, 2, False, "preemption: not eligible due to preemptionPolicy=Never."),
])
def test_preemption_message(nodes: int, candidates: int, eligible: bool, message: str) -> None:
    """DefaultPreemption's PostFilter (framework/preemption/preemption.go Preempt, findCandidates;
    default_preemption.go SelectVictimsOnNode): pods carry no priority here, so a node short of
    resources has no victim and the others cannot be helped."""
    assert preemption_message(nodes, candidates, eligible) == message


def test_fit_error_with_pre_and_post_filter_messages() -> None:
    """FitError.Error() (framework/types.go): a PreFilter message replaces the per-node reasons."""
    post = preemption_message(3, 0)
    unbound = "pod has unbound immediate PersistentVolumeClaims"
    assert fit_error(3, Counter({"Insufficient cpu": 3}), unbound, post) == (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    taint = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
    reasons = Counter({taint: 1, "Insufficient cpu": 2})
    assert fit_error(3, reasons, post_filter=preemption_message(3, 2)) == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for "
        "scheduling, 2 No preemption victims found for incoming pod.")
