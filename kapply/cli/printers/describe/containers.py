"""The `Containers:` section of `describe pod` and of pod templates (kubectl's describeContainers).

One block per container: image and ports, command and args, state (with the last terminated state
of a restarting container), resources, probes, environment (values resolved as kubectl resolves
fieldRef and resourceFieldRef) and mounts. `statuses` is None for a template: no state lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    meta,
    printbool,
    quantity,
    quantity_text,
    rfc1123z,
)

_FIELD_REFS = {
    "metadata.name": lambda p: meta(p).get("name"),
    "metadata.namespace": lambda p: meta(p).get("namespace"),
    "metadata.uid": lambda p: meta(p).get("uid"),
    "spec.nodeName": lambda p: (p.get("spec") or {}).get("nodeName"),
    "spec.serviceAccountName": lambda p: (p.get("spec") or {}).get("serviceAccountName"),
    "status.podIP": lambda p: (p.get("status") or {}).get("podIP"),
    "status.hostIP": lambda p: (p.get("status") or {}).get("hostIP"),
}


def describe_containers(w: PrefixWriter, label: str, containers: Sequence[Obj],
                        statuses: Sequence[Obj] | None, pod: Obj | None, space: str) -> None:
    """describeContainers: one block per container; `statuses` None for a template."""
    by_name = {s.get("name"): s for s in statuses or ()}
    if not containers:
        w.write(0, f"{space}{label}: <none>\n")
        return
    w.write(0, f"{space}{label}:\n")
    for c in containers:
        status = by_name.get(c.get("name"))
        w.write(1, f"{' ' if space else ''}{c.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        declared = c.get("ports") or ()
        ports = ", ".join(f"{p.get('containerPort', 0)}/{p.get('protocol', 'TCP')}" for p in declared)
        host = ", ".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}" for p in declared)
        w.write(2, f"Ports:\t{ports}\n" if "," in ports else f"Port:\t{ports or '<none>'}\n")
        w.write(2, f"Host Ports:\t{host}\n" if "," in host else f"Host Port:\t{host or '<none>'}\n")
        for title, key in (("Command", "command"), ("Args", "args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for arg in c[key]:
                    for part in str(arg).split("\n"):
                        w.write(3, f"{part}\n")
        if status is not None:
            _state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated"):
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{printbool(status.get('ready'))}\n")
            w.write(2, f"Restart Count:\t{int(status.get('restartCount') or 0)}\n")
        resources_section(w, c.get("resources") or {}, 2)
        for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"),
                           ("Startup", "startupProbe")):
            if c.get(key):
                w.write(2, f"{title}:\t{describe_probe(c[key])}\n")
        if c.get("envFrom"):
            _env_from(w, c["envFrom"])
        _env(w, c.get("env") or [], pod, c)
        _mounts(w, c.get("volumeMounts") or [])


def _state(w: PrefixWriter, name: str, state: Obj) -> None:
    if state.get("running") is not None:
        w.write(2, f"{name}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{name}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        term = state["terminated"]
        w.write(2, f"{name}:\tTerminated\n")
        if term.get("reason"):
            w.write(3, f"Reason:\t{term['reason']}\n")
        if term.get("message"):
            w.write(3, f"Message:\t{term['message']}\n")
        w.write(3, f"Exit Code:\t{int(term.get('exitCode') or 0)}\n")
        if term.get("signal"):
            w.write(3, f"Signal:\t{int(term['signal'])}\n")
        w.write(3, f"Started:\t{rfc1123z(term.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(term.get('finishedAt'))}\n")
    else:
        w.write(2, f"{name}:\tWaiting\n")


def resources_section(w: PrefixWriter, resources: Obj, level: int) -> None:
    """describeResources: `Limits:` then `Requests:`, resource names sorted."""
    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = resources.get(key) or {}
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{quantity_text(values[name])}\n")


def describe_probe(probe: Obj) -> str:
    """DescribeProbe: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`."""
    attrs = (f"delay={int(probe.get('initialDelaySeconds') or 0)}s "
             f"timeout={int(probe.get('timeoutSeconds') or 1)}s "
             f"period={int(probe.get('periodSeconds') or 10)}s "
             f"#success={int(probe.get('successThreshold') or 1)} "
             f"#failure={int(probe.get('failureThreshold') or 3)}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(str(a) for a in probe['exec'].get('command') or ())}] {attrs}"
    if probe.get("httpGet") is not None:
        http = probe["httpGet"]
        host, port = http.get("host", ""), str(http.get("port", ""))
        if port:
            host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return f"http-get {str(http.get('scheme') or 'HTTP').lower()}://{host}{http.get('path', '')} {attrs}"
    if probe.get("tcpSocket") is not None:
        tcp = probe["tcpSocket"]
        return f"tcp-socket {tcp.get('host', '')}:{tcp.get('port', '')} {attrs}"
    if probe.get("grpc") is not None:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port', '')} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _env_from(w: PrefixWriter, sources: Sequence[Obj]) -> None:
    w.write(2, "Environment Variables from:\n")
    for src in sources:
        ref, kind = (src.get("configMapRef"), "ConfigMap") if src.get("configMapRef") else \
            (src.get("secretRef") or {}, "Secret")
        optional = "true" if (ref or {}).get("optional") else "false"
        prefix = f" with prefix '{src['prefix']}'" if src.get("prefix") else ""
        w.write(3, f"{(ref or {}).get('name', '')}\t{kind}{prefix}\tOptional: {optional}\n")


def resource_field_value(ref: Obj, container: Obj) -> str:
    """ExtractContainerResourceValue: `limits.cpu` in divisor units, rounded up; 0 limits are
    `node allocatable`."""
    resource = str(ref.get("resource", ""))
    section, _, name = resource.partition(".")
    if section not in ("limits", "requests") or not name:
        return ""
    amount = quantity(((container.get("resources") or {}).get(section) or {}).get(name, 0))
    divisor = quantity(ref.get("divisor") or 1) or Fraction(1)
    scaled = amount / divisor
    value = str(-((-scaled.numerator) // scaled.denominator))
    if value == "0" and resource in ("limits.cpu", "limits.memory"):
        return "node allocatable"
    return value


def _env(w: PrefixWriter, env: Sequence[Obj], pod: Obj | None, container: Obj) -> None:
    w.write(2, "Environment:\n" if env else "Environment:\t<none>\n")
    for var in env:
        name, source = var.get("name", ""), var.get("valueFrom")
        if source is None:
            for i, part in enumerate(str(var.get("value", "")).split("\n")):
                w.write(3, f"{name}:\t{part}\n" if i == 0 else f"\t{part}\n")
        elif source.get("fieldRef"):
            ref = source["fieldRef"]
            path = ref.get("fieldPath", "")
            resolve = _FIELD_REFS.get(path)
            value = (resolve(pod) or "") if pod is not None and resolve else ""
            w.write(3, f"{name}:\t{value} ({ref.get('apiVersion', 'v1')}:{path})\n")
        elif source.get("resourceFieldRef"):
            ref = source["resourceFieldRef"]
            w.write(3, f"{name}:\t{resource_field_value(ref, container)} ({ref.get('resource', '')})\n")
        elif source.get("secretKeyRef"):
            ref = source["secretKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' in secret '{ref.get('name', '')}'>"
                       f"\tOptional: {optional}\n")
        elif source.get("configMapKeyRef"):
            ref = source["configMapKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' of config map "
                       f"'{ref.get('name', '')}'>\tOptional: {optional}\n")


def _mounts(w: PrefixWriter, mounts: Sequence[Obj]) -> None:
    w.write(2, "Mounts:\n" if mounts else "Mounts:\t<none>\n")
    for m in sorted(mounts, key=lambda m: str(m.get("mountPath", ""))):
        flags = ["ro" if m.get("readOnly") else "rw"]
        if m.get("subPath"):
            flags.append(f'path="{m["subPath"]}"')
        w.write(3, f"{m.get('mountPath', '')} from {m.get('name', '')} ({','.join(flags)})\n")
