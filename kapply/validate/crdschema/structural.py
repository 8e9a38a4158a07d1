"""Is a CRD's schema structural? The checks the apiextensions server makes before it accepts a CRD
(pkg/apiserver/schema/validation.go: validateStructuralInvariants and completeness), so pruning,
defaulting and validation of its custom resources are well defined.

Every level states its `type` (unless `x-kubernetes-int-or-string` or
`x-kubernetes-preserve-unknown-fields` stands for it), the root is an object, arrays have `items`,
`properties` and `additionalProperties` exclude each other, the root's `metadata` restricts only
`name` and `generateName`, and defaults are valid values of their own schema.
"""

from __future__ import annotations

from typing import Any

from kapply.model.shapes import mapping
from kapply.validate.crdschema import openapi
from kapply.validate.rules.findings import Errors, Key, Path

RULE = "crd-schema"
_TYPES = ("array", "boolean", "integer", "number", "object", "string")


def check_structural(schema: Any, path: Path, errs: Errors) -> None:
    """Findings for a version's openAPIV3Schema at `path` (…schema.openAPIV3Schema)."""
    if not isinstance(schema, dict):
        errs.required(path, "schemas are required", RULE)
        return
    type_ = schema.get("type")
    if not type_:
        errs.required((*path, "type"), "must not be empty at the root", RULE)
    elif type_ != "object":
        errs.invalid((*path, "type"), type_, "must be object at the root", RULE)
    properties = mapping(schema, "properties")
    metadata = properties.get("metadata")
    if isinstance(metadata, dict):
        allowed = {"type", "description", "properties"}
        fields = mapping(metadata, "properties")
        if set(metadata) - allowed or set(fields) - {"name", "generateName"} or \
                metadata.get("type") not in (None, "object"):
            errs.forbidden((*path, "properties", Key("metadata")), "must not specify anything other than "
                           "name and generateName, but metadata is implicitly specified", RULE)
    _node(schema, path, errs, root=True)


def _node(schema: dict[str, Any], path: Path, errs: Errors, root: bool = False,
          where: str = "") -> None:
    type_ = schema.get("type")
    int_or_string = bool(schema.get("x-kubernetes-int-or-string"))
    preserve = schema.get("x-kubernetes-preserve-unknown-fields")
    if type_ and type_ not in _TYPES:
        errs.unsupported((*path, "type"), type_, _TYPES, RULE)
    if not root and not type_ and not int_or_string and preserve is not True:
        errs.required((*path, "type"), f"must not be empty for specified {where}", RULE)
    if int_or_string and type_:
        errs.invalid((*path, "type"), type_, "must be empty if x-kubernetes-int-or-string is true", RULE)
    if preserve is False:
        errs.invalid((*path, "x-kubernetes-preserve-unknown-fields"), False, "must be true or undefined",
                     RULE)
    if schema.get("x-kubernetes-embedded-resource") and type_ != "object":
        if type_:
            errs.invalid((*path, "type"), type_, "must be object if x-kubernetes-embedded-resource is true",
                         RULE)
        else:
            errs.required((*path, "type"), "must be object if x-kubernetes-embedded-resource is true", RULE)
    properties = schema.get("properties")
    extra = schema.get("additionalProperties")
    if isinstance(properties, dict) and properties and extra is not None:
        errs.forbidden((*path, "additionalProperties"), "additionalProperties and properties are mutual "
                       "exclusive", RULE)
    if type_ == "array" and not isinstance(schema.get("items"), dict):
        errs.required((*path, "items"), "must be specified", RULE)
    list_type = schema.get("x-kubernetes-list-type")
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        errs.unsupported((*path, "x-kubernetes-list-type"), list_type, ("atomic", "set", "map"), RULE)
    if list_type == "map" and not schema.get("x-kubernetes-list-map-keys"):
        errs.required((*path, "x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is "
                      "map", RULE)
    if "default" in schema:
        for _, message in openapi.validate(schema["default"], schema):
            errs.invalid((*path, "default"), schema["default"], message.split(": ", 2)[-1], RULE)
            break
    if isinstance(properties, dict):
        for name, sub in properties.items():
            if isinstance(sub, dict):
                _node(sub, (*path, "properties", Key(name)), errs, where="object fields")
    items = schema.get("items")
    if isinstance(items, dict):
        _node(items, (*path, "items"), errs, where="array items")
    if isinstance(extra, dict):
        _node(extra, (*path, "additionalProperties"), errs, where="object fields")
