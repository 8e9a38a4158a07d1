"""`describe pvc | pv | storageclass`, as kubectl's describers print them (describe.go
describePersistentVolumeClaim, describePersistentVolume, describeStorageClass)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    describe_events,
    format_labels,
    labels_multiline,
    meta,
    since,
)
from kapply.model.columns_more import access_modes
from kapply.model.storage import is_default_class, storage_class_of


def _finalizers(obj: Obj) -> str:
    """`%v` of a []string."""
    return f"[{' '.join(meta(obj).get('finalizers') or ())}]"


def _status(w: PrefixWriter, obj: Obj, now: float) -> None:
    deleted = meta(obj).get("deletionTimestamp")
    if deleted:
        w.write(0, f"Status:\tTerminating (lasts {since(deleted, now)})\n")
    else:
        w.write(0, f"Status:\t{(obj.get('status') or {}).get('phase', '')}\n")


def _uses(pod: Obj, claim: str) -> bool:
    return any((v.get("persistentVolumeClaim") or {}).get("claimName") == claim
               for v in (pod.get("spec") or {}).get("volumes") or () if isinstance(v, dict))


def describe_persistent_volume_claim(pvc: Obj, related: Mapping[str, Sequence[Obj]],
                                     events: Sequence[Obj] | None, now: float) -> str:
    """kubectl describe pvc (Used By: the pods that mount it)."""
    w = PrefixWriter()
    md, spec, status = meta(pvc), pvc.get("spec") or {}, pvc.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{storage_class_of(pvc)}\n")
    _status(w, pvc, now)
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(pvc)}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = str((status.get("capacity") or {}).get("storage", ""))
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    source = spec.get("dataSource")
    if isinstance(source, dict):
        w.write(0, "DataSource:\n")
        if source.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{source['apiGroup']}\n")
        w.write(1, f"Kind:\t{source.get('kind', '')}\n")
        w.write(1, f"Name:\t{source.get('name', '')}\n")
    pods = sorted(p["metadata"]["name"] for p in related.get("Pod", ()) if _uses(p, md.get("name", "")))
    w.write(0, "Used By:\t")
    if not pods:
        w.line("<none>")
    for i, name in enumerate(pods):
        w.write(0, f"{chr(9) if i else ''}{name}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.render()


def _node_affinity(w: PrefixWriter, affinity: Any) -> None:
    """printVolumeNodeAffinity."""
    w.write(0, "Node Affinity:\t")
    required = affinity.get("required") if isinstance(affinity, dict) else None
    if not required:
        w.line("<none>")
        return
    w.line("")
    w.write(1, "Required Terms:\t")
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(terms):
        w.write(2, f"Term {i}:\t")
        exprs = term.get("matchExpressions") or []
        if not exprs:
            w.line("<none>")
        for j, e in enumerate(exprs):
            if j:
                w.write(2, "\t")
            text = f"{e.get('key', '')} {str(e.get('operator', '')).lower()}"
            if e.get("values"):
                text += f" [{', '.join(str(v) for v in e['values'])}]"
            w.write(0, f"{text}\n")


def _source(w: PrefixWriter, spec: Obj) -> None:
    w.write(0, "Source:\n")
    host_path = spec.get("hostPath")
    if isinstance(host_path, dict):
        kind = host_path.get("type")
        w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                   f"    Path:\t{host_path.get('path', '')}\n"
                   f"    HostPathType:\t{'<none>' if kind is None else kind}\n")
    elif isinstance(spec.get("local"), dict):
        local = spec["local"]
        w.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
                   f"    Path:\t{local.get('path', '')}\n")
    elif isinstance(spec.get("nfs"), dict):
        nfs = spec["nfs"]
        w.write(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n"
                   f"    Server:\t{nfs.get('server', '')}\n"
                   f"    Path:\t{nfs.get('path', '')}\n"
                   f"    ReadOnly:\t{'true' if nfs.get('readOnly') else 'false'}\n")
    elif isinstance(spec.get("csi"), dict):
        csi = spec["csi"]
        w.write(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n"
                   f"    Driver:\t{csi.get('driver', '')}\n"
                   f"    FSType:\t{csi.get('fsType', '')}\n"
                   f"    VolumeHandle:\t{csi.get('volumeHandle', '')}\n"
                   f"    ReadOnly:\t{'true' if csi.get('readOnly') else 'false'}\n")
    else:
        w.write(1, "<unknown>\n")


def describe_persistent_volume(pv: Obj, related: Mapping[str, Sequence[Obj]],
                               events: Sequence[Obj] | None, now: float) -> str:
    """kubectl describe pv."""
    w = PrefixWriter()
    md, spec, status = meta(pv), pv.get("spec") or {}, pv.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Finalizers:\t{_finalizers(pv)}\n")
    w.write(0, f"StorageClass:\t{storage_class_of(pv)}\n")
    _status(w, pv, now)
    ref = spec.get("claimRef") or {}
    w.write(0, f"Claim:\t{ref.get('namespace', '')}/{ref.get('name', '')}\n" if ref else "Claim:\t\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode"):
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '0')}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{status.get('message', '')}\n")
    _source(w, spec)
    if events is not None:
        describe_events(w, events, now)
    return w.render()


def describe_storage_class(sc: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                           now: float) -> str:
    """kubectl describe storageclass."""
    w = PrefixWriter()
    md = meta(sc)
    annotations = md.get("annotations") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if is_default_class(sc) else 'No'}\n")
    w.write(0, f"Annotations:\t{format_labels(annotations)}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{format_labels(sc.get('parameters'))}\n")
    expansion = sc.get("allowVolumeExpansion")
    expansion_text = "<unset>" if expansion is None else ("True" if expansion else "False")
    w.write(0, f"AllowVolumeExpansion:\t{expansion_text}\n")
    options = sc.get("mountOptions") or []
    if not options:
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for option in options:
            w.write(1, f"{option}\n")
    if sc.get("reclaimPolicy"):
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode"):
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.render()
