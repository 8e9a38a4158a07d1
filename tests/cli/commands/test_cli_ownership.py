"""Ownership as a user meets it: sources, subsets, standard input and reused inventories.

Each scenario runs the real commands against an embedded cluster, with git repositories made in
temporary folders (`git init`, a remote), so the source identity is read as in a real clone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kapply.cluster.sim import open_cluster
from kapply.model.keys import ResourceKey
from kapply.plan.inventory import Inventory, legacy_inventory_id, ownership_labels

Run = Callable[..., Any]


def cm(name: str, value: str = "1", namespace: str | None = None) -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}{ns}}}\ndata: {{x: '{value}'}}\n"


def live_configmaps(run_cli: Run) -> set[str]:
    out = run_cli("get", "configmaps", "-o", "name").stdout.split()
    return {n.split("/", 1)[1] for n in out if not n.startswith("configmap/kapply-inventory-")}


def inventories(run_cli: Run) -> dict[str, dict]:
    cluster = open_cluster("default")
    try:
        return {c["metadata"]["name"]: c["data"] for c in cluster.list("ConfigMap", namespace="default")
                if c["metadata"]["name"].startswith("kapply-inventory-")}
    finally:
        cluster.close()


def two_repos(git_repo: Callable[..., Path]) -> tuple[Path, Path]:
    a = git_repo("a", origin="git@github.com:team/a.git")
    b = git_repo("b", origin="https://github.com/team/b")
    for root in (a, b):
        (root / "k8s").mkdir()
        (root / "k8s" / "cm.yaml").write_text(cm(f"{root.name}-settings"))
    return a / "k8s", b / "k8s"


def test_two_repositories_with_k8s_folders_never_prune_each_other(run_cli: Run, git_repo: Any) -> None:
    a, b = two_repos(git_repo)
    assert run_cli("apply", str(a)).exit_code == 0
    assert run_cli("apply", str(b)).exit_code == 0
    assert len(inventories(run_cli)) == 2  # was one shared `k8s-...` inventory
    (a / "cm.yaml").write_text(cm("a-renamed"))
    (b / "cm.yaml").write_text(cm("b-renamed"))
    res = run_cli("apply", str(a), "--prune")
    assert res.exit_code == 0 and "configmap/a-settings pruned" in res.stdout
    assert "b-settings" not in res.stdout
    res = run_cli("apply", str(b), "--prune")
    assert res.exit_code == 0 and "configmap/b-settings pruned" in res.stdout and "a-" not in res.stdout
    live = live_configmaps(run_cli)
    assert {"a-renamed", "b-renamed"} <= live and not {"a-settings", "b-settings"} & live
    sources = sorted(json.loads(d["source"])[0]["repository"] for d in inventories(run_cli).values())
    assert sources == ["github.com/team/a", "github.com/team/b"]


def test_a_reused_inventory_id_is_refused_unless_it_is_the_same_source(run_cli: Run, git_repo: Any) -> None:
    a, b = two_repos(git_repo)
    assert run_cli("apply", str(a), "--inventory", "shared").exit_code == 0
    before = live_configmaps(run_cli)
    for command in (["apply", str(b)], ["apply", str(b), "--prune"], ["diff", str(b)], ["prune", str(b)]):
        res = run_cli(*command, "--inventory", "shared")
        assert res.exit_code == 2, command
        assert 'inventory "shared" records another source: github.com/team/a: k8s' in res.stderr
        assert "this run's source is github.com/team/b: k8s" in res.stderr and "--same-source" in res.stderr
    assert live_configmaps(run_cli) == before  # nothing was written
    res = run_cli("apply", str(b), "--inventory", "shared", "--prune", "--same-source")
    assert res.exit_code == 0
    assert "configmap/b-settings created" in res.stdout and "configmap/a-settings pruned" in res.stdout
    recorded = json.loads(inventories(run_cli)["kapply-inventory-shared"]["source"])
    assert recorded == [{"repository": "github.com/team/b", "path": "k8s"}]
    assert run_cli("apply", str(b), "--inventory", "shared", "--prune").exit_code == 0  # recorded now


def applied_folder(run_cli: Run, git_repo: Any) -> Path:
    """A repository's `manifests/` folder of two ConfigMaps, applied; returns the folder."""
    root = git_repo("app", origin="git@github.com:team/app.git")
    folder = root / "manifests"
    folder.mkdir()
    (folder / "one.yaml").write_text(cm("one"))
    (folder / "two.yaml").write_text(cm("two"))
    assert run_cli("apply", str(folder)).exit_code == 0
    return folder


def test_one_file_of_a_folder_is_applied_as_part_of_the_folder(run_cli: Run, git_repo: Any) -> None:
    folder = applied_folder(run_cli, git_repo)
    [(name, data)] = inventories(run_cli).items()
    (folder / "one.yaml").write_text(cm("one", "2"))
    res = run_cli("diff", str(folder / "one.yaml"))
    assert res.exit_code == 1 and "+  x: '2'" in res.stdout  # was exit 0: all skipped
    res = run_cli("apply", str(folder / "one.yaml"))
    assert (res.exit_code, res.stdout) == (0, "configmap/one configured\n")
    assert run_cli("diff", str(folder / "one.yaml")).exit_code == 0
    assert run_cli("diff", str(folder)).exit_code == 0
    (folder / "three.yaml").write_text(cm("three"))
    assert run_cli("apply", str(folder / "three.yaml")).stdout == "configmap/three created\n"
    after = inventories(run_cli)
    assert list(after) == [name]  # no inventory of its own: the folder's gained the key
    assert after[name]["source"] == data["source"]
    assert {o["name"] for o in json.loads(after[name]["objects"])} == {"one", "two", "three"}


