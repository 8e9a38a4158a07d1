"""The Endpoints controller (pkg/controller/endpoint): one Endpoints per selecting Service.

For a Service with a selector it keeps an Endpoints object of the same name whose subsets list the
matching pods (`endpointsubsets.compute_subsets`): ready ones in `addresses`, the others in
`notReadyAddresses`. A Service without a selector gets no managed Endpoints (the user's own are left
alone); an ExternalName Service gets none; deleting the Service deletes its Endpoints.

Work-queue keys: `namespace/name` for a Service, and `pods:<namespace>/<k=v,k=v>` (the pod's labels)
for pod changes, so that the many changes of one ReplicaSet's pods (same labels) collapse into one
key; its sync finds the Services of that namespace selecting those labels (a per-session index of
selectors by their first label pair, dropped for a namespace whenever one of its Services changes)
and syncs each of them. Pod changes that cannot move an Endpoints (most kubelet status updates)
wake nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context, Obj, ns_key, split_key
from kapply.cluster.sim.helpers.endpointsubsets import (
    OVER_CAPACITY,
    compute_subsets,
    endpoints_labels,
    truncate,
)
from kapply.cluster.sim.helpers.podutil import is_pod_ready
from kapply.model.jsoncopy import deep_copy
from kapply.model.selectors import from_match_labels

POD_KEY_PREFIX = "pods:"


def _pod_view(pod: Obj) -> tuple[Any, ...]:
    """What of a pod the Endpoints depend on; equal views -> the change is irrelevant.

    (Container ports are left out: a pod's containers cannot change.)
    """
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    ready = None
    for condition in status.get("conditions") or ():
        if condition.get("type") == "Ready":
            ready = condition.get("status")
            break
    return (meta.get("labels"), meta.get("deletionTimestamp"), status.get("podIP"), status.get("phase"),
            ready, spec.get("nodeName"), spec.get("hostname"), spec.get("subdomain"))


def pod_key(namespace: str, labels: dict[str, str] | None) -> str:
    """The work-queue key standing for 'pods with these labels changed in this namespace'.

    Label keys and values cannot hold `,` or `=`, so `k=v,k=v` is unambiguous.
    """
    return f"{POD_KEY_PREFIX}{namespace}/" + ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items()))


def parse_pod_key(key: str) -> tuple[str, dict[str, str]]:
    """(namespace, labels) of a `pod_key`."""
    namespace, _, raw = key[len(POD_KEY_PREFIX):].partition("/")
    return namespace, dict(pair.split("=", 1) for pair in raw.split(",") if pair)


Selectors = dict[tuple[str, str], list[tuple[str, dict[str, str]]]]


class EndpointsController:
    name = "endpoints"

    def __init__(self) -> None:
        self._selectors: dict[str, Selectors] = {}  # namespace -> first (key, value) -> (name, selector)

    def watches(self, change: Change) -> Iterable[str]:
        """Services wake themselves, pods the Services selecting them, a deleted Endpoints its Service."""
        if change.kind == "Service":
            self._selectors.pop(change.namespace, None)
            return [ns_key(change.obj)]
        if change.kind == "Endpoints":
            return [ns_key(change.obj)] if change.type == "DELETED" else []
        if change.kind != "Pod":
            return []
        labels = change.obj["metadata"].get("labels") or {}
        old_labels = (change.old["metadata"].get("labels") or {}) if change.old is not None else labels
        wanted = [ls for ls in ((labels,) if old_labels == labels else (labels, old_labels))
                  if self._may_select(change.namespace, ls)]
        if not wanted or (change.type == "MODIFIED" and change.old is not None
                          and _pod_view(change.obj) == _pod_view(change.old)):
            return []
        return [pod_key(change.namespace, ls) for ls in wanted]

    def _may_select(self, namespace: str, labels: dict[str, str]) -> bool:
        """False only when the namespace's selector index is known and no selector can match."""
        index = self._selectors.get(namespace)
        if index is None:
            return True
        return any(pair in index for pair in labels.items())

    def sync(self, ctx: Context, key: str) -> None:
        """Sync one Service, or every Service selecting a pod key's labels."""
        if key.startswith(POD_KEY_PREFIX):
            namespace, labels = parse_pod_key(key)
            index = self._selector_index(ctx, namespace)
            for pair in labels.items():
                for name, selector in index.get(pair, ()):
                    if all(labels.get(k) == v for k, v in selector.items()):
                        service = ctx.get("Service", namespace, name)
                        if service is not None:
                            self.sync_service(ctx, service)
            return
        namespace, name = split_key(key)
        service = ctx.get("Service", namespace, name)
        if service is None:
            if ctx.get("Endpoints", namespace, name) is not None:
                ctx.delete("Endpoints", namespace, name)
            return
        self.sync_service(ctx, service)

    def _selector_index(self, ctx: Context, namespace: str) -> Selectors:
        """The namespace's Service selectors, each filed under its first (key, value) pair."""
        index = self._selectors.get(namespace)
        if index is None:
            index = {}
            for service in ctx.list("Service", namespace):
                selector = (service.get("spec") or {}).get("selector")
                if selector:
                    first = min(selector.items())
                    index.setdefault(first, []).append((service["metadata"]["name"], dict(selector)))
            self._selectors[namespace] = index
        return index

    def sync_service(self, ctx: Context, service: Obj) -> None:
        """Bring the Service's Endpoints in line with its pods (no write when nothing changed)."""
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            return
        meta = service["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        pods = ctx.list("Pod", namespace, selector=from_match_labels(spec["selector"]))
        subsets = compute_subsets(service, pods, is_pod_ready)
        truncated = truncate(subsets)
        labels = endpoints_labels(service)
        current = ctx.get("Endpoints", namespace, name)
        if current is None:
            endpoints: Obj = {"apiVersion": "v1", "kind": "Endpoints",
                              "metadata": {"name": name, "namespace": namespace}}
            _set(endpoints["metadata"], "labels", labels)
            _set(endpoints["metadata"], "annotations", {OVER_CAPACITY: "truncated"} if truncated else {})
            _set(endpoints, "subsets", subsets)
            ctx.create(endpoints)
            return
        meta = current.get("metadata", {})
        annotations = dict(meta.get("annotations") or {})
        if truncated:
            annotations[OVER_CAPACITY] = "truncated"
        else:
            annotations.pop(OVER_CAPACITY, None)
        if (current.get("subsets") or []) == subsets and (meta.get("labels") or {}) == labels and \
                (meta.get("annotations") or {}) == annotations:
            return
        updated = deep_copy(current)
        _set(updated["metadata"], "labels", labels)
        _set(updated["metadata"], "annotations", annotations)
        _set(updated, "subsets", subsets)
        ctx.update(updated)


def _set(obj: Obj, key: str, value: Any) -> None:
    """Set a field, or drop it when empty (as Go's omitempty serialises it)."""
    if value:
        obj[key] = value
    else:
        obj.pop(key, None)
