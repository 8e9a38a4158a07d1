"""Custom resources checked against CustomResourceDefinitions: those among the files being
validated (no `--schema-dir` needed) and any a caller adds (`apply` passes the cluster's).

A custom resource is valid when a CRD defines its group and kind, serves its version, and its body
passes that version's schema as the API server would check it (`crdschema.resource.admit`,
defaults and pruning applied to a copy only). Findings carry the field path of the API server's
message; the pipeline places them at file:line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from kapply.model.crd import defined_kind, served_versions, versions
from kapply.model.keys import split_api_version
from kapply.validate.crdschema.resource import ROOT, admit

Obj = dict[str, Any]
CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def is_crd(obj: Obj) -> bool:
    return (split_api_version(str(obj.get("apiVersion", "")))[0], obj.get("kind")) == CRD


class CustomKinds:
    """The (group, kind) -> CRD table of the CRDs given."""

    def __init__(self, crds: Iterable[Obj] = ()) -> None:
        self._crds: dict[tuple[str, str], Obj] = {}
        for crd in crds:
            self.add(crd)

    def add(self, crd: Obj) -> None:
        if isinstance(crd.get("spec"), dict):
            self._crds[defined_kind(crd)] = crd

    def __bool__(self) -> bool:
        return bool(self._crds)

    def find(self, obj: Obj) -> Obj | None:
        group, _ = split_api_version(str(obj.get("apiVersion", "")))
        return self._crds.get((group, str(obj.get("kind", ""))))

    def namespaced(self, obj: Obj) -> bool | None:
        crd = self.find(obj)
        return None if crd is None else (crd.get("spec") or {}).get("scope", "Namespaced") != "Cluster"

    def check(self, obj: Obj, crd: Obj) -> list[tuple[tuple[str | int, ...], str, str]]:
        """(path, message, rule) findings of `obj` against its CRD."""
        group, version = split_api_version(str(obj.get("apiVersion", "")))
        if version not in served_versions(crd):
            defined = [str(v.get("name")) for v in versions(crd)]
            message = (f'no matches for kind "{obj.get("kind")}" in version "{obj.get("apiVersion")}": the '
                       f"CustomResourceDefinition {crd.get('metadata', {}).get('name', '')} serves "
                       f"{', '.join(f'{group}/{v}' for v in served_versions(crd)) or 'no version'}"
                       + (f" (defined: {', '.join(defined)})" if defined else ""))
            return [(("apiVersion",), message, "unknown-kind")]
        result = admit(obj, crd, version, mutate=False)
        return [(path_of(path), message, "crd-resource") for path, message in result.causes]


def path_of(field: str) -> tuple[str | int, ...]:
    """`spec.items[0].name` -> ("spec", "items", 0, "name"); the root `<nil>` -> ()."""
    if field == ROOT:
        return ()
    return tuple(int(index) if index else name for name, index in _STEP.findall(field))
