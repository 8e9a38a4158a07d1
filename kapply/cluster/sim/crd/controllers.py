"""The apiextensions server's controllers for CRDs: naming, establishing, and the finalizer that
deletes a CRD's custom resources before the CRD goes.

- `NamingController` (pkg/controller/status/naming_controller.go) accepts the names a CRD asks
  for unless another CRD of the same group holds them: `status.acceptedNames`, `NamesAccepted`
  (True `NoConflicts` / False `PluralConflict`, `KindConflict`, ... with `"x" is already in use`)
  and `Established` False `Installing` until established.
- `EstablishingController` (pkg/controller/establish): `Established` True `InitialNamesAccepted`,
  `the initial names have been accepted`, once the names are accepted. From then on the kind is
  served (`kapply.cluster.sim.kindview`).
- `CRDFinalizer` (pkg/controller/finalizer/crd_finalizer.go): deleting a CRD sets
  `Terminating` and the `customresourcecleanup.apiextensions.k8s.io` finalizer (SimAPI.delete);
  this controller deletes every custom resource of the CRD and removes the finalizer once none is
  left. Custom resources with finalizers of their own hold the CRD until those are removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapply.cluster.sim.controllers.base import Change, Context
from kapply.cluster.sim.crd.admission import ordered_names
from kapply.cluster.sim.helpers import conditions
from kapply.cluster.sim.kindview import custom_key, is_custom_key
from kapply.errors import NotFoundError
from kapply.model.crd import condition
from kapply.model.jsoncopy import deep_copy

Obj = dict[str, Any]
CRD_KIND = "CustomResourceDefinition"
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


def set_condition(crd: Obj, type_: str, status: str, reason: str, message: str, now: float) -> None:
    """SetCRDCondition: replace the condition of that type, keeping its transition time when the
    status did not change."""
    conditions.set_condition(crd.setdefault("status", {}).setdefault("conditions", []), type_, status, reason,
                             message, now)


def _names_in_group(ctx: Context, group: str, skip: str) -> tuple[set[str], set[str]]:
    resources: set[str] = set()
    kinds: set[str] = set()
    for crd in ctx.list(CRD_KIND):
        if (crd.get("spec") or {}).get("group") != group or crd["metadata"]["name"] == skip:
            continue
        accepted = (crd.get("status") or {}).get("acceptedNames") or {}
        resources.update(str(n) for n in (accepted.get("plural"), accepted.get("singular"), *(
            accepted.get("shortNames") or ())) if n)
        kinds.update(str(n) for n in (accepted.get("kind"), accepted.get("listKind")) if n)
    return resources, kinds


def _fresh(requested: Any, accepted: Any, used: set[str]) -> str:
    """equalToAcceptedOrFresh: the error text when `requested` is taken, else ""."""
    if requested == accepted or requested not in used:
        return ""
    return f'"{requested}" is already in use'


class NamingController:
    """Accepts a CRD's names (NamesAccepted) and marks it Installing until established."""

    name = "crd-naming"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind != CRD_KIND:
            return ()
        if change.type == "DELETED":  # its names are free: the other CRDs of its group may take them
            return (f"group:{(change.obj.get('spec') or {}).get('group', '')}",)
        return (change.name,)

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith("group:"):
            group = key[len("group:"):]
            for crd in ctx.list(CRD_KIND):
                if (crd.get("spec") or {}).get("group") == group:
                    self.sync(ctx, crd["metadata"]["name"])
            return
        crd = ctx.get(CRD_KIND, "", key)
        if crd is None:
            return
        spec = crd.get("spec") or {}
        requested = spec.get("names") or {}
        status = crd.get("status") or {}
        accepted = status.get("acceptedNames") or {}
        if requested == accepted:
            return
        resources, kinds = _names_in_group(ctx, str(spec.get("group", "")), key)
        names = dict(accepted)
        reason, message = "", ""
        for field, used, why in (("plural", resources, "PluralConflict"), ("singular", resources,
                                                                           "SingularConflict")):
            error = _fresh(requested.get(field), accepted.get(field), used)
            if error:
                reason, message = why, error
            elif requested.get(field) is not None:
                names[field] = requested[field]
        if requested.get("shortNames") != accepted.get("shortNames"):
            mine = set(accepted.get("shortNames") or ())
            errors = [e for s in requested.get("shortNames") or () if s not in mine and s not in (
                accepted.get("plural"), accepted.get("singular")) for e in [_fresh(s, "", resources)] if e]
            if errors:
                reason, message = "ShortNamesConflict", ", ".join(errors)
            else:
                names["shortNames"] = requested.get("shortNames")
        for field, why in (("kind", "KindConflict"), ("listKind", "ListKindConflict")):
            error = _fresh(requested.get(field), accepted.get(field), kinds)
            if error:
                reason, message = why, error
            elif requested.get(field) is not None:
                names[field] = requested[field]
        if requested.get("categories") is not None:
            names["categories"] = requested["categories"]
        else:
            names.pop("categories", None)
        names = ordered_names({k: v for k, v in names.items() if v is not None})
        new = deep_copy(crd)
        new.setdefault("status", {})["acceptedNames"] = names
        if reason:
            set_condition(new, "NamesAccepted", "False", reason, message, ctx.now)
        else:
            set_condition(new, "NamesAccepted", "True", "NoConflicts", "no conflicts found", ctx.now)
        established = condition(crd, "Established")
        if established is None:
            set_condition(new, "Established", "False", "NotAccepted", "not all names are accepted", ctx.now)
        if (established is None or established.get("status") != "True") and not reason:
            set_condition(new, "Established", "False", "Installing", "the initial names have been accepted",
                          ctx.now)
        ctx.update_status(new)


