"""Reading a CustomResourceDefinition: its versions, schemas, and the `KindInfo` it serves.

Shared by the embedded cluster (what it serves, what it validates against) and `kapply validate`
(custom resources checked against a CRD found among the files).

The apiextensions server serves a CRD's *accepted* names (`status.acceptedNames`, what the
naming controller granted) once the `Established` condition is True, and only its versions with
`served: true`. The preferred version is the first served one in Kubernetes' version order; the
storage version is the one with `storage: true`. Subresources and printer columns can differ per
version; the `KindInfo` carries the preferred version's, `version_of` answers for any version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.model.kinds import KindInfo, PrinterColumn, ScalePaths
from kapply.model.versions import by_priority

Obj = dict[str, Any]
CRD_KIND = "CustomResourceDefinition"
CUSTOM_RANK = 50  # custom resources apply after namespaces, configuration and services


def condition(crd: Obj, type_: str) -> Obj | None:
    """The CRD's condition of that type, if set."""
    for cond in (crd.get("status") or {}).get("conditions") or ():
        if isinstance(cond, dict) and cond.get("type") == type_:
            return cond
    return None


def is_established(crd: Obj) -> bool:
    cond = condition(crd, "Established")
    return cond is not None and cond.get("status") == "True"


def versions(crd: Obj) -> list[Obj]:
    """The CRD's version entries (dicts), as written."""
    return [v for v in (crd.get("spec") or {}).get("versions") or () if isinstance(v, dict)]


def served_versions(crd: Obj) -> list[str]:
    """The served version names, most preferred first."""
    return by_priority([str(v.get("name", "")) for v in versions(crd) if v.get("served")])


def storage_version(crd: Obj) -> str:
    return next((str(v.get("name", "")) for v in versions(crd) if v.get("storage")), "")


def version_of(crd: Obj, name: str) -> Obj | None:
    """The version entry called `name`."""
    return next((v for v in versions(crd) if v.get("name") == name), None)


def schema_of(crd: Obj, version: str) -> Obj | None:
    """The openAPIV3Schema of one version (None when it has none)."""
    entry = version_of(crd, version) or {}
    schema = (entry.get("schema") or {}).get("openAPIV3Schema")
    return schema if isinstance(schema, dict) else None


def defined_kind(crd: Obj) -> tuple[str, str]:
    """(group, kind) the CRD defines, from its spec (accepted or not)."""
    spec = crd.get("spec") or {}
    return str(spec.get("group", "")), str((spec.get("names") or {}).get("kind", ""))


def cluster_scoped_kinds(objects: Iterable[Obj],
                         served: Iterable[KindInfo] = ()) -> frozenset[tuple[str, str]]:
    """(group, kind) of the cluster-scoped custom kinds that the CRDs among `objects` define or the
    target serves (`served`: its discovery), so their objects are keyed without a namespace even
    before their CRD is established."""
    found = {(i.group, i.kind) for i in served if i.custom and not i.namespaced}
    for obj in objects:
        spec = obj.get("spec") or {}
        if obj.get("kind") == "CustomResourceDefinition" and spec.get("scope") == "Cluster":
            found.add(defined_kind(obj))
    return frozenset(found)


def printer_columns(version: Obj) -> tuple[PrinterColumn, ...]:
    cols = []
    for col in version.get("additionalPrinterColumns") or ():
        if not isinstance(col, dict):
            continue
        cols.append(PrinterColumn(str(col.get("name", "")), str(col.get("jsonPath", "")),
                                  str(col.get("type", "string")), str(col.get("format", "") or ""),
                                  str(col.get("description", "") or ""), int(col.get("priority", 0) or 0)))
    return tuple(cols)


def scale_paths(version: Obj) -> ScalePaths | None:
    scale = (version.get("subresources") or {}).get("scale")
    if not isinstance(scale, dict):
        return None
    return ScalePaths(str(scale.get("specReplicasPath", "")), str(scale.get("statusReplicasPath", "")),
                      str(scale.get("labelSelectorPath", "") or ""))


def subresources(version: Obj) -> tuple[str, ...]:
    subs = version.get("subresources") or {}
    return tuple(name for name in ("scale", "status") if isinstance(subs, dict) and name in subs)


def served_kind(crd: Obj) -> KindInfo | None:
    """The kind an established CRD serves, None while it is not (yet) established or serves no
    version."""
    if not is_established(crd):
        return None
    spec = crd.get("spec") or {}
    names = (crd.get("status") or {}).get("acceptedNames") or spec.get("names") or {}
    served = served_versions(crd)
    if not served or not names.get("kind") or not names.get("plural"):
        return None
    preferred = version_of(crd, served[0]) or {}
    return KindInfo(
        group=str(spec.get("group", "")),
        version=served[0],
        kind=str(names["kind"]),
        plural=str(names["plural"]),
        namespaced=spec.get("scope", "Namespaced") != "Cluster",
        short_names=tuple(str(s) for s in names.get("shortNames") or ()),
        rank=CUSTOM_RANK,
        other_versions=tuple(served[1:]),
        categories=tuple(str(c) for c in names.get("categories") or ()),
        subresources=subresources(preferred),
        custom=True,
        printer_columns=printer_columns(preferred),
        scale=scale_paths(preferred),
        generation=True,
        readiness="custom",
        singular_name=str(names.get("singular") or "") if names.get("singular") != str(names["kind"]).lower()
        else "",
    )
