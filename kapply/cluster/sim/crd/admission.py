"""What the apiextensions server does on writes: a CRD's defaults and stored versions, and a custom
resource's admission through its CRD's schema.

A CRD (registry/customresourcedefinition/strategy.go): `names.singular` defaults to the lower-cased
kind, `names.listKind` to `<Kind>List`, `conversion.strategy` to `None`; create starts its status
afresh with `storedVersions: [<storage version>]`, an update adds a new storage version to it. Its
schema's CEL rules must parse.

A custom resource (pkg/registry/customresource): refused while its CRD is terminating; validated
against the schema of the version it was sent in (defaults, pruning, validation, CEL rules:
`kapply.validate.crdschema.resource`); stored in the storage version. Conversion between versions is
the `None` strategy's: only `apiVersion` changes (a `Webhook` strategy is treated the same; the
README says so).
"""

from __future__ import annotations

import copy
from typing import Any

from kapply.cluster.sim.admission import invalid
from kapply.cluster.sim.clock import rfc3339
from kapply.errors import MethodNotAllowedError
from kapply.model.crd import storage_version, versions
from kapply.model.keys import split_api_version
from kapply.validate.crdschema import cel
from kapply.validate.crdschema.resource import admit
from kapply.validate.rules.findings import render_value

Obj = dict[str, Any]
CRD_KIND = "CustomResourceDefinition"


NAMES_ORDER = ("plural", "singular", "shortNames", "kind", "listKind", "categories")  # the Go struct's


def ordered_names(names: Obj) -> Obj:
    """CRD names in the order the API server serialises them (CustomResourceDefinitionNames)."""
    return {**{k: names[k] for k in NAMES_ORDER if k in names},
            **{k: v for k, v in names.items() if k not in NAMES_ORDER}}


def crd_defaults(obj: Obj) -> None:
    """SetDefaults_CustomResourceDefinitionSpec (apiextensions/v1)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict) and isinstance(names.get("kind"), str) and names["kind"]:
        if not names.get("singular"):
            names["singular"] = names["kind"].lower()
        if not names.get("listKind"):
            names["listKind"] = names["kind"] + "List"
        spec["names"] = ordered_names(names)
    if not isinstance(spec.get("conversion"), dict):
        spec["conversion"] = {"strategy": "None"}


class CRDAdmission:
    """Admission plugin for CustomResourceDefinitions: status on create, stored versions, CEL parse."""

    kinds = (CRD_KIND,)

    def admit(self, api: Any, op: str, obj: Obj, old: Obj | None) -> None:
        storage = storage_version(obj)
        if op == "CREATE":
            obj["status"] = {"acceptedNames": {"kind": "", "plural": ""}, "conditions": [],
                             "storedVersions": [storage] if storage else []}
        elif old is not None:
            status = obj.setdefault("status", {})
            stored = list((old.get("status") or {}).get("storedVersions") or ())
            if storage and storage not in stored:
                stored.append(storage)
            status["storedVersions"] = stored
        causes = []
        for i, version in enumerate(versions(obj)):
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if not isinstance(schema, dict):
                continue
            for path, rule, error in cel.parse_errors(schema):
                causes.append((f"spec.versions[{i}].schema.openAPIV3Schema.{path}",
                               f"Invalid value: {render_value(rule)}: compilation failed: {error}"))
        if causes:
            raise invalid(CRD_KIND, str(obj.get("metadata", {}).get("name", "")), causes)

    def released(self, api: Any, obj: Obj) -> None:
        return None


def crd_of(api: Any, group: str, plural: str) -> Obj | None:
    """The CRD serving `plural.group`."""
    found = api.cache.get(CRD_KIND, "", f"{plural}.{group}")
    return found if isinstance(found, dict) else None


def admit_custom(api: Any, key: str, op: str, obj: Obj, old: Obj | None) -> None:
    """Admission of a custom resource (see the module docstring); raises the 422 InvalidError."""
    info = api.info(key)
    crd = crd_of(api, info.group, info.plural)
    if crd is None:
        return
    name = str((obj.get("metadata") or {}).get("name", ""))
    if op == "CREATE" and (crd.get("metadata") or {}).get("deletionTimestamp"):
        raise MethodNotAllowedError("create not allowed while custom resource definition is terminating")
    _, version = split_api_version(str(obj.get("apiVersion", "")))
    result = admit(obj, crd, version, old)
    if result.causes:
        raise invalid(key, name, result.causes)
    storage = storage_version(crd)
    if storage:
        obj["apiVersion"] = f"{info.group}/{storage}"


def mark_deleting(old: Obj, finalizer: str | None, now: float) -> Obj | None:
    """A CRD's delete (the apiextensions registry's Delete): not removed at once, but marked with a
    deletionTimestamp, the cleanup finalizer and `Terminating` while `controllers.CRDFinalizer`
    deletes its custom resources; None when it is already being deleted."""
    from kapply.cluster.sim.crd.controllers import CLEANUP_FINALIZER, set_condition

    meta = old["metadata"]
    if meta.get("deletionTimestamp"):
        return None
    new = copy.deepcopy(old)
    finalizers = list(meta.get("finalizers") or ())
    for name in (CLEANUP_FINALIZER, finalizer):
        if name is not None and name not in finalizers:
            finalizers.append(name)
    new["metadata"].update(deletionTimestamp=rfc3339(now), deletionGracePeriodSeconds=0,
                           finalizers=finalizers)
    set_condition(new, "Terminating", "True", "InstanceDeletionPending", "CustomResourceDefinition marked "
                  "for deletion; CustomResource deletion will begin soon", now)
    return new
