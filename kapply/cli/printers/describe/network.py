"""`describe service | endpoints`, as kubectl's describers print them.

A Service's `Endpoints:` line per port is kubectl's formatEndpointSlices, read from the Service's
Endpoints object (passed in `related["Endpoints"]`; the embedded cluster keeps Endpoints, not
EndpointSlices, and both hold the same addresses): ready `ip:port` pairs for the port of that
name, the first three then `+ N more...`; `<none>` when there is no Endpoints object at all and
an empty value when it holds no ready address, as kubectl shows an empty EndpointSlice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    describe_events,
    format_labels,
    labels_multiline,
    meta,
)


def format_endpoints(endpoints: Obj | None, port_name: str | None) -> str:
    """formatEndpointSlices: `10.244.0.5:3000,10.244.1.3:3000` (`<none>` without an Endpoints object)."""
    if endpoints is None:
        return "<none>"
    subsets = endpoints.get("subsets") or []
    shown: list[str] = []
    count = 0
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            for addr in addresses:
                if len(shown) < 3:
                    shown.append(str(addr.get("ip", "")))
                count += 1
            continue
        for port in ports:
            if port_name is not None and (port.get("name") or "") != port_name:
                continue
            for addr in addresses:
                if len(shown) < 3:
                    ip = str(addr.get("ip", ""))
                    host = f"[{ip}]" if ":" in ip else ip
                    shown.append(f"{host}:{port.get('port', '')}")
                count += 1
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if count > 3 else text


def _ingress(ingress: Sequence[Obj]) -> str:
    parts = []
    for item in ingress:
        if item.get("ip"):
            parts.append(f"{item['ip']} ({item['ipMode']})" if item.get("ipMode") else str(item["ip"]))
        else:
            parts.append(str(item.get("hostname") or ""))
    return ", ".join(parts)


def describe_service(svc: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                     now: float) -> str:
    """kubectl describe service."""
    w = PrefixWriter()
    md, spec, status = meta(svc), svc.get("spec") or {}, svc.get("status") or {}
    endpoints = next((ep for ep in related.get("Endpoints") or () if meta(ep).get("name") == md.get("name")),
                     None)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', 'ClusterIP')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or ()) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or ()) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{_ingress(ingress)}\n")
    for port in spec.get("ports") or ():
        name = port.get("name") or "<unset>"
        proto = port.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{port.get('port', '')}/{proto}\n")
        w.write(0, f"TargetPort:\t{port.get('targetPort', port.get('port', ''))}/{proto}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{format_endpoints(endpoints, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    describe_events(w, events, now)
    return w.render()


def describe_endpoints(ep: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                       now: float) -> str:
    """kubectl describe endpoints."""
    w = PrefixWriter()
    md = meta(ep)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or ():
        ready = ",".join(str(a.get("ip", "")) for a in subset.get("addresses") or ())
        not_ready = ",".join(str(a.get("ip", "")) for a in subset.get("notReadyAddresses") or ())
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                name = port.get("name") or "<unset>"
                w.write(2, f"{name}\t{port.get('port', '')}\t{port.get('protocol', 'TCP')}\n")
        w.write(0, "\n")
    describe_events(w, events, now)
    return w.render()
