"""Node and image operations of the embedded cluster (`kapply node ...`, `kapply image ...`).

Everything goes through the API in one session per command, so controllers react at once and
in order: cordon sets `spec.unschedulable`; `fail` sets the annotation `kapply.io/heartbeat-stopped`
to the virtual time of the last heartbeat and `recover` removes it (the node lifecycle controller
does the rest); drain cordons and evicts as `kubectl drain` does (its filters: DaemonSet pods need
--ignore-daemonsets, pods without a controller need --force, mirror pods are skipped). Image
faults are the cluster setting `image_faults` (normalized image -> {"reason": ...}), read by the
kubelet at the next pull or container start; run settings are `image_runs` (normalized image ->
{"duration", "exitCode", "since"}), followed by containers started from then on. The CLI only
prints what these return.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.controllers.base import controller_of
from kapply.cluster.sim.helpers.containerrun import normalize_image
from kapply.cluster.sim.nodes import HEARTBEAT_ANNOTATION, MAX_NODES, make_node, node_index, rfc3339
from kapply.cluster.sim.settings import ClusterSettings
from kapply.errors import TooManyRequestsError, UsageError
from kapply.model.durations import go_duration
from kapply.model.quantity import QuantityError, millicores, to_bytes

Obj = dict[str, Any]
FAULT_REASONS = ("ErrImagePull", "CrashLoopBackOff")
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods"
UNMANAGED_FATAL = "Pods declare no controller (use --force to override)"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_WARNING = "deleting Pods that declare no controller"


def add_node(cluster: SimCluster, cpu: str | None = None, memory: str | None = None,
             pods: int | None = None) -> Obj:
    """Register the next minikube-mNN node (size defaults to the cluster settings)."""
    for flag, text, amount in (("--cpu", cpu, millicores), ("--memory", memory, to_bytes)):
        if text is None:
            continue
        try:
            positive = amount(text) > 0
        except QuantityError as exc:
            raise UsageError(f"invalid {flag} {text!r}: {exc}") from None
        if not positive:
            raise UsageError(f"invalid {flag} {text!r}: must be greater than 0")
    if pods is not None and pods < 1:
        raise UsageError(f"invalid --pods {pods}: must be at least 1")
    with cluster.session() as rt:
        nodes = rt.api.list("Node")
        if len(nodes) >= MAX_NODES:
            raise UsageError(f"cannot add a node: the cluster has {len(nodes)}, the most Kubernetes supports "
                             f"is {MAX_NODES:,}")
        taken = [node_index(n["metadata"]["name"]) for n in nodes]
        index = max((i for i in taken if i is not None), default=-1) + 1
        node = make_node(rt.api.settings, index, cpu=cpu, memory=memory, pods=pods, now=rt.now)
        return copy.deepcopy(rt.api.create(node, validate=False))


def _edit_node(cluster: SimCluster, name: str, edit: Any) -> bool:
    """Apply `edit(node) -> bool changed` to a copy of the node and store it; returns changed."""
    with cluster.session() as rt:
        node = copy.deepcopy(rt.api.read("Node", "", name))
        if not edit(node, rt.now):
            return False
        rt.api.update(node, validate=False)
        return True


def set_unschedulable(cluster: SimCluster, name: str, value: bool) -> bool:
    """cordon (True) / uncordon (False); False when the node already was so."""
    def edit(node: Obj, now: float) -> bool:
        if bool(node["spec"].get("unschedulable")) == value:
            return False
        if value:
            node["spec"]["unschedulable"] = True
        else:
            node["spec"].pop("unschedulable", None)
        return True
    return _edit_node(cluster, name, edit)


def fail_node(cluster: SimCluster, name: str) -> bool:
    """Stop the node's kubelet (heartbeats); False if it already was stopped."""
    def edit(node: Obj, now: float) -> bool:
        annotations = node["metadata"].setdefault("annotations", {})
        if HEARTBEAT_ANNOTATION in annotations:
            return False
        annotations[HEARTBEAT_ANNOTATION] = rfc3339(now)
        return True
    return _edit_node(cluster, name, edit)


