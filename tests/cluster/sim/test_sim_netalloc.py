"""Range arithmetic and allocators behind ClusterIPs, NodePorts and load-balancer pools."""

from __future__ import annotations

import pytest

from kapply.cluster.sim import netalloc
from kapply.errors import UsageError


@pytest.mark.parametrize(("text", "first", "last", "size"), [
    ("10.96.0.0/12", "10.96.0.1", "10.111.255.254", 2**20 - 2),
    ("10.0.0.0/30", "10.0.0.1", "10.0.0.2", 2),
    ("192.168.0.0/24", "192.168.0.1", "192.168.0.254", 254),
])
def test_cidr_excludes_network_and_broadcast(text: str, first: str, last: str, size: int) -> None:
    cidr = netalloc.parse_cidr(text)
    assert cidr.ip(0) == first
    assert cidr.ip(cidr.size - 1) == last
    assert cidr.size == size
    assert cidr.text == text


@pytest.mark.parametrize("text", ["10.96.0.1/12", "nonsense", "10.0.0.0/31", "10.0.0.0/33"])
def test_bad_cidr_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="invalid CIDR"):
        netalloc.parse_cidr(text)


@pytest.mark.parametrize(("text", "first", "size"), [
    ("192.168.49.100-192.168.49.120", "192.168.49.100", 21),
    ("192.168.49.100 - 192.168.49.100", "192.168.49.100", 1),
    ("192.168.49.96/30", "192.168.49.96", 4),
])
def test_lb_pool_forms(text: str, first: str, size: int) -> None:
    pool = netalloc.parse_ip_pool(text)
    assert pool is not None
    assert pool.ip(0) == first
    assert pool.size == size


def test_empty_pool_is_none() -> None:
    assert netalloc.parse_ip_pool("") is None


@pytest.mark.parametrize("text", ["192.168.49.120-192.168.49.100", "a-b", "300.1.1.1/24"])
def test_bad_pool(text: str) -> None:
    with pytest.raises(UsageError, match="invalid load-balancer pool"):
        netalloc.parse_ip_pool(text)


@pytest.mark.parametrize(("text", "first", "last"), [("30000-32767", 30000, 32767), ("30080", 30080, 30080)])
def test_port_range(text: str, first: int, last: int) -> None:
    assert netalloc.parse_port_range(text) == netalloc.PortRange(first, last)


@pytest.mark.parametrize("text", ["x-y", "0-10", "32767-30000", "30000-70000"])
def test_bad_port_range(text: str) -> None:
    with pytest.raises(UsageError, match="invalid port range"):
        netalloc.parse_port_range(text)


@pytest.mark.parametrize(("size", "lo", "hi", "divisor", "band"), [
    (2**20 - 2, 16, 256, 16, 256),  # service /12: capped at 256
    (254, 16, 256, 16, 16),  # /24: at least 16
    (2768, 16, 128, 32, 86),  # 30000-32767: size/32
    (10, 16, 128, 32, 0),  # tiny range: no static band
])
def test_static_band(size: int, lo: int, hi: int, divisor: int, band: int) -> None:
    assert netalloc.static_band(size, lo, hi, divisor) == band


def test_dynamic_ip_is_in_upper_band_deterministic_and_free() -> None:
    cidr = netalloc.parse_cidr("10.96.0.0/12")
    ip = netalloc.allocate_ip("0/ip/default/web", cidr, used=set())
    assert ip == netalloc.allocate_ip("0/ip/default/web", cidr, used=set())
    assert cidr.contains(ip)
    assert netalloc.ip_to_int(ip) - cidr.first >= 256  # type: ignore[operator]
    assert netalloc.allocate_ip("0/ip/default/web", cidr, used={ip}) != ip


def test_small_ip_range_fills_then_is_full() -> None:
    cidr = netalloc.parse_cidr("10.0.0.0/29")  # 6 usable
    used: set[str] = set()
    for i in range(6):
        used.add(netalloc.allocate_ip(f"k{i}", cidr, used))
    assert used == {f"10.0.0.{i}" for i in range(1, 7)}
    with pytest.raises(netalloc.AllocationError, match=r"^range is full$"):
        netalloc.allocate_ip("k", cidr, used)


def test_used_ip_is_never_allocated() -> None:
    cidr = netalloc.parse_cidr("10.0.0.0/30")  # 10.0.0.1, 10.0.0.2
    assert netalloc.allocate_ip("k", cidr, used={"10.0.0.1"}) == "10.0.0.2"


@pytest.mark.parametrize(("ip", "used", "message"), [
    ("10.0.0.1", set(), "the provided IP (10.0.0.1) is not in the valid range. "
                        "The range of valid IPs is 10.96.0.0/12"),
    ("10.96.0.0", set(), "the provided IP (10.96.0.0) is not in the valid range. "
                         "The range of valid IPs is 10.96.0.0/12"),
    ("10.96.0.10", {"10.96.0.10"}, "provided IP is already allocated"),
])
def test_claim_ip_refusals(ip: str, used: set[str], message: str) -> None:
    with pytest.raises(netalloc.AllocationError) as err:
        netalloc.claim_ip(ip, netalloc.parse_cidr("10.96.0.0/12"), used)
    assert str(err.value) == message


def test_claim_ip_accepts_free_in_range() -> None:
    netalloc.claim_ip("10.96.0.10", netalloc.parse_cidr("10.96.0.0/12"), {"10.96.0.11"})


@pytest.mark.parametrize(("port", "used", "message"), [
    (8080, set(), "provided port is not in the valid range. The range of valid ports is 30000-32767"),
    (30080, {30080}, "provided port is already allocated"),
])
def test_claim_port_refusals(port: int, used: set[int], message: str) -> None:
    with pytest.raises(netalloc.AllocationError) as err:
        netalloc.claim_port(port, netalloc.PortRange(30000, 32767), used)
    assert str(err.value) == message


def test_ports_exhaust() -> None:
    ports = netalloc.PortRange(30000, 30002)
    used: set[int] = set()
    for i in range(3):
        used.add(netalloc.allocate_port(str(i), ports, used))
    assert used == {30000, 30001, 30002}
    with pytest.raises(netalloc.AllocationError, match=r"^range is full$"):
        netalloc.allocate_port("x", ports, used)


def test_dynamic_port_prefers_upper_band() -> None:
    ports = netalloc.PortRange(30000, 32767)
    assert all(netalloc.allocate_port(str(i), ports, set()) >= 30086 for i in range(50))


@pytest.mark.parametrize(("used", "expected"), [
    (set(), "192.168.49.100"),
    ({"192.168.49.100"}, "192.168.49.101"),
    ({"192.168.49.100", "192.168.49.101", "192.168.49.102"}, None),
])
def test_first_free_pool_ip(used: set[str], expected: str | None) -> None:
    pool = netalloc.parse_ip_pool("192.168.49.100-192.168.49.102")
    assert pool is not None
    assert netalloc.first_free_ip(pool, used) == expected
