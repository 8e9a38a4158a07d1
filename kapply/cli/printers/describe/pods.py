"""`describe pod`, and the container / volume / pod-template sections the workload describers reuse.

Mirrors kubectl's describePod, describeContainers, describeVolumes and DescribePodTemplate:
the same fields in the same order, so a user comparing with a real cluster sees the same page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    controller_of,
    describe_events,
    labels_multiline,
    meta,
    printbool,
    quantity,
    quantity_text,
    rfc1123z,
    since,
    tolerations_multiline,
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


def describe_pod(pod: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                 now: float) -> str:
    """kubectl describe pod."""
    w = PrefixWriter()
    md, spec, status = meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"Priority:\t{int(spec.get('priority') or 0)}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if md.get("deletionTimestamp") and status.get("phase") not in ("Failed", "Succeeded"):
        # kubectl measures the time *since* the (future) deletion timestamp: `(lasts <invalid>)`
        w.write(0, f"Status:\tTerminating (lasts {since(md['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{int(md.get('deletionGracePeriodSeconds') or 0)}s\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    if controlled := controller_of(pod):
        w.write(0, f"Controlled By:\t{controlled}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        _resources(w, spec["resources"], 1)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"],
                            status.get("initContainerStatuses"), pod, "")
    describe_containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"),
                        pod, "")
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or ()}
        for gate in spec["readinessGates"]:
            gate_type = gate.get("conditionType", "")
            w.write(1, f"{gate_type} \t{conds.get(gate_type, '<none>')} \n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for cond in status["conditions"]:
            w.write(1, f"{cond.get('type', '')} \t{cond.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes"), "")
    w.write(0, f"QoS Class:\t{status.get('qosClass') or qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    describe_events(w, events, now)
    return w.render()


def qos_class(pod: Obj) -> str:
    """The pod's QoS class when status does not say: Guaranteed, Burstable or BestEffort."""
    containers = [*((pod.get("spec") or {}).get("containers") or ()),
                  *((pod.get("spec") or {}).get("initContainers") or ())]
    requests_any = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            requests_any = True
        for name in ("cpu", "memory"):
            if name not in lim or (name in req and quantity_text(req[name]) != quantity_text(lim[name])):
                guaranteed = False
    if not requests_any:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


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
        _resources(w, c.get("resources") or {}, 2)
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


def _resources(w: PrefixWriter, resources: Obj, level: int) -> None:
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


def describe_volumes(w: PrefixWriter, volumes: Sequence[Obj] | None, space: str) -> None:
    """describeVolumes: the common volume sources, `<unknown>` for the rest."""
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for vol in volumes:
        w.write(1, f"{' ' if space else ''}{vol.get('name', '')}:\n")
        if vol.get("hostPath") is not None:
            src = vol["hostPath"]
            w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                       f"    Path:\t{src.get('path', '')}\n"
                       f"    HostPathType:\t{src.get('type') or '<none>'}\n")
        elif vol.get("emptyDir") is not None:
            src = vol["emptyDir"]
            size = quantity_text(src["sizeLimit"]) if src.get("sizeLimit") else "<unset>"
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{src.get('medium', '')}\n    SizeLimit:\t{size}\n")
        elif vol.get("secret") is not None:
            src = vol["secret"]
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                       f"    SecretName:\t{src.get('secretName', '')}\n"
                       f"    Optional:\t{'true' if src.get('optional') else 'false'}\n")
        elif vol.get("configMap") is not None:
            src = vol["configMap"]
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                       f"    Name:\t{src.get('name', '')}\n"
                       f"    Optional:\t{'true' if src.get('optional') else 'false'}\n")
        elif vol.get("projected") is not None:
            _projected(w, vol["projected"])
        elif vol.get("persistentVolumeClaim") is not None:
            src = vol["persistentVolumeClaim"]
            w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
                       f"namespace)\n    ClaimName:\t{src.get('claimName', '')}\n"
                       f"    ReadOnly:\t{'true' if src.get('readOnly') else 'false'}\n")
        else:
            w.write(1, "<unknown>\n")


def _projected(w: PrefixWriter, projected: Obj) -> None:
    """printProjectedVolumeSource (the kube-api-access-* volume of every real pod)."""
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
    for source in projected.get("sources") or ():
        if source.get("secret") is not None:
            optional = "true" if source["secret"].get("optional") else "false"
            w.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n    Optional:\t{optional}\n")
        elif source.get("downwardAPI") is not None:
            w.write(2, "DownwardAPI:\ttrue\n")
        elif source.get("configMap") is not None:
            optional = "true" if source["configMap"].get("optional") else "false"
            w.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n    Optional:\t{optional}\n")
        elif source.get("serviceAccountToken") is not None:
            seconds = int(source["serviceAccountToken"].get("expirationSeconds") or 3600)
            w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")


def describe_pod_template(w: PrefixWriter, template: Obj | None) -> None:
    """DescribePodTemplate: the `Pod Template:` section of Deployments, ReplicaSets and RCs."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    md, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", md.get("labels"))
    if md.get("annotations"):
        annotations_multiline(w, "  Annotations", md["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        _resources(w, spec["resources"], 1)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def pod_phase_counts(pods: Sequence[Obj]) -> tuple[int, int, int, int]:
    """getPodStatusForController: Running / Waiting (Pending) / Succeeded / Failed."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        phase = (pod.get("status") or {}).get("phase", "Pending")
        if phase in counts:
            counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]

