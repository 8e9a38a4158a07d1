"""The load-balancer controller: ingress IPs for LoadBalancer Services from the cluster's pool.

Plays MetalLB's part (or `minikube tunnel`'s): a LoadBalancer Service gets
`status.loadBalancer.ingress[0].ip` from `settings.lb_pool`, lowest free address first, or
`spec.loadBalancerIP` when it asks for a free pool address. With no pool, or the pool exhausted,
the Service stays `<pending>` (no ingress); when an address frees up (a LoadBalancer Service
deleted or changed to another type) the oldest pending Service gets it. What is taken is read
from the stored Services' status, so nothing else needs persisting. Events as MetalLB words them
(`IPAllocated`, `AllocationFailed`). Services with a `loadBalancerClass` belong to someone else.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from kapply.cluster.sim import netalloc
from kapply.cluster.sim.controllers.base import Change, Context, Obj, ns_key, split_key
from kapply.errors import UsageError

PENDING_KEY = "*pending"


def ingress_ip(svc: Obj | None) -> str | None:
    """The first ingress IP in the Service's status, if any."""
    if svc is None:
        return None
    for ingress in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ():
        if ingress.get("ip"):
            return str(ingress["ip"])
    return None


def wants_ip(svc: Obj | None) -> bool:
    """A LoadBalancer Service this controller serves (no foreign loadBalancerClass)."""
    if svc is None:
        return False
    spec = svc.get("spec") or {}
    return spec.get("type") == "LoadBalancer" and not spec.get("loadBalancerClass")


class LoadBalancerController:
    name = "loadbalancer"

    def watches(self, change: Change) -> Iterable[str]:
        """A Service that wants an IP or holds one; everyone pending when an IP is released."""
        if change.kind != "Service":
            return []
        now = None if change.type == "DELETED" else change.obj
        keys = []
        if wants_ip(now) or ingress_ip(now):
            keys.append(ns_key(change.obj))
        held = ingress_ip(change.old) or (ingress_ip(change.obj) if change.type == "DELETED" else None)
        if held and not wants_ip(now):
            keys.append(PENDING_KEY)
        return keys

    def sync(self, ctx: Context, key: str) -> None:
        """Assign (or clear) one Service's ingress IP, or serve the pending ones oldest first."""
        if key == PENDING_KEY:
            pending = [s for s in ctx.list("Service") if wants_ip(s) and not ingress_ip(s)]
            pending.sort(key=lambda s: (s["metadata"].get("creationTimestamp", ""),
                                        s["metadata"].get("namespace", ""), s["metadata"]["name"]))
            for svc in pending:
                if not self._assign(ctx, svc, report=False):
                    return
            return
        namespace, name = split_key(key)
        svc = ctx.get("Service", namespace, name)
        if svc is None:
            return
        if not wants_ip(svc):
            if ingress_ip(svc):
                cleared = copy.deepcopy(svc)
                cleared.setdefault("status", {})["loadBalancer"] = {}
                ctx.update_status(cleared)
            return
        if not ingress_ip(svc):
            self._assign(ctx, svc, report=True)

    def _assign(self, ctx: Context, svc: Obj, report: bool) -> bool:
        """Give `svc` a pool address; False (and a Warning event when `report`) if none is free."""
        meta = svc["metadata"]
        who = f"{meta.get('namespace', '')}/{meta['name']}"
        try:
            pool = netalloc.parse_ip_pool(ctx.settings.lb_pool)
        except UsageError as exc:  # a broken setting must not stop the cluster: say so, stay pending
            if report:
                ctx.record_event(svc, "Warning", "AllocationFailed",
                                 f'Failed to allocate IP for "{who}": {exc}')
            return False
        if pool is None:
            return False
        holders = {ingress_ip(s): s for s in ctx.list("Service") if ingress_ip(s)}
        requested = (svc.get("spec") or {}).get("loadBalancerIP")
        if requested:
            reason = None
            if not pool.contains(requested):
                reason = f'["{requested}"] is not allowed in config'
            elif requested in holders:
                other = holders[requested]["metadata"]
                reason = (f"address {requested} also in use by "
                          f"{other.get('namespace', '')}/{other['name']}")
            if reason:
                if report:
                    ctx.record_event(svc, "Warning", "AllocationFailed",
                                     f'Failed to allocate IP for "{who}": {reason}')
                return True  # the pool may still serve others
            ip: str | None = requested
        else:
            ip = netalloc.first_free_ip(pool, holders)
        if ip is None:
            if report:
                ctx.record_event(svc, "Warning", "AllocationFailed",
                                 f'Failed to allocate IP for "{who}": no available IPs')
            return False
        updated = copy.deepcopy(svc)
        updated.setdefault("status", {})["loadBalancer"] = {"ingress": [{"ip": ip, "ipMode": "VIP"}]}
        ctx.update_status(updated)
        ctx.record_event(svc, "Normal", "IPAllocated", f'Assigned IP ["{ip}"]')
        return True
