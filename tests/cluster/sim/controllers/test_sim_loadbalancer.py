"""The load-balancer pool controller, driven directly with a minimal in-memory context."""

from __future__ import annotations

import copy
import random
from typing import Any

from kapply.cluster.sim.controllers.base import Change
from kapply.cluster.sim.controllers.loadbalancer import PENDING_KEY, LoadBalancerController, ingress_ip
from kapply.cluster.sim.settings import ClusterSettings


class Ctx:
    """Stores Services, runs the controller on every change until quiet."""

    def __init__(self, pool: str) -> None:
        self.settings = ClusterSettings(lb_pool=pool)
        self.now = 0.0
        self.random = random.Random(0)
        self.services: dict[tuple[str, str], dict[str, Any]] = {}
        self.events: list[tuple[str, str, str]] = []
        self.controller = LoadBalancerController()
        self.queue: list[str] = []
        self.clock = 0

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.services.get((namespace, name))

    def list(self, kind: str, namespace: str | None = None, **_: Any) -> list[dict[str, Any]]:
        return list(self.services.values())

    def update_status(self, obj: dict[str, Any]) -> dict[str, Any]:
        return self._put(copy.deepcopy(obj))

    def record_event(self, obj: dict[str, Any], type_: str, reason: str, message: str) -> None:
        self.events.append((type_, reason, message))

    def _put(self, obj: dict[str, Any]) -> dict[str, Any]:
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        old = self.services.get(key)
        self.services[key] = obj
        self._changed(Change("MODIFIED" if old else "ADDED", "Service", obj, old))
        return obj

    def _changed(self, change: Change) -> None:
        for key in self.controller.watches(change):
            if key not in self.queue:
                self.queue.append(key)

    def apply(self, name: str, type_: str = "LoadBalancer", **spec: Any) -> None:
        self.clock += 1
        self._put({"metadata": {"name": name, "namespace": "default",
                                "creationTimestamp": f"2026-01-01T00:00:{self.clock:02d}Z"},
                   "spec": {"type": type_, **spec}})
        self.settle()

    def delete(self, name: str) -> None:
        obj = self.services.pop(("default", name))
        self._changed(Change("DELETED", "Service", obj, None))
        self.settle()

    def settle(self) -> None:
        while self.queue:
            self.controller.sync(self, self.queue.pop(0))  # type: ignore[arg-type]

    def ip(self, name: str) -> str | None:
        return ingress_ip(self.services[("default", name)])


def test_assigns_lowest_free_pool_ip_with_vip_mode() -> None:
    ctx = Ctx("192.168.49.100-192.168.49.120")
    ctx.apply("a")
    ctx.apply("b")
    assert (ctx.ip("a"), ctx.ip("b")) == ("192.168.49.100", "192.168.49.101")
    assert ctx.services[("default", "a")]["status"]["loadBalancer"]["ingress"] == [
        {"ip": "192.168.49.100", "ipMode": "VIP"}]
    assert ("Normal", "IPAllocated", 'Assigned IP ["192.168.49.100"]') in ctx.events


def test_no_pool_stays_pending() -> None:
    ctx = Ctx("")
    ctx.apply("a")
    assert ctx.ip("a") is None
    assert ctx.events == []


def test_exhausted_pool_pending_until_an_ip_frees_oldest_first() -> None:
    ctx = Ctx("192.168.49.100-192.168.49.100")
    ctx.apply("a")
    ctx.apply("b")
    ctx.apply("c")
    assert (ctx.ip("a"), ctx.ip("b"), ctx.ip("c")) == ("192.168.49.100", None, None)
    failed = ("Warning", "AllocationFailed", 'Failed to allocate IP for "default/b": no available IPs')
    assert failed in ctx.events
    ctx.delete("a")
    assert (ctx.ip("b"), ctx.ip("c")) == ("192.168.49.100", None)


def test_changing_type_away_releases_ip() -> None:
    ctx = Ctx("192.168.49.100-192.168.49.100")
    ctx.apply("a")
    ctx.apply("b")
    ctx.apply("a", type_="ClusterIP")
    assert ctx.ip("a") is None
    assert ctx.ip("b") == "192.168.49.100"


def test_requested_load_balancer_ip() -> None:
    ctx = Ctx("192.168.49.100-192.168.49.120")
    ctx.apply("a", loadBalancerIP="192.168.49.110")
    ctx.apply("b", loadBalancerIP="192.168.49.110")
    ctx.apply("c", loadBalancerIP="10.0.0.1")
    assert (ctx.ip("a"), ctx.ip("b"), ctx.ip("c")) == ("192.168.49.110", None, None)
    reasons = [m for _, r, m in ctx.events if r == "AllocationFailed"]
    assert reasons == ['Failed to allocate IP for "default/b": '
                       "address 192.168.49.110 also in use by default/a",
                       'Failed to allocate IP for "default/c": ["10.0.0.1"] is not allowed in config']


def test_foreign_class_and_other_types_ignored() -> None:
    ctx = Ctx("192.168.49.100-192.168.49.120")
    ctx.apply("a", loadBalancerClass="example.com/lb")
    ctx.apply("b", type_="NodePort")
    assert ctx.ip("a") is None and ctx.ip("b") is None
    assert LoadBalancerController().watches(Change("ADDED", "Pod", {"metadata": {}})) == []
    plain = {"metadata": {"name": "x", "namespace": "d"}, "spec": {"type": "ClusterIP"}}
    assert PENDING_KEY not in LoadBalancerController().watches(Change("ADDED", "Service", plain))


def test_broken_pool_setting_leaves_services_pending_with_a_warning() -> None:
    ctx = Ctx("192.168.49.120-192.168.49.100")
    ctx.apply("a")
    assert ctx.ip("a") is None
    assert ctx.events[0][:2] == ("Warning", "AllocationFailed")
    assert "invalid load-balancer pool" in ctx.events[0][2]
