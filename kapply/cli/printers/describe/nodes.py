"""`describe node`: conditions, addresses, capacity, the pods on the node and what they reserve.

kubectl's describeNode and describeNodeResource: percentages are of allocatable (capacity when
allocatable is empty), truncated toward zero as Go's int64() conversion does; a pod's requests
are its containers' sum, raised to any larger init container's (resourcehelper.PodRequestsAndLimits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from fractions import Fraction

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    describe_events,
    is_binary,
    labels_multiline,
    meta,
    quantity,
    quantity_text,
    rfc1123z,
    since,
    taints_multiline,
)
from kapply.model.columns import node_roles
from kapply.model.quantity import format_quantity

Totals = dict[str, tuple[Fraction, bool]]


def pod_requests_limits(pod: Obj) -> tuple[Totals, Totals]:
    """Per-resource (amount, binary format) of a pod's requests and limits."""
    spec = pod.get("spec") or {}
    out: list[Totals] = []
    for key in ("requests", "limits"):
        total: Totals = {}
        for c in spec.get("containers") or ():
            for name, value in ((c.get("resources") or {}).get(key) or {}).items():
                amount, binary = total.get(name, (Fraction(0), is_binary(value)))
                total[name] = (amount + quantity(value), binary)
        for c in spec.get("initContainers") or ():
            for name, value in ((c.get("resources") or {}).get(key) or {}).items():
                if quantity(value) > total.get(name, (Fraction(0), False))[0]:
                    total[name] = (quantity(value), is_binary(value))
        for name, value in (spec.get("overhead") or {}).items():
            if name in total:
                total[name] = (total[name][0] + quantity(value), total[name][1])
        out.append(total)
    return out[0], out[1]


def _fmt(totals: Totals, name: str) -> str:
    amount, binary = totals.get(name, (Fraction(0), name == "memory"))
    return format_quantity(amount, binary)


def _pct(totals: Totals, name: str, allocatable: Mapping[str, object]) -> int:
    whole = quantity(allocatable.get(name, 0))
    if name == "cpu":
        whole = Fraction(int(whole * 1000), 1000)
    if whole == 0:
        return 0
    return int(totals.get(name, (Fraction(0), False))[0] / whole * 100)


def describe_node(node: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                  now: float) -> str:
    """kubectl describe node."""
    w = PrefixWriter()
    md, spec, status = meta(node), node.get("spec") or {}, node.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Roles:\t{node_roles(node)}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    taints_multiline(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    _lease(w, node, related.get("Lease") or (), now)
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            cells = (c.get("type", ""), c.get("status", ""), rfc1123z(c.get("lastHeartbeatTime")),
                     rfc1123z(c.get("lastTransitionTime")), c.get("reason", ""))
            w.write(1, "".join(f"{cell} \t" for cell in cells) + f"{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for addr in status.get("addresses") or ():
        w.write(1, f"{addr.get('type', '')}:\t{addr.get('address', '')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        values = status.get(key) or {}
        if values:
            w.write(0, f"{title}:\n")
            for name in sorted(values):
                w.write(0, f"  {name}:\t{quantity_text(values[name])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                       ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                       ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion")):
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    pods = [p for p in related.get("Pod") or ()
            if (p.get("spec") or {}).get("nodeName") == md.get("name")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    _node_resources(w, node, pods, now)
    describe_events(w, events, now)
    return w.render()


def _lease(w: PrefixWriter, node: Obj, leases: Sequence[Obj], now: float) -> None:
    """describeNodeLease, from the node's Lease in kube-node-lease.

    Without a Lease object (the embedded cluster's kubelets keep none) the section shows what a
    kubelet's lease would hold: the node as holder, renewed now while the node is Ready, and at
    its last heartbeat once it stopped posting status.
    """
    name = meta(node).get("name", "")
    lease = next((item for item in leases if meta(item).get("name") == name), None)
    if lease is not None:
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or "<unset>"
        acquire = rfc1123z(spec["acquireTime"]) if spec.get("acquireTime") else "<unset>"
        renew = rfc1123z(spec["renewTime"]) if spec.get("renewTime") else "<unset>"
    else:
        conditions = (node.get("status") or {}).get("conditions") or ()
        ready = next((c for c in conditions if c.get("type") == "Ready"), {})
        holder, acquire = name, "<unset>"
        renew = rfc1123z(_rfc3339(now)) if ready.get("status") == "True" else \
            rfc1123z(ready.get("lastHeartbeatTime")) if ready.get("lastHeartbeatTime") else "<unset>"
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{holder}\n")
    w.write(1, f"AcquireTime:\t{acquire}\n")
    w.write(1, f"RenewTime:\t{renew}\n")


def _rfc3339(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node_resources(w: PrefixWriter, node: Obj, pods: Sequence[Obj], now: float) -> None:
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or status.get("capacity") or {}
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    total_req: Totals = {}
    total_lim: Totals = {}
    for pod in sorted(pods, key=lambda p: (meta(p).get("namespace", ""), meta(p).get("name", ""))):
        req, lim = pod_requests_limits(pod)
        cells = [f"{_fmt(t, name)} ({_pct(t, name, allocatable)}%)"
                 for name in ("cpu", "memory") for t in (req, lim)]
        w.write(1, f"{meta(pod).get('namespace', '')}\t{meta(pod).get('name', '')}\t\t" + "\t".join(cells)
                   + f"\t{since(meta(pod).get('creationTimestamp'), now)}\n")
        for source, target in ((req, total_req), (lim, total_lim)):
            for name, (amount, binary) in source.items():
                old, old_binary = target.get(name, (Fraction(0), binary))
                target[name] = (old + amount, old_binary if old else binary)
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for name in ("cpu", "memory", "ephemeral-storage"):
        w.write(1, f"{name}\t{_fmt(total_req, name)} ({_pct(total_req, name, allocatable)}%)\t"
                   f"{_fmt(total_lim, name)} ({_pct(total_lim, name, allocatable)}%)\n")
    for name in sorted(n for n in allocatable if n.startswith("hugepages-")):
        w.write(1, f"{name}\t{_fmt(total_req, name)} ({_pct(total_req, name, allocatable)}%)\t"
                   f"{_fmt(total_lim, name)} ({_pct(total_lim, name, allocatable)}%)\n")
    standard = {"cpu", "memory", "ephemeral-storage", "pods", "storage"}
    for name in sorted(n for n in allocatable if n not in standard and not n.startswith("hugepages-")):
        w.write(1, f"{name}\t{_fmt(total_req, name)}\t{_fmt(total_lim, name)}\n")
