"""`kapply get` columns for Ingresses, HorizontalPodAutoscalers, PersistentVolumeClaims and
PersistentVolumes, as kubectl prints them.

The embedded cluster stores these kinds without a controller acting on them, so their status
columns show what a real cluster shows before one acts: an Ingress without an ADDRESS, an HPA
with `<unknown>` metrics, a claim `Pending`.
"""

from __future__ import annotations

from typing import Any

from kapply.cli.printers.columns import Columns, age

Obj = dict[str, Any]

_ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
                 "ReadWriteOncePod": "RWOP"}


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _spec(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def _status(obj: Obj) -> Obj:
    return obj.get("status") or {}


def access_modes(modes: Any) -> str:
    """`RWO,ROX` as kubectl abbreviates them (unknown modes kept as written)."""
    return ",".join(_ACCESS_MODES.get(m, str(m)) for m in modes or ())


def _ingress_row(ing: Obj, now: float) -> list[str]:
    spec = _spec(ing)
    hosts = [r.get("host") for r in spec.get("rules") or () if r.get("host")]
    addresses = [i.get("ip") or i.get("hostname") for i in
                 (_status(ing).get("loadBalancer") or {}).get("ingress") or ()]
    ports = "80, 443" if spec.get("tls") else "80"
    return [_name(ing), spec.get("ingressClassName") or "<none>", ",".join(hosts) or "*",
            ",".join(a for a in addresses if a), ports, age(ing, now)]


def hpa_targets(hpa: Obj) -> str:
    """`cpu: <unknown>/50%`: autoscaling/v2 metric targets; no metrics server, so current is unknown."""
    parts = []
    for metric in _spec(hpa).get("metrics") or ():
        if metric.get("type") != "Resource":
            parts.append("<unknown>/<unknown>")
            continue
        resource = metric.get("resource") or {}
        target = resource.get("target") or {}
        if target.get("averageUtilization") is not None:
            goal = f"{target['averageUtilization']}%"
        else:
            goal = str(target.get("averageValue") or target.get("value") or "<unknown>")
        parts.append(f"{resource.get('name', '')}: <unknown>/{goal}")
    if not parts and _spec(hpa).get("targetCPUUtilizationPercentage") is not None:
        parts.append(f"cpu: <unknown>/{_spec(hpa)['targetCPUUtilizationPercentage']}%")
    return ", ".join(parts) or "<none>"


def _hpa_row(hpa: Obj, now: float) -> list[str]:
    spec = _spec(hpa)
    ref = spec.get("scaleTargetRef") or {}
    return [_name(hpa), f"{ref.get('kind', '')}/{ref.get('name', '')}", hpa_targets(hpa),
            str(spec.get("minReplicas", 1)), str(spec.get("maxReplicas", "")),
            str(_status(hpa).get("currentReplicas", 0)), age(hpa, now)]


def _pvc_row(pvc: Obj, now: float) -> list[str]:
    spec, status = _spec(pvc), _status(pvc)
    capacity = (status.get("capacity") or {}).get("storage", "")
    return [_name(pvc), status.get("phase", "Pending"), spec.get("volumeName", ""), str(capacity),
            access_modes(status.get("accessModes")), spec.get("storageClassName") or "",
            spec.get("volumeAttributesClassName") or "<unset>", age(pvc, now)]


def _pv_row(pv: Obj, now: float) -> list[str]:
    spec, status = _spec(pv), _status(pv)
    claim = spec.get("claimRef") or {}
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    capacity = str((spec.get("capacity") or {}).get("storage", ""))
    return [_name(pv), capacity, access_modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy", "Retain"), status.get("phase", "Available"), claim_text,
            spec.get("storageClassName") or "", spec.get("volumeAttributesClassName") or "<unset>",
            status.get("reason", ""), age(pv, now)]


MORE_COLUMNS: dict[str, Columns] = {
    "Ingress": Columns(("NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"), _ingress_row),
    "HorizontalPodAutoscaler": Columns(("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS",
                                        "AGE"), _hpa_row),
    "PersistentVolumeClaim": Columns(("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                                      "VOLUMEATTRIBUTESCLASS", "AGE"), _pvc_row),
    "PersistentVolume": Columns(("NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM",
                                 "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"), _pv_row),
}
