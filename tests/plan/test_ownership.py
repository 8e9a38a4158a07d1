"""Whose inventory a run writes and whether it may prune: the run's source against the recorded one."""

from __future__ import annotations

import pytest

from kapply.errors import OwnershipError, PruneRefusedError
from kapply.load.origin import STDIN, Location, Origin
from kapply.plan.inventory import Inventory, inventory_id_of, legacy_inventory_id
from kapply.plan.ownership import STDIN_PRUNE, Ownership, choose, relate


def src(*paths: str, repo: str = "github.com/org/app") -> Origin:
    return Origin.of([Location(repo, p) for p in paths])


FOLDER = src("k8s")


@pytest.mark.parametrize(("run", "recorded", "exists", "relation"), [
    (FOLDER, None, False, "new"),
    (FOLDER, None, True, "unknown"),
    (FOLDER, FOLDER, True, "same"),
    (src("k8s/deployment.yaml"), FOLDER, True, "subset"),
    (src("k8s/prod"), FOLDER, True, "subset"),
    (src("k8s/a.yaml", "k8s/b.yaml"), FOLDER, True, "subset"),
    (src("base"), src("base", "overlays"), True, "subset"),  # one path of a two-path source
    (src("k8s", repo="github.com/org/other"), FOLDER, True, "other"),
    (src("k8s", "extra"), FOLDER, True, "other"),  # a superset is not within
    (src("k8s2"), FOLDER, True, "other"),
    (Origin.of([STDIN]), FOLDER, True, "other"),
    (Origin.of([STDIN]), Origin.of([STDIN]), True, "same"),
])
def test_relate(run: Origin, recorded: Origin | None, exists: bool, relation: str) -> None:
    inventory = Inventory("x", set(), recorded) if exists else None
    assert relate(run, inventory) == relation


@pytest.mark.parametrize(("relation", "same_source", "prune", "error"), [
    ("new", False, True, None),
    ("same", False, True, None),
    ("subset", False, False, None),
    ("subset", False, True, "prune never acts on part of a source"),
    ("unknown", False, False, None),
    ("unknown", False, True, "records no source"),
    ("unknown", True, True, None),
    ("other", False, False, "records another source"),
    ("other", True, True, None),
    ("none", False, False, None),
    ("none", False, True, STDIN_PRUNE),
])
def test_check(relation: str, same_source: bool, prune: bool, error: str | None) -> None:
    recorded = None if relation in ("new", "unknown", "none") else FOLDER
    run = src("k8s/app.yaml") if relation == "subset" else src("k8s", repo="h/b") if relation == "other" \
        else FOLDER
    own = Ownership(None if relation == "none" else "inv-1", run, relation, recorded, same_source)
    if error is None:
        own.check(prune)
        return
    kind = OwnershipError if relation == "other" else PruneRefusedError
    with pytest.raises(kind, match=error.replace("(", r"\(").replace(")", r"\)")):
        own.check(prune)


def test_refusals_name_both_sources_and_what_to_do() -> None:
    other = Ownership("prod", src("k8s", repo="github.com/org/b"), "other",
                      src("k8s", repo="github.com/org/a"))
    with pytest.raises(OwnershipError) as caught:
        other.check(prune=False)
    text = str(caught.value)
    assert 'inventory "prod"' in text and "github.com/org/a: k8s" in text and "github.com/org/b: k8s" in text
    assert "--same-source" in text and "Nothing was written" in text
    subset = Ownership("k8s-1", Origin.of([Location("github.com/org/app", "k8s/app.yaml")],
                                         {"github.com/org/app": "/work/app"}), "subset", FOLDER)
    with pytest.raises(PruneRefusedError, match=r"prune with the whole source instead: /work/app/k8s$"):
        subset.check(prune=True)


@pytest.mark.parametrize(("relation", "same_source", "record"), [
    ("new", False, "run"), ("same", False, "run"), ("subset", False, "recorded"),
    ("unknown", False, None), ("unknown", True, "run"), ("other", True, "run"), ("subset", True, "run"),
])
def test_what_the_inventory_records_afterwards(relation: str, same_source: bool, record: str | None) -> None:
    run, recorded = src("k8s/x.yaml"), (None if relation == "unknown" else FOLDER)
    own = Ownership("i", run, relation, recorded, same_source)
    assert own.record == {"run": run, "recorded": recorded, None: None}[record]
    assert Ownership(None, Origin.of([STDIN]), "none").record is None


def test_against_reads_the_inventory_as_it_is_now() -> None:
    own = Ownership("i", FOLDER, "new")
    assert own.against(Inventory("i", set(), FOLDER)).relation == "same"  # a concurrent run created it
    assert own.against(Inventory("i", set(), src("elsewhere"))).relation == "other"
    none = Ownership(None, Origin.of([STDIN]), "none")
    assert none.against(None) is none


def test_choose_prefers_the_same_source_then_the_nearest_enclosing_then_the_legacy_one() -> None:
    folder = Inventory("k8s-1", set(), FOLDER)
    prod = Inventory("prod-2", set(), src("k8s/prod"))
    whole = Inventory("root-3", set(), src("."))
    legacy = Inventory("app-1d1ed82e", set(), None)
    everything = [whole, prod, folder, legacy]
    assert choose(FOLDER, everything) is folder
    assert choose(src("k8s/prod/web.yaml"), everything) is prod  # nearest wins
    assert choose(src("k8s/dev/web.yaml"), everything) is folder
    assert choose(src("docs"), everything) is whole
    assert choose(src("docs", repo="h/other"), everything, legacy_id="app-1d1ed82e") is legacy
    assert choose(src("docs", repo="h/other"), everything, legacy_id="nope") is None
    recorded_legacy = Inventory("app-1d1ed82e", set(), src("elsewhere", repo="h/z"))
    assert choose(src("docs", repo="h/other"), [recorded_legacy], legacy_id="app-1d1ed82e") is None


@pytest.mark.parametrize(("a", "b"), [
    (src("k8s", repo="github.com/org/a"), src("k8s", repo="github.com/org/b")),
    (src("k8s"), src("k8s", "base")),
    (src("k8s"), Origin.of([Location("file://laptop", "/home/me/k8s")])),
])
def test_ids_of_distinct_sources_differ(a: Origin, b: Origin) -> None:
    assert inventory_id_of(a) != inventory_id_of(b)


@pytest.mark.parametrize(("source", "prefix"), [
    (src("k8s"), "k8s-"),
    (src("deploy/prod/app.yaml"), "app-"),
    (src("."), "app-"),  # the repository's root: named for the repository
    (src("My_Folder/Hello World.yml"), "hello-world-"),
    (Origin.of([Location("commit:" + "a" * 40, ".")]), "commit-"),
    (src("x" * 100), "x"),
])
def test_ids_are_dns_labels_named_for_the_source(source: Origin, prefix: str) -> None:
    value = inventory_id_of(source)
    assert value.startswith(prefix) and len(value) <= 63
    assert value == value.lower() and value[0].isalnum() and value[-1].isalnum()
    assert inventory_id_of(source) == value


def test_legacy_ids_are_the_ones_earlier_kapply_derived() -> None:
    # pinned from kapply before source identities, for /tmp/legacy/repo (a .git directory) with k8s/
    assert legacy_inventory_id(["k8s"]) == "k8s-17c13299"
    assert legacy_inventory_id(["k8s/app.yaml"]) == "app-1d1ed82e"
    assert legacy_inventory_id(["/tmp/legacy/plain/manifests", "k8s"]) == "manifests-819fc8a5"
    assert legacy_inventory_id(["stdin"]) == "stdin-a9a330bd"
