"""Inventory and prune safety: kapply deletes only what it applied from this source."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from kapply.errors import PruneRefusedError, ValidationError
from kapply.load.origin import Location, Origin
from kapply.model.keys import ResourceKey
from kapply.plan.inventory import (
    Inventory,
    inventory_id_for,
    inventory_key,
    ownership_labels,
    prune_candidates,
)
from kapply.plan.plan import make_plan

INV = "manifests-1a2b3c4d"


def live_object(name: str, labels: dict | None, annotations: dict | None = None) -> dict:
    meta: dict = {"name": name, "namespace": "default", "uid": "u-" + name}
    if labels is not None:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {"ports": [{"port": 80}]}}


def key(name: str) -> ResourceKey:
    return ResourceKey("", "Service", "default", name)


OURS = ownership_labels(INV)


@pytest.mark.parametrize(("labels", "annotations", "prune", "reason"), [
    (OURS, None, True, "absent from the source"),
    ({}, None, False, "no longer labelled as managed by kapply"),
    (None, None, False, "no longer labelled as managed by kapply"),
    ({"app.kubernetes.io/managed-by": "kapply", "kapply.io/inventory": "other-1"}, None, False,
     'labelled with another inventory "other-1"'),
    ({"kapply.io/inventory": INV}, None, False, "no longer labelled as managed by kapply"),
    (OURS, {"kapply.io/prune": "disabled"}, False, "kapply.io/prune: disabled"),
])
def test_prune_candidates(labels: dict | None, annotations: dict | None, prune: bool, reason: str) -> None:
    obj = live_object("old", labels, annotations)
    [cand] = prune_candidates(Inventory(INV, {key("old")}), [], {key("old"): obj})
    assert (cand.prune, cand.reason) == (prune, reason)


def test_nothing_outside_the_inventory_is_ever_a_candidate() -> None:
    stray = live_object("stray", OURS)
    assert prune_candidates(Inventory(INV, set()), [], {key("stray"): stray}) == []
    assert prune_candidates(None, [], {key("stray"): stray}) == []


def test_objects_still_in_the_source_or_already_gone_are_not_candidates() -> None:
    inv = Inventory(INV, {key("kept"), key("gone")})
    assert prune_candidates(inv, [key("kept")], {key("kept"): live_object("kept", OURS)}) == []


def test_plan_prunes_last_in_reverse_order(cluster: Callable, hello_service: dict) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "old", "labels": OURS}}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "old", "namespace": "default", "labels": OURS}, "spec": {}}
    svc = live_object("old", OURS)
    live = {ResourceKey.of(o): o for o in (ns, dep, svc)}
    p = make_plan([hello_service], live, Inventory(INV, set(live)), inventory_id=INV, prune=True)
    assert [(c.action, c.key.kind) for c in p.changes] == [
        ("create", "Service"), ("prune", "Deployment"), ("prune", "Service"), ("prune", "Namespace")]
    assert p.changes[1].fields[0].op == "remove" and p.changes[1].fields[0].path == ()
    assert p.counts()["prune"] == 3


def test_without_prune_nothing_is_pruned(hello_service: dict) -> None:
    live = {key("old"): live_object("old", OURS)}
    p = make_plan([hello_service], live, Inventory(INV, {key("old")}), inventory_id=INV, prune=False)
    assert [c.action for c in p.changes] == ["create"]


def test_unprunable_inventory_objects_are_reported_as_skipped(hello_service: dict) -> None:
    live = {key("old"): live_object("old", OURS, {"kapply.io/prune": "disabled"})}
    p = make_plan([hello_service], live, Inventory(INV, {key("old")}), inventory_id=INV, prune=True)
    assert [(c.action, c.reason) for c in p.changes][1] == ("skip", "not pruned: kapply.io/prune: disabled")
    assert p.counts()["prune"] == 0


def test_empty_source_with_prune_is_refused() -> None:
    live = {key("old"): live_object("old", OURS)}
    with pytest.raises(PruneRefusedError, match="--allow-empty"):
        make_plan([], live, Inventory(INV, {key("old")}), inventory_id=INV, prune=True)


def test_empty_source_with_allow_empty_prunes_everything_ours() -> None:
    live = {key("old"): live_object("old", OURS), key("foreign"): live_object("foreign", {})}
    inv = Inventory(INV, {key("old"), key("foreign")})
    p = make_plan([], live, inv, inventory_id=INV, prune=True, allow_empty=True)
    assert [(c.action, c.key.name) for c in p.changes] == [("prune", "old"), ("skip", "foreign")]


def test_inventory_configmap_round_trip() -> None:
    inv = Inventory(INV, {key("a"), ResourceKey("", "Namespace", "", "prod"),
                          ResourceKey("apps", "Deployment", "prod", "web")})
    cm = inv.to_configmap()
    assert cm["metadata"]["name"] == f"kapply-inventory-{INV}"
    assert cm["metadata"]["namespace"] == "default"
    assert ResourceKey.of(cm) == inventory_key(INV)
    assert cm["metadata"]["labels"] == OURS
    assert all(isinstance(v, str) for v in cm["data"].values())
    assert Inventory.from_configmap(copy.deepcopy(cm)) == inv
    assert "source" not in cm["data"]  # recorded only when known
    sourced = Inventory(INV, inv.keys, Origin.of([Location("github.com/org/app", "k8s")]))
    assert json.loads(sourced.to_configmap()["data"]["source"]) == [{"repository": "github.com/org/app",
                                                                    "path": "k8s"}]
    assert Inventory.from_configmap(sourced.to_configmap()) == sourced
    assert sourced.updated([key("x")], []).source == sourced.source  # kept unless replaced


@pytest.mark.parametrize("data", [{"objects": "not json"}, {"objects": '[{"kind": "X"}]'},
                                  {"objects": "[]", "source": "not json"}, {"objects": "[]", "source": "[]"},
                                  {"objects": "[]", "source": '[{"repository": "r"}]'}])
def test_corrupt_inventory_is_a_clear_error(data: dict) -> None:
    cm = Inventory(INV, set()).to_configmap()
    cm["data"] = data
    with pytest.raises(ValidationError, match="corrupt"):
        Inventory.from_configmap(cm)


def test_updated_inventory_keeps_failed_deletes() -> None:
    inv = Inventory(INV, {key("a"), key("b"), key("c")})
    nxt = inv.updated(applied=[key("d")], pruned=[key("a")])  # b's delete failed: not in pruned
    assert nxt.keys == {key("b"), key("c"), key("d")}


def test_inventory_id_is_stable_dns_safe_and_distinguishes_folders(tmp_path: object) -> None:
    a = inventory_id_for(["/srv/My_App/manifests"])
    assert a == inventory_id_for(["/srv/My_App/manifests/"]) == inventory_id_for(["/srv/My_App/manifests"])
    assert a.startswith("manifests-") and len(a) == len("manifests-") + 10
    assert a != inventory_id_for(["/srv/other/manifests"])
    assert inventory_id_for(["/x/Hello World.yaml"]).startswith("hello-world-")
    long_id = inventory_id_for(["/x/" + "a" * 100])
    assert len(long_id) <= 63
    for value in (a, long_id):
        assert value == value.lower() and value[0].isalnum() and value[-1].isalnum()


@pytest.mark.parametrize(("override", "ok"), [("prod", True), ("Prod", False), ("-x", False),
                                               ("a" * 64, False), ("team-a-1", True)])
def test_inventory_id_override(override: str, ok: bool) -> None:
    if ok:
        assert inventory_id_for(["/x"], override) == override
    else:
        with pytest.raises(ValidationError, match="invalid inventory id"):
            inventory_id_for(["/x"], override)


def test_inventory_never_lists_itself() -> None:
    inv = Inventory(INV, set()).updated(applied=[inventory_key(INV), key("a")], pruned=[])
    assert inv.keys == {key("a")}


def test_inventory_id_is_the_same_in_every_clone(tmp_path) -> None:
    ids = []
    for clone, url in (("laptop/repo", "git@github.com:Org/app.git"),
                       ("ci-runner/build-1234", "https://x-access-token@github.com/org/app")):
        root = tmp_path / clone
        (root / ".git").mkdir(parents=True)
        (root / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}\n')
        (root / "deploy" / "prod").mkdir(parents=True)
        ids.append(inventory_id_for([str(root / "deploy" / "prod")]))
    assert ids[0] == ids[1]
    assert ids[0].startswith("prod-")
    other = tmp_path / "laptop/repo/deploy/staging"
    other.mkdir()
    assert inventory_id_for([str(other)]) != ids[0]
