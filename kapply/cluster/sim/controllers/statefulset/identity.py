"""A StatefulSet pod's identity and storage, as pure functions (stateful_set_utils.go).

Pod `web-2` is ordinal 2 of set `web`: hostname `web-2`, subdomain the set's serviceName, labels
`statefulset.kubernetes.io/pod-name: web-2` and `apps.kubernetes.io/pod-index: "2"`, and one
volume per volumeClaimTemplate pointing at the claim `<template>-<set>-<ordinal>` (`data-web-2`).
Ordinals run from `spec.ordinals.start` (default 0) for `replicas` pods. The claim retention
policy decides the claims' ownerReferences: whenDeleted=Delete makes the set an owner (the
garbage collector deletes the claim with the set), whenScaled=Delete makes the condemned pod one.
"""

from __future__ import annotations

import re
from typing import Any

from kapply.cluster.sim.controllers.base import Obj
from kapply.cluster.sim.helpers.history import HASH_LABEL
from kapply.cluster.sim.helpers.podtemplate import pod_from_template
from kapply.cluster.sim.helpers.podutil import is_pod_available, is_pod_ready, is_terminating
from kapply.model.intstr import scaled_value
from kapply.model.jsoncopy import deep_copy

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")


def parent_and_ordinal(pod: Obj) -> tuple[str, int]:
    """getParentNameAndOrdinal: ("web", 2) for web-2; ("", -1) when the name has no ordinal."""
    match = _ORDINAL.match(pod["metadata"].get("name", ""))
    if match is None:
        return "", -1
    return match.group(1), int(match.group(2))


def ordinal(pod: Obj) -> int:
    return parent_and_ordinal(pod)[1]


def replicas(sts: Obj) -> int:
    value = (sts.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def start_ordinal(sts: Obj) -> int:
    return int(((sts.get("spec") or {}).get("ordinals") or {}).get("start") or 0)


def end_ordinal(sts: Obj) -> int:
    return start_ordinal(sts) + replicas(sts) - 1


def in_ordinal_range(pod: Obj, sts: Obj) -> bool:
    return start_ordinal(sts) <= ordinal(pod) <= end_ordinal(sts)


def pod_name(sts: Obj, index: int) -> str:
    return f"{sts['metadata']['name']}-{index}"


def claim_name(sts: Obj, template: Obj, index: int) -> str:
    """getPersistentVolumeClaimName: `data-web-0`."""
    return f"{(template.get('metadata') or {}).get('name', '')}-{sts['metadata']['name']}-{index}"


def is_member_of(sts: Obj, pod: Obj) -> bool:
    return parent_and_ordinal(pod)[0] == sts["metadata"]["name"]


def claim_templates(sts: Obj) -> list[Obj]:
    return list((sts.get("spec") or {}).get("volumeClaimTemplates") or ())


def identity_matches(sts: Obj, pod: Obj) -> bool:
    parent, index = parent_and_ordinal(pod)
    labels = pod["metadata"].get("labels") or {}
    return (index >= 0 and parent == sts["metadata"]["name"]
            and pod["metadata"]["name"] == pod_name(sts, index)
            and pod["metadata"].get("namespace") == sts["metadata"].get("namespace")
            and labels.get(POD_NAME_LABEL) == pod["metadata"]["name"]
            and labels.get(POD_INDEX_LABEL) == str(index))


def storage_matches(sts: Obj, pod: Obj) -> bool:
    index = ordinal(pod)
    if index < 0:
        return False
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or ()}
    for template in claim_templates(sts):
        volume = volumes.get((template.get("metadata") or {}).get("name"))
        claim = (volume or {}).get("persistentVolumeClaim") or {}
        if claim.get("claimName") != claim_name(sts, template, index):
            return False
    return True


def update_identity(sts: Obj, pod: Obj) -> None:
    """updateIdentity: name, namespace and the two identity labels (pod mutated in place)."""
    index = ordinal(pod)
    pod["metadata"]["name"] = pod_name(sts, index)
    pod["metadata"]["namespace"] = sts["metadata"].get("namespace", "")
    labels = pod["metadata"].setdefault("labels", {})
    labels[POD_NAME_LABEL] = pod["metadata"]["name"]
    labels[POD_INDEX_LABEL] = str(index)


def update_storage(sts: Obj, pod: Obj) -> None:
    """updateStorage: a volume per claim template, replacing a template volume of the same name."""
    templates = claim_templates(sts)
    if not templates:
        return
    index = ordinal(pod)
    names = {(t.get("metadata") or {}).get("name") for t in templates}
    spec = pod.setdefault("spec", {})
    volumes = [v for v in spec.get("volumes") or () if v.get("name") not in names]
    for template in templates:
        name = (template.get("metadata") or {}).get("name")
        claim = {"claimName": claim_name(sts, template, index)}
        volumes.append({"name": name, "persistentVolumeClaim": claim})
    spec["volumes"] = volumes