class EstablishingController:
    """Established=True once the names are accepted: from then on the kind is served."""

    name = "crd-establishing"

    def watches(self, change: Change) -> Iterable[str]:
        return (change.name,) if change.kind == CRD_KIND and change.type != "DELETED" else ()

    def sync(self, ctx: Context, key: str) -> None:
        crd = ctx.get(CRD_KIND, "", key)
        if crd is None:
            return
        accepted = condition(crd, "NamesAccepted")
        established = condition(crd, "Established")
        if accepted is None or accepted.get("status") != "True":
            return
        if established is not None and established.get("status") == "True":
            return
        new = deep_copy(crd)
        set_condition(new, "Established", "True", "InitialNamesAccepted",
                      "the initial names have been accepted", ctx.now)
        ctx.update_status(new)


class CRDFinalizer:
    """Deletes the custom resources of a CRD being deleted, then lets the CRD go."""

    name = "crd-finalizer"

    def watches(self, change: Change) -> Iterable[str]:
        if change.kind == CRD_KIND and change.type != "DELETED" and \
                (change.obj.get("metadata") or {}).get("deletionTimestamp"):
            return (change.name,)
        if change.type == "DELETED" and is_custom_key(change.kind):  # one fewer to wait for
            kind, _, group = change.kind.partition(".")
            return (f"instance:{kind}.{group}",)
        return ()

    def sync(self, ctx: Context, key: str) -> None:
        if key.startswith("instance:"):
            kind, _, group = key[len("instance:"):].partition(".")
            for crd in ctx.list(CRD_KIND):
                spec = crd.get("spec") or {}
                if spec.get("group") == group and (spec.get("names") or {}).get("kind") == kind and \
                        crd["metadata"].get("deletionTimestamp"):
                    self.sync(ctx, crd["metadata"]["name"])
            return
        crd = ctx.get(CRD_KIND, "", key)
        if crd is None or not crd["metadata"].get("deletionTimestamp") or \
                CLEANUP_FINALIZER not in (crd["metadata"].get("finalizers") or ()):
            return
        spec = crd.get("spec") or {}
        kind = str((spec.get("names") or {}).get("kind", ""))
        group = str(spec.get("group", ""))
        terminating = condition(crd, "Terminating")
        if terminating is None or terminating.get("reason") != "InstanceDeletionInProgress":
            new = deep_copy(crd)
            set_condition(new, "Terminating", "True", "InstanceDeletionInProgress",
                          "CustomResource deletion is in progress", ctx.now)
            crd = ctx.update_status(new)
        left = self._delete_instances(ctx, custom_key(kind, group))
        if left:
            return  # each deletion wakes this controller again (watches)
        new = deep_copy(crd)
        set_condition(new, "Terminating", "False", "InstanceDeletionCompleted", "removed all instances",
                      ctx.now)
        new = ctx.update_status(new)
        done = deep_copy(new)
        done["metadata"]["finalizers"] = [f for f in new["metadata"].get("finalizers") or ()
                                          if f != CLEANUP_FINALIZER]
        if not done["metadata"]["finalizers"]:
            del done["metadata"]["finalizers"]
        ctx.update(done)

    def _delete_instances(self, ctx: Context, key: str) -> int:
        """Delete every object of the kind; how many are still there (finalizers of their own)."""
        try:
            found = ctx.list(key)
        except NotFoundError:  # the kind was never established: nothing to delete
            return 0
        left = 0
        for obj in found:
            meta = obj["metadata"]
            if not meta.get("deletionTimestamp"):
                ctx.delete(key, meta.get("namespace", ""), meta["name"])
            if ctx.get(key, meta.get("namespace", ""), meta["name"]) is not None:
                left += 1
        return left
