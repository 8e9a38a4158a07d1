"""Cluster-scoped custom kinds (a CRD with `scope: Cluster`) are keyed without a namespace, from
the folder's CRD before it is served and from the target's discovery after: a re-apply is no
change, the diff never shows a `namespace: default` the server drops, and an inventory written by
a kapply that keyed them in `default` still names them (nothing is pruned for it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.apply.applier import execute
from kapply.apply.reconcile import PlanOptions, plan_objects
from kapply.cluster.sim.testing import new_test_cluster
from kapply.model.crd import cluster_scoped_kinds
from kapply.model.keys import ResourceKey
from kapply.plan.inventory import Inventory

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Cluster",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
             "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                 "type": "object",
                 "properties": {"spec": {"type": "object",
                                         "x-kubernetes-preserve-unknown-fields": True}}}}}]},
}


def widget(size: int = 3) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"},
            "spec": {"size": size}}


def test_scopes_come_from_the_folders_crds_and_the_targets_discovery() -> None:
    assert cluster_scoped_kinds([CRD, widget()]) == {("example.com", "Widget")}
    namespaced = {**CRD, "spec": {**CRD["spec"], "scope": "Namespaced"}}
    assert cluster_scoped_kinds([namespaced]) == frozenset()
    assert ResourceKey.of(widget(), cluster_scoped={("example.com", "Widget")}).namespace == ""
    assert ResourceKey.of(widget()).namespace == "default"  # unknown scope: taken for namespaced


@pytest.mark.parametrize("transactional", [True, False], ids=["embedded", "no-transactions"])
def test_a_cluster_scoped_custom_resource_applies_once(tmp_path: Path, transactional: bool) -> None:
    from tests.apply.test_applier_crds import NoTransactions

    sim = new_test_cluster(tmp_path)
    cluster = sim if transactional else NoTransactions(sim)
    plan, inventory = plan_objects(cluster, [CRD, widget()], "widgets", PlanOptions())
    assert [c.key.display for c in plan.changes] == ["CustomResourceDefinition/widgets.example.com",
                                                     "Widget/w1"]
    execute(cluster, plan, inventory)
    assert "namespace" not in sim.get("Widget", "", "w1", group="example.com")["metadata"]

    again, _ = plan_objects(cluster, [CRD, widget()], "widgets", PlanOptions(prune=True))
    assert [c.action for c in again.changes] == ["unchanged", "unchanged"]
    changed, _ = plan_objects(cluster, [CRD, widget(4)], "widgets", PlanOptions(prune=True))
    update = changed.changes[1]
    assert (update.action, [f.path for f in update.fields]) == ("update", [("spec", "size")])


def test_an_inventory_that_keyed_them_in_default_still_names_them(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path)
    plan, inventory = plan_objects(cluster, [CRD, widget()], "widgets", PlanOptions())
    execute(cluster, plan, inventory)
    from kapply.apply.live import read_inventory, write_inventory

    stored = read_inventory(cluster, "widgets")
    assert stored is not None and ResourceKey("example.com", "Widget", "", "w1") in stored.keys
    old = Inventory("widgets", {ResourceKey("example.com", "Widget", "default", "w1"),
                                ResourceKey("apiextensions.k8s.io", "CustomResourceDefinition", "",
                                            "widgets.example.com")}, stored.source)
    write_inventory(cluster, old)

    again, _ = plan_objects(cluster, [CRD, widget()], "widgets", PlanOptions(prune=True))
    assert [c.action for c in again.changes] == ["unchanged", "unchanged"]  # no prune of Widget/default/w1