def new_pod(sts: Obj, template: Obj, index: int, revision: str) -> Obj:
    """newStatefulSetPod at a revision: the template, the identity (hostname, subdomain), storage."""
    pod = pod_from_template(sts, template, labels={HASH_LABEL: revision})
    pod["metadata"]["name"] = pod_name(sts, index)
    update_identity(sts, pod)
    pod["spec"]["hostname"] = pod["metadata"]["name"]
    service = (sts.get("spec") or {}).get("serviceName")
    if service:
        pod["spec"]["subdomain"] = service
    update_storage(sts, pod)
    return pod


def claims_for(sts: Obj, pod: Obj) -> list[Obj]:
    """getPersistentVolumeClaims: the claims the pod's ordinal needs, labelled with the selector."""
    index = ordinal(pod)
    match_labels = ((sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    claims = []
    for template in claim_templates(sts):
        claim = deep_copy(template)
        claim.setdefault("apiVersion", "v1")
        claim["kind"] = "PersistentVolumeClaim"
        meta = claim.setdefault("metadata", {})
        meta["name"] = claim_name(sts, template, index)
        meta["namespace"] = sts["metadata"].get("namespace", "")
        meta["labels"] = {**(meta.get("labels") or {}), **match_labels}
        claim.pop("status", None)
        claims.append(claim)
    return claims


def _ref(owner: Obj, api_version: str, kind: str) -> dict[str, Any]:
    meta = owner["metadata"]
    return {"apiVersion": api_version, "kind": kind, "name": meta["name"], "uid": meta.get("uid", "")}


def retention_owner_refs(sts: Obj, pod: Obj | None, claim: Obj) -> list[dict[str, Any]]:
    """The claim's ownerReferences as updateClaimOwnerRefForSetAndPod leaves them."""
    policy = (sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
    when_deleted = policy.get("whenDeleted") or "Retain"
    when_scaled = policy.get("whenScaled") or "Retain"
    set_uid = sts["metadata"].get("uid")
    pod_uid = (pod or {}).get("metadata", {}).get("uid")
    refs = [r for r in claim["metadata"].get("ownerReferences") or ()
            if r.get("uid") not in (set_uid, pod_uid)]
    scaled_down = pod is not None and not in_ordinal_range(pod, sts)
    want_set = when_deleted == "Delete" and not (when_scaled == "Delete" and scaled_down)
    want_pod = when_scaled == "Delete" and scaled_down
    if want_set:
        refs.append(_ref(sts, "apps/v1", "StatefulSet"))
    if want_pod and pod is not None and pod_uid:
        refs.append(_ref(pod, "v1", "Pod"))
    return refs


def has_stale_pod_ref(claim: Obj, pod: Obj) -> bool:
    """PodClaimIsStale: the claim names an earlier pod of this name (the collector will take it)."""
    uid = pod["metadata"].get("uid")
    return any(r.get("kind") == "Pod" and r.get("name") == pod["metadata"]["name"] and r.get("uid") != uid
               for r in claim["metadata"].get("ownerReferences") or ())


# --- health (isRunningAndReady, isRunningAndAvailable, isHealthy, isUnavailable) -------------

def is_created(pod: Obj) -> bool:
    return bool((pod.get("status") or {}).get("phase"))


def phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def running_and_ready(pod: Obj) -> bool:
    return phase(pod) == "Running" and is_pod_ready(pod)


def running_and_available(pod: Obj, min_ready: int, now: float) -> bool:
    return phase(pod) == "Running" and is_pod_available(pod, min_ready, now)


def is_unavailable(pod: Obj, min_ready: int, now: float) -> bool:
    healthy = running_and_ready(pod) and not is_terminating(pod)
    return not healthy or not is_pod_available(pod, min_ready, now)


def pod_revision(pod: Obj) -> str:
    return str((pod["metadata"].get("labels") or {}).get(HASH_LABEL, ""))


def max_unavailable(sts: Obj) -> int:
    """getStatefulSetMaxUnavailable: int or percent of replicas (rounded down), at least 1."""
    rolling = ((sts.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate") or {}
    value = rolling.get("maxUnavailable")
    try:
        resolved = scaled_value(1 if value is None else value, replicas(sts), round_up=False)
    except ValueError:
        resolved = 1
    return max(resolved, 1)