def test_prune_never_acts_on_part_of_a_source(run_cli: Run, git_repo: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(applied_folder(run_cli, git_repo).parent)
    for command in (["apply", "manifests/one.yaml", "--prune"], ["prune", "manifests/one.yaml"],
                    ["diff", "manifests/one.yaml", "--prune"]):
        res = run_cli(*command)
        assert res.exit_code == 2, command
        assert "prune never acts on part of a source" in res.stderr
        assert res.stderr.rstrip().endswith("prune with the whole source instead: manifests")
    assert live_configmaps(run_cli) >= {"one", "two"}


def test_two_stdin_pipelines_never_prune_each_other(run_cli: Run) -> None:
    assert run_cli("apply", "-", input=cm("first")).exit_code == 0
    assert run_cli("apply", "-", input=cm("second")).exit_code == 0
    res = run_cli("apply", "-", "--prune", input=cm("second"))
    assert res.exit_code == 2
    assert "pruning objects read from standard input needs --inventory ID" in res.stderr
    assert live_configmaps(run_cli) >= {"first", "second"} and inventories(run_cli) == {}
    labels = run_cli("get", "configmap", "first", "--show-labels").stdout
    assert "app.kubernetes.io/managed-by=kapply" in labels and "kapply.io/inventory" not in labels
    assert run_cli("apply", "-", input=cm("first", "2")).stdout == "configmap/first configured\n"
    for pipeline in ("one", "two"):
        assert run_cli("apply", "-", "--inventory", pipeline,
                       input=cm(f"{pipeline}-a") + "---\n" + cm(f"{pipeline}-b")).exit_code == 0
    res = run_cli("apply", "-", "--inventory", "one", "--prune", input=cm("one-a"))
    assert (res.exit_code, res.stdout) == (0, "configmap/one-a unchanged\nconfigmap/one-b pruned\n")
    assert live_configmaps(run_cli) >= {"two-a", "two-b", "first", "second"}
    res = run_cli("apply", "-", input=cm("two-a"))  # an inventory's object, met without --inventory
    assert res.exit_code == 1
    assert 'managed by kapply inventory "two" (use --inventory two, or --adopt' in res.stdout


def test_an_inventory_of_an_earlier_kapply_is_used_but_not_pruned_until_confirmed(
        run_cli: Run, git_repo: Any) -> None:
    root = git_repo("old", origin="https://github.com/team/old")
    (root / "k8s").mkdir()
    (root / "k8s" / "a.yaml").write_text(cm("a"))
    legacy = legacy_inventory_id(["k8s"])
    cluster = open_cluster("default")  # as kapply before source identities left it
    try:
        for name in ("a", "gone"):
            cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "data": {"x": "1"},
                            "metadata": {"name": name, "namespace": "default",
                                         "labels": ownership_labels(legacy)}})
        cluster.create(Inventory(legacy, {ResourceKey("", "ConfigMap", "default", "a"),
                                          ResourceKey("", "ConfigMap", "default", "gone")}).to_configmap())
    finally:
        cluster.close()
    folder = str(root / "k8s")
    res = run_cli("apply", folder)
    assert (res.exit_code, res.stdout) == (0, "configmap/a configured\n")  # ours: not skipped
    assert f'Warning: inventory "{legacy}" records no source' in res.stderr
    res = run_cli("apply", folder, "--prune")
    assert res.exit_code == 2
    assert f'inventory "{legacy}" records no source' in res.stderr and "--same-source" in res.stderr
    assert "gone" in live_configmaps(run_cli)
    res = run_cli("apply", folder, "--prune", "--same-source")
    assert res.exit_code == 0 and "configmap/gone pruned" in res.stdout
    assert json.loads(inventories(run_cli)[f"kapply-inventory-{legacy}"]["source"]) == [
        {"repository": "github.com/team/old", "path": "k8s"}]
    res = run_cli("apply", folder, "--prune")
    assert res.exit_code == 0 and res.stderr == ""  # confirmed once, recorded since


def test_watch_resolves_its_source_as_apply_does(run_cli: Run, git_repo: Any) -> None:
    a, b = two_repos(git_repo)
    assert run_cli("apply", str(a), "--inventory", "shared").exit_code == 0
    res = run_cli("watch", str(b), "--inventory", "shared")  # refused before it starts watching
    assert res.exit_code == 2 and 'inventory "shared" records another source' in res.stderr
    folder = applied_folder(run_cli, git_repo)
    res = run_cli("watch", str(folder / "one.yaml"), "--prune")
    assert res.exit_code == 2 and "prune never acts on part of a source" in res.stderr


def test_a_part_of_a_source_plans_no_prunes_even_to_report_them(run_cli: Run, git_repo: Any) -> None:
    from kapply.apply.ownership import resolve_source
    from kapply.apply.reconcile import PlanOptions, plan_objects

    folder = applied_folder(run_cli, git_repo)
    cluster = open_cluster("default")
    try:
        part = [str(folder / "one.yaml")]
        ownership = resolve_source(cluster, part)
        assert ownership.relation == "subset"
        one = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "one"}, "data": {"x": "1"}}
        plan, _ = plan_objects(cluster, [one], ownership.inventory_id, PlanOptions(prune=True),
                               ownership=ownership)
        assert [(c.action, c.key.name) for c in plan.changes] == [("unchanged", "one")]  # two: no prune
    finally:
        cluster.close()
