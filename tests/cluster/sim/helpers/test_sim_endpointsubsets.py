"""Endpoints subsets computed from a Service and its pods (pkg/controller/endpoint semantics)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.helpers.endpointsubsets import (
    HEADLESS_LABEL,
    address_count,
    compute_subsets,
    endpoints_labels,
    find_port,
    truncate,
)


def pod(name: str, ip: str | None = "10.244.0.5", ready: bool = True, node: str = "n1",
        ports: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", **extra.pop("meta", {})},
        "spec": {"nodeName": node, "containers": [{"name": "c", "ports": ports or []}]},
        "status": {"phase": extra.pop("phase", "Running"),
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }
    if ip:
        obj["status"]["podIP"] = ip
    return obj


def ready(p: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))


def service(ports: list[dict[str, Any]] | None = None, **spec: Any) -> dict[str, Any]:
    if ports is None:
        ports = [{"port": 80, "protocol": "TCP", "targetPort": 8080}]
    return {"metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"clusterIP": "10.96.0.10", "selector": {"app": "web"},
                     "ports": ports,
                     **spec}}


def test_ready_and_not_ready_split_and_sorted() -> None:
    pods = [pod("b", "10.244.0.9"), pod("a", "10.244.0.10"), pod("c", "10.244.0.7", ready=False, node="n2")]
    subsets = compute_subsets(service(), pods, ready)
    assert subsets == [{
        "addresses": [
            {"ip": "10.244.0.10", "nodeName": "n1",
             "targetRef": {"kind": "Pod", "namespace": "default", "name": "a", "uid": "uid-a"}},
            {"ip": "10.244.0.9", "nodeName": "n1",
             "targetRef": {"kind": "Pod", "namespace": "default", "name": "b", "uid": "uid-b"}},
        ],
        "notReadyAddresses": [
            {"ip": "10.244.0.7", "nodeName": "n2",
             "targetRef": {"kind": "Pod", "namespace": "default", "name": "c", "uid": "uid-c"}},
        ],
        "ports": [{"port": 8080, "protocol": "TCP"}],
    }]


@pytest.mark.parametrize(("case", "kwargs"), [
    ("no IP yet", {"ip": None}),
    ("succeeded", {"phase": "Succeeded"}),
    ("failed", {"phase": "Failed"}),
    ("terminating", {"meta": {"deletionTimestamp": "2026-01-01T00:00:00Z"}}),
])
def test_excluded_pods(case: str, kwargs: dict[str, Any]) -> None:
    assert compute_subsets(service(), [pod("a", **kwargs)], ready) == [], case


def test_publish_not_ready_addresses_counts_everyone_ready_including_terminating() -> None:
    pods = [pod("a", ready=False), pod("b", "10.244.0.6", meta={"deletionTimestamp": "2026-01-01T00:00:00Z"})]
    subsets = compute_subsets(service(publishNotReadyAddresses=True), pods, ready)
    assert address_count(subsets) == (2, 0)


def test_named_target_port_resolved_per_pod_and_pod_lacking_it_skipped() -> None:
    svc = service([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "web"}])
    pods = [pod("a", "10.244.0.1", ports=[{"name": "web", "containerPort": 8080}]),
            pod("b", "10.244.0.2", ports=[{"name": "web", "containerPort": 9090}]),
            pod("c", "10.244.0.3", ports=[{"name": "other", "containerPort": 8080}])]
    subsets = compute_subsets(svc, pods, ready)
    assert [(s["addresses"][0]["ip"], s["ports"]) for s in subsets] == [
        ("10.244.0.1", [{"name": "http", "port": 8080, "protocol": "TCP"}]),
        ("10.244.0.2", [{"name": "http", "port": 9090, "protocol": "TCP"}]),
    ]


def test_addresses_offering_the_same_ports_share_a_subset() -> None:
    svc = service([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80},
                   {"name": "metrics", "port": 9100, "protocol": "TCP", "targetPort": "metrics"}])
    pods = [pod("a", "10.244.0.1", ports=[{"name": "metrics", "containerPort": 9100}]),
            pod("b", "10.244.0.2")]
    subsets = compute_subsets(svc, pods, ready)
    assert [([a["ip"] for a in s["addresses"]], [p["name"] for p in s["ports"]]) for s in subsets] == [
        (["10.244.0.1", "10.244.0.2"], ["http"]),
        (["10.244.0.1"], ["metrics"]),
    ]


def test_headless_without_ports_lists_addresses() -> None:
    subsets = compute_subsets(service([], clusterIP="None"), [pod("a")], ready)
    assert subsets == [{"addresses": [{"ip": "10.244.0.5", "nodeName": "n1", "targetRef": {
        "kind": "Pod", "namespace": "default", "name": "a", "uid": "uid-a"}}]}]


def test_hostname_when_subdomain_is_the_service() -> None:
    p = pod("a")
    p["spec"].update(hostname="web-0", subdomain="web")
    assert compute_subsets(service(), [p], ready)[0]["addresses"][0]["hostname"] == "web-0"


@pytest.mark.parametrize(("target", "protocol", "expected"), [
    (8080, "TCP", 8080),
    ("9000", "TCP", 9000),
    ("web", "TCP", 8080),
    ("web", "UDP", None),
    ("dns", "UDP", 53),
    ("missing", "TCP", None),
])
def test_find_port(target: Any, protocol: str, expected: int | None) -> None:
    p = pod("a", ports=[{"name": "web", "containerPort": 8080},
                        {"name": "dns", "containerPort": 53, "protocol": "UDP"}])
    assert find_port(p, {"port": 80, "protocol": protocol, "targetPort": target}) == expected


def test_headless_label() -> None:
    assert endpoints_labels(service()) == {"app": "web"}
    assert endpoints_labels(service(clusterIP="None")) == {"app": "web", HEADLESS_LABEL: ""}


def _addresses(n: int, prefix: str) -> list[dict[str, Any]]:
    return [{"ip": f"{prefix}.{i // 250}.{i % 250}"} for i in range(n)]


@pytest.mark.parametrize(("ready", "not_ready", "kept_ready", "kept_not_ready"), [
    ([600, 300], [50, 50], [600, 300], [50, 50]),  # exactly at capacity: untouched
    ([600, 300], [100, 100], [600, 300], [50, 50]),  # only not-ready addresses cut
    ([900, 300], [10, 0], [750, 250], [0, 0]),  # ready alone over capacity: all not-ready dropped
])
def test_truncate_to_capacity(ready: list[int], not_ready: list[int], kept_ready: list[int],
                              kept_not_ready: list[int]) -> None:
    subsets = [{"addresses": _addresses(r, f"10.{i}"), "notReadyAddresses": _addresses(n, f"11.{i}"),
                "ports": [{"port": 80 + i}]} for i, (r, n) in enumerate(zip(ready, not_ready, strict=True))]
    for s in subsets:
        if not s["notReadyAddresses"]:
            del s["notReadyAddresses"]
    changed = truncate(subsets)
    assert changed == (sum(ready) + sum(not_ready) > 1000)
    assert [len(s.get("addresses") or ()) for s in subsets] == kept_ready
    assert [len(s.get("notReadyAddresses") or ()) for s in subsets] == kept_not_ready
