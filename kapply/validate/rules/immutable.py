"""Immutable fields: the updates the API server refuses, whoever asks.

Kubernetes refuses, among others, a changed Deployment/ReplicaSet/DaemonSet selector, a changed
Service clusterIP, a changed Job template, most of a StatefulSet's spec, a Pod's spec beyond its
images. One table serves both sides: the plan finds these before anything is written (so apply
refuses the whole plan, or with `--force-replace` deletes and re-creates the object), and the
embedded cluster's API server refuses the same updates when they reach it. Messages reproduce
the API server's field errors, bad values rendered as `field.Error` does (`render_value`), and
kubectl's wrapping of them.
"""

from __future__ import annotations

from collections.abc import Callable

from kapply.model.keys import ResourceKey
from kapply.validate.rules.findings import render_value

Cause = tuple[str, str]  # (field path, message) as in InvalidError.causes


def immutable_causes(kind: str, live: dict, merged: dict) -> list[Cause]:
    """The field errors an update from `live` to `merged` would get; empty when it is allowed."""
    check = _CHECKS.get(kind)
    return check(live, merged) if check else []


def invalid_message(key: ResourceKey, causes: list[Cause]) -> str:
    """kubectl's rendering of an Invalid status: `The Deployment "x" is invalid: <field error>`."""
    errors = [f"{path}: {message}" for path, message in causes]
    head = f'The {key.kind} "{key.name}" is invalid: '
    if len(errors) == 1:
        return head + errors[0]
    return head + "\n" + "\n".join(f"* {e}" for e in errors)


def _spec(obj: dict) -> dict:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _selector(live: dict, merged: dict) -> list[Cause]:
    old, new = _spec(live).get("selector"), _spec(merged).get("selector")
    if old is None or old == new:
        return []
    return [("spec.selector", f"Invalid value: {render_value(new)}: field is immutable")]


def _service(live: dict, merged: dict) -> list[Cause]:
    old, new = _spec(live), _spec(merged)
    if "ExternalName" in (old.get("type"), new.get("type")):
        return []
    old_ip, new_ip = old.get("clusterIP"), new.get("clusterIP")
    if not old_ip or not new_ip or old_ip == new_ip:
        return []
    ips = new.get("clusterIPs")
    if not isinstance(ips, list) or not ips or ips[0] != new_ip:
        ips = [new_ip]
    return [("spec.clusterIPs[0]", f"Invalid value: {render_value(ips)}: may not change once set")]


def _job(live: dict, merged: dict) -> list[Cause]:
    causes = _selector(live, merged)
    old, new = _spec(live), _spec(merged)
    if old.get("template") != new.get("template"):
        shown = render_value(new.get("template"))
        causes.append(("spec.template", f"Invalid value: {shown}: field is immutable"))
    if "completions" in old and old.get("completions") != new.get("completions"):
        causes.append(("spec.completions", f"Invalid value: {new.get('completions')}: field is immutable"))
    return causes


_STS_MUTABLE = frozenset({"replicas", "ordinals", "template", "updateStrategy",
                          "persistentVolumeClaimRetentionPolicy", "minReadySeconds"})


def _statefulset(live: dict, merged: dict) -> list[Cause]:
    old, new = _spec(live), _spec(merged)
    keys = (set(old) | set(new)) - _STS_MUTABLE
    if all(old.get(k) == new.get(k) for k in keys):
        return []
    return [("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', "
             "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
             "'minReadySeconds' are forbidden")]


def _pod_spec_sans_mutable(spec: dict) -> dict:
    out = {k: v for k, v in spec.items()
           if k not in ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds")}
    for field in ("containers", "initContainers"):
        if isinstance(out.get(field), list):
            out[field] = [{k: v for k, v in c.items() if k != "image"} if isinstance(c, dict) else c
                          for c in out[field]]
    return out


def _pod(live: dict, merged: dict) -> list[Cause]:
    if _pod_spec_sans_mutable(_spec(live)) == _pod_spec_sans_mutable(_spec(merged)):
        return []
    return [("spec", "Forbidden: pod updates may not change fields other than "
             "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
             "`spec.tolerations` (only additions to existing tolerations),"
             "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")]


def _immutable_data(live: dict, merged: dict) -> list[Cause]:
    causes: list[Cause] = []
    if live.get("immutable") is True:
        if merged.get("immutable") is not True:
            causes.append(("immutable", "Forbidden: field is immutable when `immutable` is set"))
        for field in ("data", "binaryData"):
            if (live.get(field) or {}) != (merged.get(field) or {}):
                causes.append((field, "Forbidden: field is immutable when `immutable` is set"))
    return causes


def _secret(live: dict, merged: dict) -> list[Cause]:
    causes = _immutable_data(live, merged)
    old_type, new_type = live.get("type") or "Opaque", merged.get("type") or "Opaque"
    if old_type != new_type:
        causes.append(("type", f"Invalid value: {render_value(new_type)}: field is immutable"))
    return causes


def _role_binding(live: dict, merged: dict) -> list[Cause]:
    old, new = live.get("roleRef"), merged.get("roleRef")
    if old is None or old == new:
        return []
    return [("roleRef", f"Invalid value: {render_value(new)}: cannot change roleRef")]


def _pvc(live: dict, merged: dict) -> list[Cause]:
    def sans(spec: dict) -> dict:
        out = {k: v for k, v in spec.items() if k not in ("resources", "volumeAttributesClassName")}
        resources = spec.get("resources")
        if isinstance(resources, dict):
            out["resources"] = {k: v for k, v in resources.items() if k != "requests"}
        return out

    if sans(_spec(live)) == sans(_spec(merged)):
        return []
    return [("spec", "Forbidden: spec is immutable after creation except resources.requests and "
             "volumeAttributesClassName for bound claims")]


def _crd(live: dict, merged: dict) -> list[Cause]:
    """An established CRD keeps its group and scope (ValidateCustomResourceDefinitionSpecUpdate)."""
    established = any(c.get("type") == "Established" and c.get("status") == "True"
                      for c in (live.get("status") or {}).get("conditions") or () if isinstance(c, dict))
    if not established:
        return []
    causes = []
    for field in ("group", "scope"):
        old, new = _spec(live).get(field), _spec(merged).get(field)
        if old is not None and new != old:
            causes.append((f"spec.{field}", f"Invalid value: {render_value(new)}: field is immutable"))
    return causes


_CHECKS: dict[str, Callable[[dict, dict], list[Cause]]] = {
    "CustomResourceDefinition": _crd,
    "Deployment": _selector,
    "ReplicaSet": _selector,
    "DaemonSet": _selector,
    "StatefulSet": _statefulset,
    "Job": _job,
    "Service": _service,
    "Pod": _pod,
    "ConfigMap": _immutable_data,
    "Secret": _secret,
    "RoleBinding": _role_binding,
    "ClusterRoleBinding": _role_binding,
    "PersistentVolumeClaim": _pvc,
}
