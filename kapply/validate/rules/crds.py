"""CustomResourceDefinition rules: what the apiextensions server refuses in a CRD
(pkg/apis/apiextensions/validation/validation.go, ValidateCustomResourceDefinition).

The name is `<plural>.<group>`, the group a domain with a dot (protected `*.k8s.io` groups need
the approval annotation), the names DNS-1035 labels with a kind, a scope, versions with unique
names and exactly one storage version, each with a structural schema (`crdschema.structural`),
printer columns with a name, a known type and a JSON path, and scale paths under `.spec` and
`.status`.
"""

from __future__ import annotations

from typing import Any

from kapply.model.shapes import mapping
from kapply.validate.crdschema.cel import not_evaluated
from kapply.validate.crdschema.structural import check_structural
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Finding, Key, Path

RULE = "crd"
APPROVAL = "api-approved.kubernetes.io"
COLUMN_TYPES = ("boolean", "date", "integer", "number", "string")
COLUMN_FORMATS = ("byte", "date", "date-time", "double", "float", "int32", "int64", "password")


def _protected(group: str) -> bool:
    return group in ("k8s.io", "kubernetes.io") or group.endswith((".k8s.io", ".kubernetes.io"))


def check_crd(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateCustomResourceDefinition, the parts a user's CRD can get wrong."""
    spec = obj.get("spec")
    meta = mapping(obj, "metadata")
    if not isinstance(spec, dict):
        return
    group = spec.get("group")
    names = mapping(spec, "names")
    plural = names.get("plural")
    name = meta.get("name")
    if isinstance(plural, str) and isinstance(group, str) and name and name != f"{plural}.{group}":
        errs.invalid(("metadata", "name"), name, 'must be spec.names.plural+"."+spec.group', RULE)
    if not group:
        errs.required(("spec", "group"), "", RULE)
    elif isinstance(group, str):
        msgs = fmt.is_dns1123_subdomain(group)
        if msgs:
            errs.invalid_each(("spec", "group"), group, msgs, RULE)
        elif "." not in group:
            errs.invalid(("spec", "group"), group, "should be a domain with at least one dot", RULE)
        annotations = mapping(meta, "annotations")
        if _protected(group) and APPROVAL not in annotations:
            errs.required(("metadata", "annotations", Key(APPROVAL)), f'protected groups must have approval '
                          f'annotation "{APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111',
                          RULE)
    _check_names(names, errs)
    scope = spec.get("scope")
    if not scope:
        errs.required(("spec", "scope"), "", RULE)
    elif scope not in ("Cluster", "Namespaced"):
        errs.unsupported(("spec", "scope"), scope, ("Cluster", "Namespaced"), RULE)
    _check_versions(spec.get("versions"), errs)


def _check_names(names: dict[str, Any], errs: Errors) -> None:
    path: Path = ("spec", "names")
    for field in ("plural", "singular"):
        value = names.get(field)
        if field == "plural" and not value:
            errs.required((*path, field), "", RULE)
        elif isinstance(value, str) and value:
            errs.invalid_each((*path, field), value, fmt.is_dns1035_label(value), RULE)
    for i, short in enumerate(names.get("shortNames") or ()):
        if isinstance(short, str):
            errs.invalid_each((*path, "shortNames", i), short, fmt.is_dns1035_label(short), RULE)
    for field in ("kind", "listKind"):
        value = names.get(field)
        if field == "kind" and not value:
            errs.required((*path, field), "", RULE)
        elif isinstance(value, str) and value:
            msgs = fmt.is_dns1035_label(value.lower())
            if msgs:
                errs.invalid((*path, field), value, "may have mixed case, but should otherwise match: "
                             + ",".join(msgs), RULE)
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        errs.invalid((*path, "listKind"), names["listKind"], "kind and listKind may not be the same", RULE)


def _check_versions(versions: Any, errs: Errors) -> None:
    path: Path = ("spec", "versions")
    if not isinstance(versions, list) or not versions:
        errs.invalid(path, versions if isinstance(versions, list) else [], "must have exactly one version "
                     "marked as storage version", RULE)
        return
    seen: set[str] = set()
    storage = 0
    for i, version in enumerate(versions):
        if not isinstance(version, dict):
            continue
        vpath: Path = (*path, i)
        name = version.get("name")
        if not name:
            errs.required((*vpath, "name"), "", RULE)
        elif isinstance(name, str):
            errs.invalid_each((*vpath, "name"), name, fmt.is_dns1035_label(name), RULE)
            if name in seen:
                errs.invalid(path, name, "must contain unique version names", RULE)
            seen.add(name)
        if version.get("storage"):
            storage += 1
            if not version.get("served"):
                errs.invalid((*vpath, "served"), False, "the storage version must be served", RULE)
        schema = (version.get("schema") or {}).get("openAPIV3Schema") \
            if isinstance(version.get("schema"), dict) else None
        check_structural(schema, (*vpath, "schema", "openAPIV3Schema"), errs)
        if isinstance(schema, dict):
            for text in not_evaluated(schema):  # the embedded cluster cannot check them: say so
                where = (*vpath, "schema", "openAPIV3Schema")
                errs.items.append(Finding(where, "", "", text, "crd-cel", "warning"))
        _check_columns(version.get("additionalPrinterColumns"), (*vpath, "additionalPrinterColumns"), errs)
        _check_scale(version.get("subresources"), (*vpath, "subresources"), errs)
    if storage != 1:
        errs.invalid(path, [v.get("name") for v in versions if isinstance(v, dict)],
                     "must have exactly one version marked as storage version", RULE)


def _check_columns(columns: Any, path: Path, errs: Errors) -> None:
    for i, col in enumerate(columns or ()):
        if not isinstance(col, dict):
            continue
        if not col.get("name"):
            errs.required((*path, i, "name"), "", RULE)
        type_ = col.get("type")
        if not type_:
            errs.required((*path, i, "type"), "", RULE)
        elif type_ not in COLUMN_TYPES:
            errs.unsupported((*path, i, "type"), type_, COLUMN_TYPES, RULE)
        if col.get("format") and col.get("format") not in COLUMN_FORMATS:
            errs.unsupported((*path, i, "format"), col["format"], COLUMN_FORMATS, RULE)
        if not col.get("jsonPath"):
            errs.required((*path, i, "jsonPath"), "", RULE)


def _check_scale(subresources: Any, path: Path, errs: Errors) -> None:
    scale = subresources.get("scale") if isinstance(subresources, dict) else None
    if not isinstance(scale, dict):
        return
    for field, prefix in (("specReplicasPath", ".spec."), ("statusReplicasPath", ".status.")):
        value = scale.get(field)
        if not value:
            errs.required((*path, "scale", field), "", RULE)
        elif isinstance(value, str) and not value.startswith(prefix):
            errs.invalid((*path, "scale", field), value, f"should be a json path under {prefix.rstrip('.')}",
                         RULE)
    selector = scale.get("labelSelectorPath")
    if isinstance(selector, str) and selector and not selector.startswith((".spec.", ".status.")):
        errs.invalid((*path, "scale", "labelSelectorPath"), selector, "should be a json path under either "
                     ".spec or .status", RULE)
