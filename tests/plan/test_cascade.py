"""A pruned Namespace takes its content with it: the plan says so, and refuses when that is unsafe."""

from __future__ import annotations

import pytest

from kapply.errors import PruneRefusedError
from kapply.model.keys import ResourceKey
from kapply.plan.cascade import with_cascade
from kapply.plan.inventory import Inventory, ownership_labels
from kapply.plan.plan import make_plan
from kapply.plan.render import render_text, summary

INV = "team-0123456789"
OURS = ownership_labels(INV)


def obj(api: str, kind: str, name: str, ns: str | None = "team", labels: dict | None = None,
        annotations: dict | None = None) -> dict:
    meta: dict = {"name": name, "labels": labels or {}}
    if ns:
        meta["namespace"] = ns
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": api, "kind": kind, "metadata": meta}


NS = obj("v1", "Namespace", "team", None, OURS)
DEPLOY = obj("apps/v1", "Deployment", "web", labels=OURS)
RS = obj("apps/v1", "ReplicaSet", "web-5d4f")
POD = obj("v1", "Pod", "web-5d4f-abcde")
EVENT = obj("v1", "Event", "web.17a")
FOREIGN = obj("v1", "ConfigMap", "made-by-hand")


def plan_without_namespace(desired: list[dict], contents: list[dict]) -> object:
    live = {ResourceKey.of(o): o for o in [NS, DEPLOY, *contents]}
    inventory = Inventory(INV, {ResourceKey.of(NS), ResourceKey.of(DEPLOY)})
    plan = make_plan(desired, live, inventory, inventory_id=INV, prune=True, allow_empty=True)
    return with_cascade(plan, {ResourceKey.of(o) for o in desired}, {"team": [DEPLOY, *contents]})


def test_everything_in_a_pruned_namespace_is_listed_after_it() -> None:
    plan = plan_without_namespace([], [RS, POD, EVENT, FOREIGN])
    rows = [(c.action, c.key.kind, c.reason) for c in plan.changes]  # type: ignore[attr-defined]
    assert rows == [
        ("prune", "Deployment", "absent from the source"),
        ("prune", "Namespace", "absent from the source"),
        ("cascade", "Pod", "deleted with namespace/team"),
        ("cascade", "ReplicaSet", "deleted with namespace/team"),
        ("cascade", "ConfigMap", "deleted with namespace/team"),
    ]  # pruned objects are not listed twice; Events are not listed
    counts = plan.counts()  # type: ignore[attr-defined]
    assert counts["cascade"] == 3 and counts["unchanged"] == 0
    assert summary(plan).startswith(  # type: ignore[arg-type]
        "Plan: 0 to create, 0 to update, 0 to replace, 2 to prune, 3 deleted with their namespace, "
        "0 unchanged")
    text = render_text(plan, colour=False)  # type: ignore[arg-type]
    assert "pod/web-5d4f-abcde -n team deleted with namespace/team\n" in text
    doc = plan.to_json()  # type: ignore[attr-defined]
    assert [c["action"] for c in doc["changes"]].count("cascade") == 3
    assert doc["summary"]["cascade"] == 3


def test_a_namespace_the_source_still_uses_is_not_pruned() -> None:
    app = obj("v1", "ConfigMap", "settings")
    with pytest.raises(PruneRefusedError) as caught:
        plan_without_namespace([app], [POD])
    text = str(caught.value)
    assert "namespace/team still holds objects of the source" in text and "configmap/settings" in text
    assert "nothing was written" in text


def test_a_namespace_holding_an_object_protected_from_prune_is_not_pruned() -> None:
    keep = obj("v1", "Secret", "keys", annotations={"kapply.io/prune": "disabled"})
    with pytest.raises(PruneRefusedError, match=r"marked kapply\.io/prune: disabled.*secret/keys"):
        plan_without_namespace([], [keep])


def test_an_inventory_object_kept_by_its_label_goes_with_its_namespace() -> None:
    taken = obj("v1", "ConfigMap", "taken-over", labels={"app.kubernetes.io/managed-by": "helm"})
    live = {ResourceKey.of(o): o for o in [NS, taken]}
    inventory = Inventory(INV, set(live))
    plan = make_plan([], live, inventory, inventory_id=INV, prune=True, allow_empty=True)
    assert [c.action for c in plan.changes] == ["skip", "prune"]
    plan = with_cascade(plan, set(), {"team": [taken]})
    assert [(c.action, c.key.name) for c in plan.changes] == [("prune", "team"), ("cascade", "taken-over")]


def test_plans_that_prune_no_namespace_are_untouched() -> None:
    live = {ResourceKey.of(DEPLOY): DEPLOY}
    plan = make_plan([], live, Inventory(INV, set(live)), inventory_id=INV, prune=True, allow_empty=True)
    assert with_cascade(plan, set(), {}) is plan


def test_a_long_refusal_names_ten_objects_and_counts_the_rest() -> None:
    many = [obj("v1", "ConfigMap", f"c{i:02}") for i in range(13)]
    with pytest.raises(PruneRefusedError, match="configmap/c09 and 3 more"):
        plan_without_namespace(many, [])
