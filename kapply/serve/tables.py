"""Server-side printing: lists and objects as `meta.k8s.io` Tables, the shape `kubectl get` asks for.

The columns are the ones `kapply get` prints (`kapply.model.columns`): the default ones at
priority 0, the `-o wide` ones at priority 1, so kubectl prints exactly what `kapply get` does.
Each row carries the object as kubectl asks (`includeObject`): its metadata by default (kubectl
needs the namespace for `-A` and the labels for `--show-labels`), the whole object, or nothing.
"""

from __future__ import annotations

from typing import Any

from kapply.model.columns import columns_for
from kapply.model.printcolumns import AGE, custom_columns

Obj = dict[str, Any]

# Column names as the API server's printers spell them (kubectl prints them upper-cased).
_NAMES = {
    "CLUSTER-IP": "Cluster-IP",
    "EXTERNAL-IP": "External-IP",
    "PORT(S)": "Port(s)",
    "IP": "IP",
    "UP-TO-DATE": "Up-to-date",
    "INTERNAL-IP": "Internal-IP",
    "OS-IMAGE": "OS-Image",
    "KERNEL-VERSION": "Kernel-Version",
    "CONTAINER-RUNTIME": "Container-Runtime",
}
_DESCRIPTIONS = {
    "NAME": "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
    "AGE": "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.",
}
INCLUDE = ("None", "Metadata", "Object")


def column_name(header: str) -> str:
    """`CLUSTER-IP` -> `Cluster-IP`, `NOMINATED NODE` -> `Nominated Node`."""
    return _NAMES.get(header) or header.title()


def _columns(kind: str, info: Any = None) -> Any:
    """A kind's printer: a custom kind's CRD columns, else the built-in table."""
    if info is not None and getattr(info, "custom", False):
        return custom_columns(info)
    return columns_for(kind)


def _custom_definitions(info: Any) -> list[Obj]:
    """additionalPrinterColumns as the apiextensions table convertor declares them."""
    columns = info.printer_columns or (AGE,)
    defs: list[Obj] = [{"name": "Name", "type": "string", "format": "name",
                        "description": _DESCRIPTIONS["NAME"], "priority": 0}]
    ordered = [c for c in columns if c.priority <= 0] + [c for c in columns if c.priority > 0]
    for col in ordered:
        defs.append({"name": col.name, "type": col.type, "format": col.format,
                     "description": col.description or _DESCRIPTIONS.get(col.name.upper(), col.name),
                     "priority": col.priority})
    return defs


def column_definitions(kind: str, info: Any = None) -> list[Obj]:
    if info is not None and getattr(info, "custom", False):
        return _custom_definitions(info)
    cols = columns_for(kind)
    defs = []
    for priority, headers in ((0, cols.headers), (1, cols.wide_headers if cols.wide else ())):
        for header in headers:
            defs.append(
                {
                    "name": column_name(header),
                    "type": "string",
                    "format": "name" if header == "NAME" else "",
                    "description": _DESCRIPTIONS.get(header, column_name(header)),
                    "priority": priority,
                }
            )
    return defs


def partial_metadata(obj: Obj, version: str = "v1") -> Obj:
    """The PartialObjectMetadata of an object (its metadata, kind and apiVersion meta.k8s.io)."""
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": obj.get("metadata") or {},
    }


def row(kind: str, obj: Obj, now: float, include: str = "Metadata", version: str = "v1",
        info: Any = None) -> Obj:
    cols = _columns(kind, info)
    cells = cols.row(obj, now) + (cols.wide(obj, now) if cols.wide else [])
    out: Obj = {"cells": cells}
    if include == "Object":
        out["object"] = obj
    elif include == "Metadata":
        out["object"] = partial_metadata(obj, version)
    return out


def table(
    kind: str,
    objs: list[Obj],
    now: float,
    list_meta: Obj,
    include: str = "Metadata",
    version: str = "v1",
    definitions: bool = True,
    info: Any = None,
) -> Obj:
    """A Table of `objs` (all of one kind); `list_meta` is its resourceVersion / continue."""
    return {
        "kind": "Table",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": list_meta,
        "columnDefinitions": column_definitions(kind, info) if definitions else [],
        "rows": [row(kind, o, now, include, version, info) for o in objs],
    }
