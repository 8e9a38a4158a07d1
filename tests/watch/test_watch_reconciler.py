"""The watcher's reconciles against an embedded cluster: what each reconcile line reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kapply.apply.applier import execute
from kapply.apply.reconcile import PlanOptions, plan_objects
from kapply.watch.reconciler import Reconciler
from kapply.watch.sources import SourceSet

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: \"{value}\"\n"


def test_an_object_owned_by_another_inventory_is_reported_not_in_sync(cluster: Any, tmp_path: Path) -> None:
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "0"}}
    plan, inventory = plan_objects(cluster, [other], "someone-else", PlanOptions())
    execute(cluster, plan, inventory)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "a.yaml").write_text(CM.format(name="a", value=1))
    result = Reconciler(cluster, SourceSet([str(folder)]), "mine").start()
    assert "in sync" not in result.line()
    assert 'configmap/a skipped: exists and is managed by kapply inventory "someone-else"' in result.line()
    assert [r["result"] for r in result.to_json()["results"]] == ["skipped"]
    assert cluster.get("ConfigMap", "default", "a")["data"] == {"k": "0"}


def test_a_file_broken_at_start_up_has_nothing_pruned(cluster: Any, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "a.yaml").write_text(CM.format(name="a", value=1))
    (folder / "b.yaml").write_text(CM.format(name="b", value=1))
    (folder / "c.yaml").write_text(CM.format(name="c", value=1))
    Reconciler(cluster, SourceSet([str(folder)]), "mine", prune=True).start()
    (folder / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  bad: [\n")
    # a new watch process
    watcher = Reconciler(cluster, SourceSet([str(folder)]), "mine", prune=True, prune_after=0)
    result = watcher.start()
    assert cluster.get("ConfigMap", "default", "b")["data"] == {"k": "1"}  # not pruned
    assert "configmap/b pruned" not in result.line()
    assert "b.yaml" in result.line()
    (folder / "a.yaml").unlink()  # the broken file may hold `a` now: nothing is pruned meanwhile
    assert "configmap/a skipped: not pruned" in watcher.on_files([str(folder / "a.yaml")]).line()
    assert cluster.get("ConfigMap", "default", "a")
    (folder / "b.yaml").write_text(CM.format(name="b", value=2))  # fixing the file resumes
    assert "configmap/b configured" in watcher.on_files([str(folder / "b.yaml")]).line()
    assert "configmap/a pruned" in watcher.drift_check().line()


def test_a_change_to_a_file_outside_the_source_is_no_reconcile(cluster: Any, tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(CM.format(name="one", value=1))
    (tmp_path / "other.yaml").write_text(CM.format(name="other", value=1))
    (tmp_path / "README.md").write_text("notes\n")
    watcher = Reconciler(cluster, SourceSet([str(tmp_path / "one.yaml")]), "mine")
    watcher.start()
    assert watcher.on_files([str(tmp_path / "other.yaml"), str(tmp_path / "README.md")]) is None
    (tmp_path / "one.yaml").write_text(CM.format(name="one", value=2))
    result = watcher.on_files([str(tmp_path / "one.yaml"), str(tmp_path / "README.md")])
    assert result is not None and "configmap/one configured" in result.line()


def test_an_explicit_null_on_a_defaulted_field_is_no_drift(cluster: Any, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: null\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: c, image: nginx:1}]}\n")
    watcher = Reconciler(cluster, SourceSet([str(tmp_path)]), "mine")
    assert "deployment.apps/web created" in watcher.start().line()
    result = watcher.drift_check()
    assert result.drift == [] and "in sync: 1 object from 1 file unchanged" in result.line()


def test_a_deleted_file_without_prune_is_reported_not_in_sync(cluster: Any, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    (tmp_path / "b.yaml").write_text(CM.format(name="b", value=1))
    watcher = Reconciler(cluster, SourceSet([str(tmp_path)]), "mine")
    watcher.start()
    (tmp_path / "a.yaml").unlink()
    result = watcher.on_files([str(tmp_path / "a.yaml")])
    assert result is not None and "in sync" not in result.line()
    assert "configmap/a skipped: not pruned: absent from the source (--prune deletes it)" in result.line()
    assert cluster.get("ConfigMap", "default", "a")  # kept
    line = watcher.drift_check().line()  # said once, not every interval: as diff without --prune
    assert "in sync: 1 object from 1 file unchanged; 1 absent from the folder kept (no --prune)" in line
    assert "configmap/a" not in line


def test_a_change_the_server_refuses_does_not_block_the_others(cluster: Any, tmp_path: Path) -> None:
    web = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
           "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
           "    spec: {containers: [{name: c, image: nginx:1}]}\n")
    (tmp_path / "web.yaml").write_text(web)
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    Reconciler(cluster, SourceSet([str(tmp_path)]), "mine").start()
    (tmp_path / "web.yaml").write_text(web.replace("{app: web}", "{app: web, v: '2'}"))  # immutable
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=2))
    result = Reconciler(cluster, SourceSet([str(tmp_path)]), "mine").start()
    assert cluster.get("ConfigMap", "default", "a")["data"] == {"k": "2"}
    line = result.line()
    assert "configmap/a configured" in line and "field is immutable" in line
    assert "\n" not in line


def test_an_object_the_cluster_refuses_does_not_block_the_others(cluster: Any, tmp_path: Path) -> None:
    for name in ("s1", "s2"):
        (tmp_path / f"{name}.yaml").write_text(
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  type: NodePort\n"
            "  selector: {app: x}\n  ports: [{port: 80, nodePort: 30080}]\n")
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    result = Reconciler(cluster, SourceSet([str(tmp_path)]), "mine").start()
    line = result.line()
    assert "configmap/a created" in line and "service/s1 created" in line
    assert "Service/default/s2: " in line and "provided port is already allocated" in line
    assert "\n" not in line
    assert cluster.get("ConfigMap", "default", "a")