def recover_node(cluster: SimCluster, name: str) -> bool:
    """Restart the node's kubelet; False if it was running."""
    def edit(node: Obj, now: float) -> bool:
        annotations = node["metadata"].get("annotations") or {}
        if HEARTBEAT_ANNOTATION not in annotations:
            return False
        del annotations[HEARTBEAT_ANNOTATION]
        return True
    return _edit_node(cluster, name, edit)


@dataclass
class DrainPlan:
    """What drain does with the pods of a node, as kubectl's drain filters decide."""

    evict: list[Obj] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)  # message -> ns/name
    errors: dict[str, list[str]] = field(default_factory=dict)
    evicted: list[Obj] = field(default_factory=list)  # what the first round evicted
    refused: list[tuple[Obj, str]] = field(default_factory=list)  # (pod, why) a budget refused (429)

    def error_lines(self) -> list[str]:
        return [f"cannot delete {msg}: {', '.join(pods)}" for msg, pods in self.errors.items()]

    def warning_line(self) -> str:
        return "; ".join(f"{msg}: {', '.join(pods)}" for msg, pods in self.warnings.items())


def plan_drain(pods: list[Obj], ignore_daemonsets: bool, force: bool,
               delete_emptydir_data: bool = False) -> DrainPlan:
    """kubectl drain's pod filters (mirror, DaemonSet, local storage, unmanaged), in its order."""
    plan = DrainPlan()
    for pod in pods:
        meta = pod["metadata"]
        ref = f"{meta.get('namespace', '')}/{meta['name']}"
        if MIRROR_ANNOTATION in (meta.get("annotations") or {}):
            continue
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            plan.evict.append(pod)
            continue
        owner = controller_of(pod)
        if owner is not None and owner.get("kind") == "DaemonSet":
            bucket = plan.warnings if ignore_daemonsets else plan.errors
            bucket.setdefault(DAEMONSET_WARNING if ignore_daemonsets else DAEMONSET_FATAL, []).append(ref)
            continue
        if any("emptyDir" in (v or {}) for v in (pod.get("spec") or {}).get("volumes") or ()):
            if not delete_emptydir_data:
                plan.errors.setdefault(LOCAL_STORAGE_FATAL, []).append(ref)
                continue
            plan.warnings.setdefault(LOCAL_STORAGE_WARNING, []).append(ref)
        if owner is None:
            if not force:
                plan.errors.setdefault(UNMANAGED_FATAL, []).append(ref)
                continue
            plan.warnings.setdefault(UNMANAGED_WARNING, []).append(ref)
        plan.evict.append(pod)
    return plan


def drain_node(cluster: SimCluster, name: str, ignore_daemonsets: bool = False,
               force: bool = False, delete_emptydir_data: bool = False) -> tuple[bool, DrainPlan]:
    """Cordon, then evict the node's pods unless a filter refuses; (newly cordoned, plan)."""
    with cluster.session() as rt:
        node = copy.deepcopy(rt.api.read("Node", "", name))
        cordoned = not node["spec"].get("unschedulable")
        if cordoned:
            node["spec"]["unschedulable"] = True
            rt.api.update(node, validate=False)
        pods = [p for p in rt.api.list("Pod", node=name) if not p["metadata"].get("deletionTimestamp")]
        plan = plan_drain(pods, ignore_daemonsets, force, delete_emptydir_data)
        if not plan.errors:
            for pod in plan.evict:
                why = _evict(rt.api, pod)
                if why is None:
                    plan.evicted.append(pod)
                else:
                    plan.refused.append((pod, why))
        return cordoned, plan


