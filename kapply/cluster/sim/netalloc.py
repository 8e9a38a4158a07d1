"""Address arithmetic for Services: ClusterIP ranges, NodePort ranges, load-balancer pools.

Pure functions, no store: `services.py` (the admission plugin) and `controllers/loadbalancer.py`
pass in the set of values already in use (derived from the stored Services) and get back a free
value or Kubernetes' allocator error. Mirrors pkg/registry/core/service/ipallocator and
portallocator: a CIDR excludes its network and broadcast addresses; dynamic allocation starts at
a pseudo-random offset in the upper band of the range and scans forward, wrapping into the lower
(static) band last, so user-chosen values in the lower band rarely collide. The offset comes from
a seeded RNG keyed by the object's name, so a simulation replays identically.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable, Container
from dataclasses import dataclass

from kapply.errors import UsageError

ERR_FULL = "range is full"
ERR_IP_ALLOCATED = "provided IP is already allocated"
ERR_PORT_ALLOCATED = "provided port is already allocated"


class AllocationError(Exception):
    """An allocator refused a value; `str()` is Kubernetes' allocator message."""


@dataclass(frozen=True)
class IPRange:
    """Usable IPv4 addresses [first, last] as integers; `text` is how errors name the range."""

    first: int
    last: int
    text: str

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def contains(self, ip: str) -> bool:
        """Whether `ip` is one of the usable addresses."""
        value = ip_to_int(ip)
        return value is not None and self.first <= value <= self.last

    def ip(self, offset: int) -> str:
        """The address `offset` positions after the first usable one."""
        return str(ipaddress.IPv4Address(self.first + offset))


@dataclass(frozen=True)
class PortRange:
    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def ip_to_int(ip: str) -> int | None:
    """The integer of a dotted IPv4 address, None when `ip` is not one."""
    try:
        return int(ipaddress.IPv4Address(ip))
    except (ipaddress.AddressValueError, ValueError):
        return None


def is_valid_ip(ip: str) -> bool:
    """True for an IPv4 or IPv6 address literal."""
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return False
    return True


def parse_cidr(text: str) -> IPRange:
    """`10.96.0.0/12` -> its usable addresses (network and broadcast excluded, as Kubernetes)."""
    try:
        net = ipaddress.IPv4Network(text.strip(), strict=True)
    except ValueError as exc:
        raise UsageError(f"invalid CIDR {text!r}: {exc}") from exc
    if net.num_addresses < 4:
        raise UsageError(f"invalid CIDR {text!r}: too small for a service range (need at least /30)")
    return IPRange(int(net.network_address) + 1, int(net.broadcast_address) - 1, str(net))


def parse_ip_pool(text: str) -> IPRange | None:
    """A load-balancer pool: `a.b.c.d-e.f.g.h` (inclusive) or a CIDR (all its addresses); "" -> None."""
    text = text.strip()
    if not text:
        return None
    if "-" in text:
        start, _, end = text.partition("-")
        first, last = ip_to_int(start.strip()), ip_to_int(end.strip())
        if first is None or last is None or first > last:
            raise UsageError(f"invalid load-balancer pool {text!r}: want FIRST-LAST IPv4 addresses, "
                             "e.g. 192.168.49.100-192.168.49.120")
        return IPRange(first, last, text)
    try:
        net = ipaddress.IPv4Network(text, strict=False)
    except ValueError as exc:
        raise UsageError(f"invalid load-balancer pool {text!r}: want FIRST-LAST or a CIDR") from exc
    return IPRange(int(net.network_address), int(net.broadcast_address), str(net))


def parse_port_range(text: str) -> PortRange:
    """`30000-32767` (or a single port) -> PortRange; bad text -> UsageError."""
    start, sep, end = text.strip().partition("-")
    try:
        first = int(start)
        last = int(end) if sep else first
    except ValueError:
        raise UsageError(f"invalid port range {text!r}: want FIRST-LAST, e.g. 30000-32767") from None
    if not 1 <= first <= last <= 65535:
        raise UsageError(f"invalid port range {text!r}: want 1 <= FIRST <= LAST <= 65535")
    return PortRange(first, last)


def static_band(size: int, lo: int, hi: int, divisor: int) -> int:
    """Size of the lower band reserved for static (user-chosen) values, as Kubernetes computes it.

    ipallocator: min(max(16, size/16), 256); portallocator: min(max(16, size/32), 128). A range
    smaller than the band's minimum has none.
    """
    if size < lo:
        return 0
    return min(max(lo, size // divisor), hi)


def _pick(size: int, band: int, is_used: Callable[[int], bool], rng: random.Random) -> int:
    """A free offset: random start in the upper band, scan forward, then the lower band."""
    upper = size - band
    if upper > 0:
        start = rng.randrange(upper)
        for i in range(upper):
            offset = band + (start + i) % upper
            if not is_used(offset):
                return offset
    for offset in range(band):
        if not is_used(offset):
            return offset
    raise AllocationError(ERR_FULL)


def allocate_ip(rng_key: str, cidr: IPRange, used: Container[str]) -> str:
    """A free ClusterIP of `cidr` not in `used`; AllocationError('range is full')."""
    band = static_band(cidr.size, 16, 256, 16)
    return cidr.ip(_pick(cidr.size, band, lambda offset: cidr.ip(offset) in used, random.Random(rng_key)))


def claim_ip(ip: str, cidr: IPRange, used: Container[str]) -> None:
    """Check that a requested ClusterIP may be taken; AllocationError with Kubernetes' message if not."""
    if not cidr.contains(ip):
        raise AllocationError(f"the provided IP ({ip}) is not in the valid range. "
                              f"The range of valid IPs is {cidr.text}")
    if ip in used:
        raise AllocationError(ERR_IP_ALLOCATED)


def allocate_port(rng_key: str, ports: PortRange, used: Container[int]) -> int:
    """A free port of `ports` not in `used`; AllocationError('range is full')."""
    band = static_band(ports.size, 16, 128, 32)
    return ports.first + _pick(ports.size, band, lambda offset: ports.first + offset in used,
                               random.Random(rng_key))


def claim_port(port: int, ports: PortRange, used: Container[int]) -> None:
    """Check that a requested nodePort may be taken; AllocationError with Kubernetes' message if not."""
    if not ports.first <= port <= ports.last:
        raise AllocationError("provided port is not in the valid range. "
                              f"The range of valid ports is {ports}")
    if port in used:
        raise AllocationError(ERR_PORT_ALLOCATED)


def first_free_ip(pool: IPRange, used: Container[str]) -> str | None:
    """The lowest address of a load-balancer pool not in `used` (MetalLB hands them out in order)."""
    for offset in range(pool.size):
        if pool.ip(offset) not in used:
            return pool.ip(offset)
    return None
