"""What a pruned Namespace takes with it, said before anything is deleted.

Deleting a Namespace deletes everything in it (the namespace controller empties it, then the
Namespace goes). A plan that prunes a Namespace therefore lists every object inside it that is not
pruned on its own as a `cascade` change ("deleted with namespace/x"), so neither `diff` nor
`apply` calls such an object "unchanged" or leaves it out. The executor writes nothing for these:
the API server deletes them with the Namespace.

A Namespace is not pruned while the source still holds objects in it (they would be deleted with
it, although the source wants them), nor while it holds an object marked `kapply.io/prune:
disabled` (which prune promises never to delete): `PruneRefusedError` names those objects, before
anything is written. Events are not listed (they are records about objects, not objects anyone
applied). Pure: the caller lists each namespace's objects (`kapply.apply.live.namespace_contents`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from kapply.errors import PruneRefusedError
from kapply.model.keys import ResourceKey
from kapply.model.kinds import REGISTRY
from kapply.plan.change import Change
from kapply.plan.inventory import PRUNE_ANNOTATION, PRUNE_DISABLED, prune_disabled
from kapply.plan.plan import Plan

NOT_LISTED = frozenset({"Event"})
MAX_NAMED = 10  # objects named in a refusal before "and N more"


def pruned_namespaces(plan: Plan) -> list[str]:
    """Names of the Namespaces the plan prunes."""
    return [c.key.name for c in plan.changes if c.action == "prune" and c.key.group == "" and
            c.key.kind == "Namespace"]


def with_cascade(plan: Plan, desired_keys: Iterable[ResourceKey],
                 contents: Mapping[str, Sequence[dict]]) -> Plan:
    """`plan` with what each pruned Namespace deletes listed after it; refuses unsafe prunes."""
    namespaces = pruned_namespaces(plan)
    if not namespaces:
        return plan
    wanted = set(desired_keys)
    _refuse_unsafe(namespaces, wanted, contents)
    pruned = {c.key for c in plan.changes if c.action == "prune"}
    changes: list[Change] = []
    gone: set[ResourceKey] = set()
    for change in plan.changes:
        changes.append(change)
        if change.action != "prune" or change.key.kind != "Namespace" or change.key.group != "":
            continue
        for obj in sorted(contents.get(change.key.name, ()), key=_sort_key):
            key = ResourceKey.of(obj)
            if key.kind in NOT_LISTED or key in pruned:
                continue
            gone.add(key)
            changes.append(Change("cascade", key, None, obj, (), f"deleted with {change.key.ref}"))
    # an inventory object kept (relabelled by someone) goes with its namespace all the same
    changes = [c for c in changes if not (c.key in gone and c.action == "skip")]
    return dataclasses.replace(plan, changes=tuple(changes))


def _refuse_unsafe(namespaces: list[str], wanted: set[ResourceKey],
                   contents: Mapping[str, Sequence[dict]]) -> None:
    problems = []
    for ns in namespaces:
        held = sorted(k for k in wanted if k.namespace == ns and _namespaced(k))
        if held:
            problems.append(f"namespace/{ns} still holds objects of the source, which would be deleted "
                            f"with it: {_names(held)}; remove them from the source too, or keep the "
                            "Namespace in it")
        protected = sorted(ResourceKey.of(o) for o in contents.get(ns, ()) if prune_disabled(o))
        if protected:
            problems.append(f"namespace/{ns} holds objects marked {PRUNE_ANNOTATION}: {PRUNE_DISABLED}, "
                            f"which would be deleted with it: {_names(protected)}")
    if problems:
        raise PruneRefusedError("refusing to prune: " + "\n".join(problems) + "\nnothing was written")


def _names(keys: Sequence[ResourceKey]) -> str:
    shown = ", ".join(k.ref for k in keys[:MAX_NAMED])
    more = len(keys) - MAX_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def _namespaced(key: ResourceKey) -> bool:
    info = REGISTRY.lookup_kind(key.group, key.kind)
    return info.namespaced if info is not None else bool(key.namespace)


def _sort_key(obj: dict) -> tuple[int, str, str]:
    key = ResourceKey.of(obj)
    return (-REGISTRY.rank(key.group, key.kind), key.kind, key.name)
