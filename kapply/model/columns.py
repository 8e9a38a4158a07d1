"""Printer columns per kind, as the API server's printers (pkg/printers/internalversion) make them.

One table for both of their readers: `kapply get` prints them, and `kapply serve` answers
kubectl's Table requests with them, so kubectl prints what `kapply get` prints.

Each kind has a row function `(obj, now) -> list[str]` for the default columns and an optional
one for the extra `-o wide` columns. Kinds without an entry get `NAME AGE`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kapply.model.durations import human_duration

Obj = dict[str, Any]
Row = Callable[[Obj, float], list[str]]


@dataclass(frozen=True)
class Columns:
    headers: tuple[str, ...]
    row: Row
    wide_headers: tuple[str, ...] = ()
    wide: Row | None = None


def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def age(obj: Obj, now: float) -> str:
    created = parse_time((obj.get("metadata") or {}).get("creationTimestamp"))
    return "<unknown>" if created is None else human_duration(now - created)


def name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def spec_of(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def status_of(obj: Obj) -> Obj:
    return obj.get("status") or {}


def _selector_text(selector: Any) -> str:
    if not selector:
        return "<none>"
    labels = selector.get("matchLabels", selector) if isinstance(selector, dict) else {}
    parts = [f"{k}={v}" for k, v in sorted(labels.items()) if not isinstance(v, (dict, list))]
    for expr in selector.get("matchExpressions") or () if isinstance(selector, dict) else ():
        parts.append(f"{expr.get('key')} {str(expr.get('operator', '')).lower()} "
                     f"({','.join(expr.get('values') or ())})")
    return ",".join(parts) or "<none>"


def _containers_images(template_spec: Obj) -> list[str]:
    containers = template_spec.get("containers") or []
    return [",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)]


# ---- pods -----------------------------------------------------------------------------------

def pod_status(pod: Obj) -> str:
    """kubectl's STATUS column: the most telling reason, as printPod computes it."""
    meta, status = pod.get("metadata") or {}, status_of(pod)
    reason = status.get("reason") or status.get("phase") or "Pending"
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        state = cs.get("state") or {}
        term, waiting = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode") == 0:
            continue
        if term:
            reason = f"Init:{term.get('reason') or 'Error'}"
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{i}/{len(spec_of(pod).get('initContainers') or [])}"
        break
    else:
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            state = cs.get("state") or {}
            if (state.get("waiting") or {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif (state.get("terminated") or {}).get("reason"):
                reason = state["terminated"]["reason"]
            elif state.get("terminated"):
                term = state["terminated"]
                reason = f"Signal:{term['signal']}" if term.get("signal") else \
                    f"ExitCode:{term.get('exitCode', 0)}"
            elif state.get("running") and cs.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                        for c in status.get("conditions") or ())
            reason = "Running" if ready else "NotReady"
    if meta.get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return str(reason)


def _pod_ready(pod: Obj) -> str:
    statuses = status_of(pod).get("containerStatuses") or []
    total = len(spec_of(pod).get("containers") or []) or len(statuses)
    return f"{sum(1 for cs in statuses if cs.get('ready'))}/{total}"


def _pod_restarts(pod: Obj, now: float) -> str:
    restarts, last = 0, None
    for cs in status_of(pod).get("containerStatuses") or []:
        restarts += int(cs.get("restartCount") or 0)
        finished = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
        if finished is not None and (last is None or finished > last):
            last = finished
    if restarts and last is not None:
        return f"{restarts} ({human_duration(now - last)} ago)"
    return str(restarts)


def _pod_row(pod: Obj, now: float) -> list[str]:
    return [name_of(pod), _pod_ready(pod), pod_status(pod), _pod_restarts(pod, now), age(pod, now)]


def _pod_wide(pod: Obj, now: float) -> list[str]:
    return [status_of(pod).get("podIP") or "<none>", spec_of(pod).get("nodeName") or "<none>", "<none>",
            "<none>"]


# ---- workloads ----------------------------------------------------------------------------------

def _deploy_row(d: Obj, now: float) -> list[str]:
    st = status_of(d)
    want = spec_of(d).get("replicas", 1)
    return [name_of(d), f"{st.get('readyReplicas', 0)}/{want}", str(st.get("updatedReplicas", 0)),
            str(st.get("availableReplicas", 0)), age(d, now)]


def _template_wide(obj: Obj, now: float) -> list[str]:
    template_spec = (spec_of(obj).get("template") or {}).get("spec") or {}
    return [*_containers_images(template_spec), _selector_text(spec_of(obj).get("selector"))]


def _replicas_row(obj: Obj, now: float) -> list[str]:
    st = status_of(obj)
    return [name_of(obj), str(spec_of(obj).get("replicas", 1)), str(st.get("replicas", 0)),
            str(st.get("readyReplicas", 0)), age(obj, now)]


def _sts_row(obj: Obj, now: float) -> list[str]:
    ready = f"{status_of(obj).get('readyReplicas', 0)}/{spec_of(obj).get('replicas', 1)}"
    return [name_of(obj), ready, age(obj, now)]


def _template_containers(obj: Obj, now: float) -> list[str]:
    return _containers_images((spec_of(obj).get("template") or {}).get("spec") or {})


def _ds_row(obj: Obj, now: float) -> list[str]:
    st = status_of(obj)
    node_selector = ((spec_of(obj).get("template") or {}).get("spec") or {}).get("nodeSelector") or {}
    counts = [str(st.get(key, 0)) for key in ("desiredNumberScheduled", "currentNumberScheduled",
                                              "numberReady", "updatedNumberScheduled", "numberAvailable")]
    return [name_of(obj), *counts, _selector_text(node_selector), age(obj, now)]


def _job_status(job: Obj) -> str:
    """printJob's STATUS: the first condition that holds, in kubectl's order; else Running."""
    held = {c.get("type") for c in status_of(job).get("conditions") or () if c.get("status") == "True"}
    if "Complete" in held or "Failed" in held:
        return "Complete" if "Complete" in held else "Failed"
    if (job.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    return next((t for t in ("Suspended", "FailureTarget", "SuccessCriteriaMet") if t in held), "Running")


def _job_row(job: Obj, now: float) -> list[str]:
    spec, st = spec_of(job), status_of(job)
    succeeded = st.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    else:
        parallelism = spec.get("parallelism") or 0
        completions = f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"
    start, end = parse_time(st.get("startTime")), parse_time(st.get("completionTime"))
    took = "" if start is None else human_duration((now if end is None else end) - start)
    return [name_of(job), _job_status(job), completions, took, age(job, now)]


def _cronjob_row(cj: Obj, now: float) -> list[str]:
    spec, st = spec_of(cj), status_of(cj)
    last = parse_time(st.get("lastScheduleTime"))
    suspend = "True" if spec.get("suspend") else "False"  # the API server defaults it to false
    return [name_of(cj), str(spec.get("schedule", "")), spec.get("timeZone") or "<none>", suspend,
            str(len(st.get("active") or ())), "<none>" if last is None else human_duration(now - last),
            age(cj, now)]


def _cronjob_wide(cj: Obj, now: float) -> list[str]:
    job_spec = (spec_of(cj).get("jobTemplate") or {}).get("spec") or {}
    return [*_containers_images((job_spec.get("template") or {}).get("spec") or {}),
            _selector_text(job_spec.get("selector"))]


# ---- services and endpoints ----------------------------------------------------------------------

def service_ports(svc: Obj) -> str:
    ports = []
    for p in spec_of(svc).get("ports") or []:
        text = str(p.get("port"))
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        ports.append(f"{text}/{p.get('protocol', 'TCP')}")
    return ",".join(ports) or "<none>"


def external_ip(svc: Obj) -> str:
    spec = spec_of(svc)
    kind = spec.get("type", "ClusterIP")
    if kind == "ExternalName":
        return str(spec.get("externalName", "<none>"))
    ips = [i.get("ip") or i.get("hostname") for i in
           (status_of(svc).get("loadBalancer") or {}).get("ingress") or []]
    ips += spec.get("externalIPs") or []
    if ips:
        return ",".join(str(i) for i in ips if i)
    return "<pending>" if kind == "LoadBalancer" else "<none>"


def _svc_row(svc: Obj, now: float) -> list[str]:
    spec = spec_of(svc)
    cluster_ip = spec.get("clusterIP") or "<none>"
    if spec.get("type") == "ExternalName":
        cluster_ip = "<none>"
    return [name_of(svc), spec.get("type", "ClusterIP"), cluster_ip, external_ip(svc), service_ports(svc),
            age(svc, now)]


def _svc_wide(svc: Obj, now: float) -> list[str]:
    return [_selector_text(spec_of(svc).get("selector"))]


def endpoints_text(ep: Obj, limit: int = 3) -> str:
    """`10.244.0.5:3000,10.244.1.3:3000 + 1 more...` (ready addresses only, as kubectl)."""
    items = []
    for subset in ep.get("subsets") or []:
        ports = subset.get("ports") or [{}]
        for addr in subset.get("addresses") or []:
            for port in ports:
                items.append(f"{addr.get('ip')}:{port['port']}" if port.get("port") else str(addr.get("ip")))
    if not items:
        return "<none>"
    text = ",".join(items[:limit])
    return text + (f" + {len(items) - limit} more..." if len(items) > limit else "")


def _ep_row(ep: Obj, now: float) -> list[str]:
    return [name_of(ep), endpoints_text(ep), age(ep, now)]


# ---- nodes, namespaces, config ----------------------------------------------------------------------

def node_status(node: Obj) -> str:
    ready = next((c for c in status_of(node).get("conditions") or [] if c.get("type") == "Ready"), None)
    text = "Ready" if ready and ready.get("status") == "True" else ("NotReady" if ready else "Unknown")
    if spec_of(node).get("unschedulable"):
        text += ",SchedulingDisabled"
    return text


def node_roles(node: Obj) -> str:
    labels = (node.get("metadata") or {}).get("labels") or {}
    prefix = "node-role.kubernetes.io/"
    roles = sorted(k[len(prefix):] for k in labels if k.startswith(prefix))
    return ",".join(r for r in roles if r) or "<none>"


def _node_row(node: Obj, now: float) -> list[str]:
    info = status_of(node).get("nodeInfo") or {}
    return [name_of(node), node_status(node), node_roles(node), age(node, now),
            info.get("kubeletVersion", "")]


def _node_wide(node: Obj, now: float) -> list[str]:
    addrs = {a.get("type"): a.get("address") for a in status_of(node).get("addresses") or []}
    info = status_of(node).get("nodeInfo") or {}
    return [addrs.get("InternalIP", "<none>"), addrs.get("ExternalIP", "<none>"),
            info.get("osImage", "<unknown>"), info.get("kernelVersion", "<unknown>"),
            info.get("containerRuntimeVersion", "<unknown>")]


def _ns_row(ns: Obj, now: float) -> list[str]:
    return [name_of(ns), status_of(ns).get("phase", "Active"), age(ns, now)]


def _data_row(obj: Obj, now: float) -> list[str]:
    count = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [name_of(obj), str(count), age(obj, now)]


def _secret_row(obj: Obj, now: float) -> list[str]:
    count = len(obj.get("data") or {}) + len(obj.get("stringData") or {})
    return [name_of(obj), str(obj.get("type", "Opaque")), str(count), age(obj, now)]


def _sa_row(obj: Obj, now: float) -> list[str]:
    return [name_of(obj), str(len(obj.get("secrets") or [])), age(obj, now)]


def event_object(ev: Obj) -> str:
    inv = ev.get("involvedObject") or ev.get("regarding") or {}
    return f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}"


def event_last_seen(ev: Obj, now: float) -> str:
    when = parse_time(ev.get("lastTimestamp") or ev.get("eventTime") or
                      (ev.get("metadata") or {}).get("creationTimestamp"))
    return "<unknown>" if when is None else human_duration(now - when)


def _event_row(ev: Obj, now: float) -> list[str]:
    return [event_last_seen(ev, now), str(ev.get("type", "")), str(ev.get("reason", "")), event_object(ev),
            str(ev.get("message", "")).strip()]


def _generic_row(obj: Obj, now: float) -> list[str]:
    return [name_of(obj), age(obj, now)]


_TEMPLATE_WIDE = ("CONTAINERS", "IMAGES", "SELECTOR")

COLUMNS: dict[str, Columns] = {
    "Pod": Columns(("NAME", "READY", "STATUS", "RESTARTS", "AGE"), _pod_row,
                   ("IP", "NODE", "NOMINATED NODE", "READINESS GATES"), _pod_wide),
    "Deployment": Columns(("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"), _deploy_row,
                          _TEMPLATE_WIDE, _template_wide),
    "ReplicaSet": Columns(("NAME", "DESIRED", "CURRENT", "READY", "AGE"), _replicas_row,
                          _TEMPLATE_WIDE, _template_wide),
    "ReplicationController": Columns(("NAME", "DESIRED", "CURRENT", "READY", "AGE"), _replicas_row,
                                     _TEMPLATE_WIDE, _template_wide),
    "StatefulSet": Columns(("NAME", "READY", "AGE"), _sts_row, ("CONTAINERS", "IMAGES"),
                           _template_containers),
    "DaemonSet": Columns(("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR",
                          "AGE"), _ds_row, _TEMPLATE_WIDE, _template_wide),
    "Job": Columns(("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"), _job_row, _TEMPLATE_WIDE,
                   _template_wide),
    "CronJob": Columns(("NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"),
                       _cronjob_row, _TEMPLATE_WIDE, _cronjob_wide),
    "Service": Columns(("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), _svc_row,
                       ("SELECTOR",), _svc_wide),
    "Endpoints": Columns(("NAME", "ENDPOINTS", "AGE"), _ep_row),
    "Node": Columns(("NAME", "STATUS", "ROLES", "AGE", "VERSION"), _node_row,
                    ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"),
                    _node_wide),
    "Namespace": Columns(("NAME", "STATUS", "AGE"), _ns_row),
    "ConfigMap": Columns(("NAME", "DATA", "AGE"), _data_row),
    "Secret": Columns(("NAME", "TYPE", "DATA", "AGE"), _secret_row),
    "ServiceAccount": Columns(("NAME", "SECRETS", "AGE"), _sa_row),
    "Event": Columns(("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), _event_row),
}
GENERIC = Columns(("NAME", "AGE"), _generic_row)


def _created_row(obj: Obj, now: float) -> list[str]:
    return [name_of(obj), str((obj.get("metadata") or {}).get("creationTimestamp", ""))]


# The API server's default table, for kinds without a printer of their own (a CRD, a Role).
CREATED_AT = Columns(("NAME", "CREATED AT"), _created_row)


def columns_for(kind: str) -> Columns:
    """The kind's table: its own columns, the server's default table (the registry's `printer`
    says which kinds have one), else NAME and AGE."""
    found = COLUMNS.get(kind)
    if found is not None:
        return found
    from kapply.model.columns_more import MORE_COLUMNS
    from kapply.model.kinds import REGISTRY

    found = MORE_COLUMNS.get(kind)
    if found is not None:
        return found
    info = REGISTRY.by_kind(kind)
    return CREATED_AT if info is not None and info.printer == "default" else GENERIC
