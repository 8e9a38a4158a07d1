"""`describe deployment | replicaset | replicationcontroller | statefulset | daemonset`, as kubectl.

Deployments list their ReplicaSets the way kubectl's GetAllReplicaSetsInChunks finds them: the
new one is the oldest ReplicaSet whose pod template equals the Deployment's (ignoring the
pod-template-hash label); old ones are all the other owned ReplicaSets, oldest first, including
those scaled to zero (`hello-node-5f76cf6ccf (0/0 replicas created)`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from kapply.cli.printers.describe.pods import describe_pod_template, pod_phase_counts
from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    controller_of,
    describe_events,
    format_label_selector,
    format_labels,
    labels_multiline,
    meta,
    quantity_text,
    rfc1123z,
)

HASH_LABEL = "pod-template-hash"


def _owned(objs: Sequence[Obj], owner: Obj) -> list[Obj]:
    uid = meta(owner).get("uid")
    return [o for o in objs if any(r.get("controller") and r.get("uid") == uid
                                   for r in meta(o).get("ownerReferences") or ())]


def _without_hash(template: Obj | None) -> Obj:
    out = copy.deepcopy(template or {})
    labels = (out.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
    return out


def split_replica_sets(deploy: Obj, replica_sets: Sequence[Obj]) -> tuple[list[Obj], Obj | None]:
    """(all old ReplicaSets, oldest first; the new ReplicaSet or None) of a Deployment."""
    owned = sorted(_owned(replica_sets, deploy),
                   key=lambda rs: (str(meta(rs).get("creationTimestamp") or ""), meta(rs).get("name", "")))
    want = _without_hash((deploy.get("spec") or {}).get("template"))
    new = next((rs for rs in owned if _without_hash((rs.get("spec") or {}).get("template")) == want), None)
    old = [rs for rs in owned if rs is not new]
    return old, new


def _rs_list(replica_sets: Sequence[Obj]) -> str:
    text = ", ".join(f"{meta(rs).get('name', '')} ({int((rs.get('status') or {}).get('replicas') or 0)}/"
                     f"{int((rs.get('spec') or {}).get('replicas', 1))} replicas created)"
                     for rs in replica_sets)
    return text or "<none>"


def _conditions(w: PrefixWriter, conditions: Sequence[Obj] | None) -> None:
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def _replicas_and_pods(w: PrefixWriter, obj: Obj, related: Mapping[str, Sequence[Obj]]) -> None:
    current, desired = int((obj.get("status") or {}).get("replicas") or 0), int((obj.get("spec") or {}).get(
        "replicas", 1))
    w.write(0, f"Replicas:\t{current} current / {desired} desired\n")
    counts = pod_phase_counts(_owned(related.get("Pod") or (), obj))
    w.write(0, "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n".format(*counts))


def describe_deployment(deploy: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                        now: float) -> str:
    """kubectl describe deployment."""
    w = PrefixWriter()
    md, spec, status = meta(deploy), deploy.get("spec") or {}, deploy.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    selector = format_label_selector(spec.get("selector"))
    w.write(0, f"Selector:\t{'' if selector == '<none>' else selector}\n")
    counts = [int(spec.get("replicas", 1))] + [int(status.get(key) or 0) for key in (
        "updatedReplicas", "replicas", "availableReplicas", "unavailableReplicas")]
    w.write(0, "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n"
            .format(*counts))
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', 'RollingUpdate')}\n")
    w.write(0, f"MinReadySeconds:\t{int(spec.get('minReadySeconds') or 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(0, f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', '25%')} max unavailable, "
                   f"{rolling.get('maxSurge', '25%')} max surge\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    old, new = split_replica_sets(deploy, related.get("ReplicaSet") or ())
    if old or new is not None:  # kubectl lists only the old ReplicaSets that still have replicas
        scaled = [rs for rs in old if int((rs.get("spec") or {}).get("replicas", 1)) != 0]
        w.write(0, f"OldReplicaSets:\t{_rs_list(scaled)}\n")
        w.write(0, f"NewReplicaSet:\t{_rs_list([new] if new is not None else [])}\n")
    describe_events(w, events, now)
    return w.render()


def describe_replica_set(rs: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                         now: float) -> str:
    """kubectl describe replicaset."""
    w = PrefixWriter()
    md, spec, status = meta(rs), rs.get("spec") or {}, rs.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if controlled := controller_of(rs):
        w.write(0, f"Controlled By:\t{controlled}\n")
    _replicas_and_pods(w, rs, related)
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    describe_events(w, events, now)
    return w.render()


def describe_replication_controller(rc: Obj, related: Mapping[str, Sequence[Obj]],
                                    events: Sequence[Obj] | None, now: float) -> str:
    """kubectl describe replicationcontroller."""
    w = PrefixWriter()
    md, spec, status = meta(rc), rc.get("spec") or {}, rc.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    _replicas_and_pods(w, rc, related)
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    describe_events(w, events, now)
    return w.render()


def describe_stateful_set(sts: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                          now: float) -> str:
    """kubectl describe statefulset."""
    w = PrefixWriter()
    md, spec, status = meta(sts), sts.get("spec") or {}, sts.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    selector = format_label_selector(spec.get("selector"))
    w.write(0, f"Selector:\t{'' if selector == '<none>' else selector}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    desired, total = int(spec.get("replicas", 1)), int(status.get("replicas") or 0)
    w.write(0, f"Replicas:\t{desired} desired | {total} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', 'RollingUpdate')}\n")
    rolling = strategy.get("rollingUpdate") or {}
    if rolling.get("partition") is not None:
        w.write(1, f"Partition:\t{int(rolling['partition'])}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    counts = pod_phase_counts(_owned(related.get("Pod") or (), sts))
    w.write(0, "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n".format(*counts))
    describe_pod_template(w, spec.get("template"))
    _claim_templates(w, spec.get("volumeClaimTemplates") or [])
    describe_events(w, events, now)
    return w.render()


def _claim_templates(w: PrefixWriter, templates: Sequence[Obj]) -> None:
    """describeVolumeClaimTemplates."""
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
        return
    w.write(0, "Volume Claims:\n")
    for pvc in templates:
        md, spec = pvc.get("metadata") or {}, pvc.get("spec") or {}
        storage_class = (md.get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class") or \
            spec.get("storageClassName") or ""
        w.write(1, f"Name:\t{md.get('name', '')}\n")
        w.write(1, f"StorageClass:\t{storage_class}\n")
        labels_multiline(w, "Labels", md.get("labels"), initial_indent="  ")
        labels_multiline(w, "Annotations", md.get("annotations"), initial_indent="  ")
        storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        w.write(1, f"Capacity:\t{quantity_text(storage) if storage is not None else '<default>'}\n")
        w.write(1, f"Access Modes:\t[{' '.join(spec.get('accessModes') or ())}]\n")


def describe_daemon_set(ds: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                        now: float) -> str:
    """kubectl describe daemonset."""
    w = PrefixWriter()
    md, spec, status = meta(ds), ds.get("spec") or {}, ds.get("status") or {}
    template_spec = (spec.get("template") or {}).get("spec") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    selector = format_label_selector(spec.get("selector"))
    w.write(0, f"Selector:\t{'' if selector == '<none>' else selector}\n")
    w.write(0, f"Node-Selector:\t{format_labels(template_spec.get('nodeSelector'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    for title, key in (("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
                       ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
                       ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
                       ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
                       ("Number of Nodes Misscheduled", "numberMisscheduled")):
        w.write(0, f"{title}: {int(status.get(key) or 0)}\n")
    counts = pod_phase_counts(_owned(related.get("Pod") or (), ds))
    w.write(0, "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n".format(*counts))
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events, now)
    return w.render()
