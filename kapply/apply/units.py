"""A run's sources: each kustomization is one, and the plain manifests beside them are one more.

`kapply apply overlays/` where `overlays/` holds `staging/` and `production/` applies two
kustomizations; each has its own inventory, as two `kubectl apply -k` runs would, so pruning one
never touches the other's objects and applying one overlay later alone finds its own inventory.
The id of a kustomization's inventory is the id of its folder, the same whether it is named
directly (`kapply apply overlays/production`, `-k overlays/production`) or reached by walking a
parent folder. Plain manifests keep the id of the paths that hold them.

Everything is loaded and validated first: if any source is invalid, nothing is planned for any of
them. Then each source is planned on its own through `plan_source`, so a kustomization's
inventory id and ownership follow the rules of any folder (`kapply.apply.ownership`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from kapply.apply.reconcile import PlanOptions, Prepared, plan_source
from kapply.cluster.protocol import Cluster
from kapply.errors import UsageError
from kapply.load.walk import display_path
from kapply.validate.pipeline import Validated


@dataclass(frozen=True)
class Unit:
    """One source: a kustomization folder (real path), or the plain manifests of `paths`."""

    paths: tuple[str, ...]  # what its inventory id is derived from
    kustomization: str | None = None

    @property
    def name(self) -> str:
        return display_path(self.kustomization) if self.kustomization else ", ".join(self.paths)


def split(paths: Sequence[str], validated: Validated) -> list[tuple[Unit, Validated]]:
    """The sources of `paths` (kustomizations first, in load order), each with its documents.

    Plain manifests are a source when there are any, or when nothing else is (an empty folder,
    so the empty-source guard of prune sees it).
    """
    roots = list(dict.fromkeys(os.path.realpath(os.path.dirname(k)) for k in validated.report.kustomizations))
    given = {os.path.realpath(p): p for p in reversed(paths) if p != "-"}  # a root as the user named it
    parts: dict[str | None, Validated] = {r: _part(validated) for r in [*roots, None]}
    for doc, key in zip(validated.documents, validated.keys, strict=True):
        part = parts.get(doc.kustomization, parts[None])
        part.documents.append(doc)
        part.keys.append(key)
    units = [(Unit((given.get(r, r),), r), parts[r]) for r in roots]
    if parts[None].documents or not units:
        plain = tuple(p for p in paths if p == "-" or os.path.realpath(p) not in roots) or tuple(paths)
        units.append((Unit(plain), parts[None]))
    return units


def _part(validated: Validated) -> Validated:
    return Validated(validated.report, [], [])


def check_units(units: Sequence[tuple[Unit, Validated]], options: PlanOptions) -> None:
    """One `--inventory` cannot name the inventories of several sources."""
    if len(units) > 1 and options.inventory:
        names = "; ".join(unit.name for unit, _ in units)
        raise UsageError(f"--inventory names one inventory, but these paths hold {len(units)} sources "
                         f"({names}), each with its own: name one source per command")


def plan_unit(cluster: Cluster, unit: Unit, part: Validated, options: PlanOptions) -> Prepared:
    """One source planned as a folder is: its id, ownership and prune rules from `plan_source`."""
    return plan_source(cluster, part, list(unit.paths), options)