def _evict(api: Any, pod: Obj) -> str | None:
    """Evict through the eviction subresource's checks; the refusal's message, None when evicted."""
    from kapply.cluster.sim.eviction import evict

    try:
        evict(api, pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
    except TooManyRequestsError as exc:
        return str(exc)
    return None


RETRY_SECONDS = 5.0  # kubectl drain retries a refused eviction after 5 s


def retry_evictions(cluster: SimCluster, pods: list[Obj], timeout: float = 0.0
                    ) -> Iterator[tuple[str, Obj, str]]:
    """kubectl drain's retries of the evictions a disruption budget refused: every 5 s of cluster
    time (the clock moves on, replacements become ready) each pod is tried again. Yields
    ("evicting", pod, ""), then ("evicted", pod, "") or ("refused", pod, why); a pod still refused
    when `timeout` (0: none) has passed ends with ("timeout", pod, ...), or ("stuck", pod, why)
    when nothing pending in the cluster can change its budget any more (kubectl would wait for
    ever)."""
    start = cluster.now()
    pending = list(pods)
    while pending:
        if timeout and cluster.now() - start >= timeout:
            for pod in pending:
                yield "timeout", pod, f"global timeout reached: {go_duration(timeout)}"
            return
        if cluster.next_due() is None:
            for pod in pending:
                yield "stuck", pod, ""
            return
        cluster.advance(RETRY_SECONDS)
        still = []
        for pod in pending:
            yield "evicting", pod, ""
            with cluster.session() as rt:
                why = _evict(rt.api, pod)
            if why is None:
                yield "evicted", pod, ""
            else:
                still.append(pod)
                yield "refused", pod, why
        pending = still


def _settings(cluster: SimCluster) -> ClusterSettings:
    """The settings as stored now (another process may have changed them)."""
    return ClusterSettings.from_dict(cluster.store.meta()["settings"])


def set_image_fault(cluster: SimCluster, image: str, reason: str | None) -> tuple[str, bool]:
    """Make pods of `image` fail (reason) or work again (None); (normalized image, changed)."""
    if reason is not None and reason not in FAULT_REASONS:
        raise UsageError(f"invalid --reason {reason!r}: must be one of {', '.join(FAULT_REASONS)}")
    if not image.strip():
        raise UsageError("an image name is required")
    key = normalize_image(image)
    faults = dict(_settings(cluster).image_faults or {})
    if reason is None:
        if key not in faults:
            return key, False
        del faults[key]
    else:
        if (faults.get(key) or {}).get("reason") == reason:
            return key, False
        faults[key] = {"reason": reason}
    cluster.update_settings(image_faults=faults)
    return key, True


MAX_EXIT_CODE = 255


def set_image_run(cluster: SimCluster, image: str, duration: float | None,
                  exit_code: int = 0) -> tuple[str, bool]:
    """Containers of `image` started from now on exit with `exit_code` after `duration` seconds
    (None: clear the setting, they run until stopped); (normalized image, changed)."""
    if not image.strip():
        raise UsageError("an image name is required")
    if duration is not None and duration < 0:
        raise UsageError(f"invalid --duration: must be 0s or more, not {duration:g}s")
    if not 0 <= exit_code <= MAX_EXIT_CODE:
        raise UsageError(f"invalid --exit-code {exit_code}: must be between 0 and {MAX_EXIT_CODE}")
    key = normalize_image(image)
    runs = dict(_settings(cluster).image_runs or {})
    if duration is None:
        if key not in runs:
            return key, False
        del runs[key]
    else:
        current = runs.get(key) or {}
        if current.get("duration") == duration and current.get("exitCode") == exit_code:
            return key, False
        runs[key] = {"duration": duration, "exitCode": exit_code, "since": cluster.now()}
    cluster.update_settings(image_runs=runs)
    return key, True


def image_runs(cluster: SimCluster) -> list[tuple[str, float, int]]:
    """(image, duration, exit code) of every run setting, sorted by image."""
    runs = _settings(cluster).image_runs or {}
    return [(image, float(runs[image].get("duration", 0)), int(runs[image].get("exitCode", 0)))
            for image in sorted(runs)]


def image_faults(cluster: SimCluster) -> list[tuple[str, str, int]]:
    """(image, reason, pods using it) for every injected fault, sorted by image."""
    faults = _settings(cluster).image_faults or {}
    users: dict[str, int] = dict.fromkeys(faults, 0)
    for pod in cluster.list("Pod"):
        for container in (pod.get("spec") or {}).get("containers") or ():
            key = normalize_image(str(container.get("image", "")))
            if key in users:
                users[key] += 1
                break
    return [(image, str(faults[image].get("reason", "")), users[image]) for image in sorted(faults)]
