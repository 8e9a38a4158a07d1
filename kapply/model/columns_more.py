"""Printer columns for Ingresses, HorizontalPodAutoscalers, PersistentVolumeClaims,
PersistentVolumes, StorageClasses and EndpointSlices, as kubectl prints them.

No ingress controller runs in the embedded cluster, so an Ingress has no ADDRESS; an HPA shows
`<unknown>` metrics until its first pass; a claim or volume being deleted shows Terminating.
"""

from __future__ import annotations

from typing import Any

from kapply.model.autoscaling import format_targets
from kapply.model.columns import Columns, age, name_of, spec_of, status_of
from kapply.model.storage import is_default_class

Obj = dict[str, Any]

_ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
                 "ReadWriteOncePod": "RWOP"}


def access_modes(modes: Any) -> str:
    """`RWO,ROX` as kubectl abbreviates them (unknown modes kept as written)."""
    return ",".join(_ACCESS_MODES.get(m, str(m)) for m in modes or ())


def _ingress_row(ing: Obj, now: float) -> list[str]:
    spec = spec_of(ing)
    hosts = [r.get("host") for r in spec.get("rules") or () if r.get("host")]
    addresses = [i.get("ip") or i.get("hostname") for i in
                 (status_of(ing).get("loadBalancer") or {}).get("ingress") or ()]
    ports = "80, 443" if spec.get("tls") else "80"
    return [name_of(ing), spec.get("ingressClassName") or "<none>", ",".join(hosts) or "*",
            ",".join(a for a in addresses if a), ports, age(ing, now)]


def _hpa_row(hpa: Obj, now: float) -> list[str]:
    spec = spec_of(hpa)
    ref = spec.get("scaleTargetRef") or {}
    minimum = spec.get("minReplicas")
    return [name_of(hpa), f"{ref.get('kind', '')}/{ref.get('name', '')}", format_targets(hpa),
            "<unset>" if minimum is None else str(minimum), str(spec.get("maxReplicas", "")),
            str(status_of(hpa).get("currentReplicas", 0)), age(hpa, now)]


def _pvc_row(pvc: Obj, now: float) -> list[str]:
    spec, status = spec_of(pvc), status_of(pvc)
    capacity = (status.get("capacity") or {}).get("storage", "")
    phase = "Terminating" if (pvc.get("metadata") or {}).get("deletionTimestamp") else status.get("phase", "")
    return [name_of(pvc), phase, spec.get("volumeName", ""), str(capacity),
            access_modes(status.get("accessModes")), spec.get("storageClassName") or "",
            spec.get("volumeAttributesClassName") or "<unset>", age(pvc, now)]


def _pv_row(pv: Obj, now: float) -> list[str]:
    spec, status = spec_of(pv), status_of(pv)
    claim = spec.get("claimRef") or {}
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    capacity = str((spec.get("capacity") or {}).get("storage", ""))
    return [name_of(pv), capacity, access_modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy", "Retain"),
            "Terminating" if (pv.get("metadata") or {}).get("deletionTimestamp") else status.get("phase", ""),
            claim_text,
            spec.get("storageClassName") or "", spec.get("volumeAttributesClassName") or "<unset>",
            status.get("reason", ""), age(pv, now)]


def _with_more(items: list[str], limit: int = 3) -> str:
    """listWithMoreString: the first three, `+ N more...`, `<unset>` when there are none."""
    text = ",".join(items[:limit])
    if len(items) > limit:
        return f"{text} + {len(items) - limit} more..."
    return text or "<unset>"


def _slice_row(eps: Obj, now: float) -> list[str]:
    ports = [str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
             for p in eps.get("ports") or ()]
    addresses = [a for e in eps.get("endpoints") or () for a in e.get("addresses") or ()]
    return [name_of(eps), str(eps.get("addressType", "")), _with_more(ports), _with_more(addresses),
            age(eps, now)]


def _storage_class_row(sc: Obj, now: float) -> list[str]:
    name = name_of(sc) + (" (default)" if is_default_class(sc) else "")
    expansion = "true" if sc.get("allowVolumeExpansion") else "false"
    return [name, str(sc.get("provisioner", "")), str(sc.get("reclaimPolicy") or "Delete"),
            str(sc.get("volumeBindingMode") or "Immediate"), expansion, age(sc, now)]


MORE_COLUMNS: dict[str, Columns] = {
    "EndpointSlice": Columns(("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"), _slice_row),
    "Ingress": Columns(("NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"), _ingress_row),
    "HorizontalPodAutoscaler": Columns(("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS",
                                        "AGE"), _hpa_row),
    "PersistentVolumeClaim": Columns(("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                                      "VOLUMEATTRIBUTESCLASS", "AGE"), _pvc_row),
    "PersistentVolume": Columns(("NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM",
                                 "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"), _pv_row),
    "StorageClass": Columns(("NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                             "ALLOWVOLUMEEXPANSION", "AGE"), _storage_class_row),
}
