"""No single file stops the watch: a failure at any stage is that file's, the others are reconciled.

Each stage is broken two ways where it can be: with an input that crashed kapply when this was
written (a string `matchLabels`, a 4,400-digit integer), and with a bug injected through a seam
(a validator, a planner, a cluster that raise), so the isolation stays proven once those inputs
are plain validation errors.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from kapply.apply.reconcile import plan_objects
from kapply.load.document import LoadResult
from kapply.model.keys import ResourceKey
from kapply.validate.pipeline import Validated, ValidateOptions, validate_loaded
from kapply.watch.reconciler import Reconciler
from kapply.watch.sources import SourceSet

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: \"{value}\"\n"
DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n"
          "  selector:\n    matchLabels: {labels}\n  template:\n    metadata:\n      labels: {{app: web}}\n"
          "    spec:\n      containers: [{{name: c, image: nginx}}]\n")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # files are shown as m/a.yaml
    path = tmp_path / "m"
    path.mkdir()
    (path / "a.yaml").write_text(CM.format(name="a", value=1))
    (path / "b.yaml").write_text(CM.format(name="b", value=1))
    return path


def data(cluster: Any, name: str) -> Any:
    return cluster.get("ConfigMap", "default", name)["data"]


def uid(cluster: Any, name: str) -> str:
    return cluster.get("ConfigMap", "default", name)["metadata"]["uid"]


def named(name: str, objects: Any) -> bool:
    return any((o.get("metadata") or {}).get("name") == name for o in objects if isinstance(o, dict))


class FlakyCluster:
    """The embedded cluster with a bug: writing an object called `boom` raises."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def create(self, obj: dict, **kwargs: Any) -> Any:
        self._check(obj)
        return self.inner.create(obj, **kwargs)

    def update(self, obj: dict, **kwargs: Any) -> Any:
        self._check(obj)
        return self.inner.update(obj, **kwargs)

    @staticmethod
    def _check(obj: dict) -> None:
        if obj["metadata"]["name"] == "boom":
            raise RuntimeError("simulator bug")


def failing_planner(name: str) -> Any:
    """plan_objects with a bug: planning an object called `name` raises."""
    def plan(cluster: Any, desired: Any, inventory_id: str, options: Any, scope: Any = None) -> Any:
        planned = desired if scope is None else [o for o in desired if ResourceKey.of(o) in scope]
        if named(name, planned):
            raise KeyError(f"planner bug on {name}")
        return plan_objects(cluster, desired, inventory_id, options, scope=scope)
    return plan


def failing_validator(name: str) -> Any:
    def validate(loaded: LoadResult, options: ValidateOptions) -> Validated:
        if named(name, [d.obj for d in loaded.documents]):
            raise AttributeError("'str' object has no attribute 'items'")
        return validate_loaded(loaded, options)
    return validate


@pytest.mark.parametrize("text", [
    DEPLOY.format(replicas=1, labels='"app=web"'),
    DEPLOY.format(replicas="9" * 4400, labels="{app: web}"),
    CM.format(name="boom", value=1),  # with the injected validator bug below
], ids=["string-matchLabels", "4400-digit-integer", "injected-rule-bug"])
def test_a_file_that_breaks_validation_is_reported_and_the_others_go_on(
        cluster: Any, folder: Path, text: str) -> None:
    sources = SourceSet([str(folder)], validate=failing_validator("boom"))
    watcher = Reconciler(cluster, sources, "mine", prune=True, prune_after=0)
    watcher.start()
    before = uid(cluster, "b")
    (folder / "b.yaml").write_text(text)  # b's objects become unknown: b.yaml must keep them
    (folder / "a.yaml").write_text(CM.format(name="a", value=2))
    result = watcher.on_files([str(folder / "a.yaml"), str(folder / "b.yaml")])
    line = result.line()
    assert "configmap/a configured" in line
    assert "m/b.yaml:" in line and "(keeping its last good objects)" in line
    assert "\n" not in line and len(line) < 1500  # the 4,400 digits are not echoed whole
    assert data(cluster, "a") == {"k": "2"}
    assert uid(cluster, "b") == before  # never pruned: the file that held it is broken
    assert "configmap/b" not in watcher.drift_check().line()
    (folder / "b.yaml").write_text(CM.format(name="b", value=3))  # fixed: reconciling resumes
    assert "configmap/b configured" in watcher.on_files([str(folder / "b.yaml")]).line()


def test_a_file_whose_objects_make_planning_raise_is_set_aside(cluster: Any, folder: Path) -> None:
    watcher = Reconciler(cluster, SourceSet([str(folder)]), "mine", prune=True, prune_after=0,
                         planner=failing_planner("boom"))
    watcher.start()
    before = uid(cluster, "b")
    (folder / "b.yaml").write_text(CM.format(name="b", value=9) + "---\n" + CM.format(name="boom", value=1))
    (folder / "a.yaml").write_text(CM.format(name="a", value=2))
    result = watcher.on_files([str(folder / "a.yaml"), str(folder / "b.yaml")])
    line = result.line()
    assert "configmap/a configured" in line
    assert ("m/b.yaml:8:1: error: ConfigMap/default/boom: internal error while planning: KeyError: "
            "'planner bug on boom' (a kapply bug; please report it) (keeping its last good objects)") in line
    assert data(cluster, "a") == {"k": "2"} and data(cluster, "b") == {"k": "1"}  # b's last good version
    assert uid(cluster, "b") == before
    drift = watcher.drift_check()  # tried again on every interval, and said again
    assert "internal error while planning" in drift.line() and not drift.in_sync
    assert data(cluster, "b") == {"k": "1"}


def test_a_file_the_cluster_fails_to_apply_is_set_aside_and_nothing_it_held_is_pruned(
        cluster: Any, folder: Path) -> None:
    flaky = FlakyCluster(cluster)
    watcher = Reconciler(flaky, SourceSet([str(folder)]), "mine", prune=True, prune_after=0)
    watcher.start()
    before = uid(cluster, "b")
    (folder / "b.yaml").write_text(CM.format(name="boom", value=1))  # b renamed to an object that crashes
    (folder / "a.yaml").write_text(CM.format(name="a", value=2))
    result = watcher.on_files([str(folder / "a.yaml"), str(folder / "b.yaml")])
    line = result.line()
    assert "configmap/a configured" in line
    assert ("m/b.yaml:1:1: error: ConfigMap/default/boom: internal error while applying: RuntimeError: "
            "simulator bug") in line
    assert uid(cluster, "b") == before  # the renamed-away object stays while its file is not applied
    assert "configmap/b pruned" not in watcher.drift_check().line()
    assert uid(cluster, "b") == before
    (folder / "b.yaml").write_text(CM.format(name="b2", value=1))
    line = watcher.on_files([str(folder / "b.yaml")]).line()
    assert "configmap/b2 created" in line and "configmap/b pruned" in line


def test_a_refused_object_holds_the_objects_its_file_used_to_have(cluster: Any, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    svc = ("apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  type: NodePort\n"
           "  selector: {{app: x}}\n  ports: [{{port: 80, nodePort: {port}}}]\n")
    (tmp_path / "one.yaml").write_text(svc.format(name="one", port=30080))
    (tmp_path / "two.yaml").write_text(svc.format(name="two", port=30081))
    watcher = Reconciler(cluster, SourceSet([str(tmp_path)]), "mine", prune=True, prune_after=0)
    watcher.start()
    (tmp_path / "two.yaml").write_text(svc.format(name="two-renamed", port=30080))  # the port is taken
    line = watcher.on_files([str(tmp_path / "two.yaml")]).line()
    assert ('two.yaml:1:1: error: Service/default/two-renamed: Service "two-renamed" is invalid: '
            "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated "
            "(keeping its last good objects)") in line
    assert cluster.get("Service", "default", "two")  # not pruned while its replacement is refused
    (tmp_path / "one.yaml").unlink()  # the port frees up: the next drift check applies two.yaml
    watcher.on_files([str(tmp_path / "one.yaml")])
    line = watcher.drift_check().line()
    assert "service/two-renamed created" in line and "service/two pruned" in line


def test_a_reconcile_that_raises_is_reported_and_the_next_one_runs(cluster: Any, folder: Path) -> None:
    calls = {"n": 0}

    def planner(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise MemoryError("everything fails at once")
        return plan_objects(*args, **kwargs)

    watcher = Reconciler(cluster, SourceSet([str(folder)]), "mine", planner=planner)
    watcher.start()
    (folder / "a.yaml").write_text(CM.format(name="a", value=2))
    result = watcher.on_files([str(folder / "a.yaml")])
    assert "internal error while reconciling: MemoryError" in result.line() and not result.ok
    assert "configmap/a configured" in watcher.drift_check().line()


def test_a_folder_that_cannot_be_listed_drops_nothing(cluster: Any, folder: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "c.yaml").write_text(CM.format(name="c", value=1))
    watcher = Reconciler(cluster, SourceSet([str(folder)]), "mine", prune=True, prune_after=0)
    watcher.start()
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    line = watcher.drift_check().line()
    assert "cannot read folder: Permission denied" in line and "pruned" not in line
    monkeypatch.setattr(os, "scandir", real_scandir)
    assert cluster.get("ConfigMap", "default", "c") and watcher.drift_check().in_sync


def test_a_file_moved_to_another_folder_keeps_its_objects(cluster: Any, folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "c.yaml").write_text(CM.format(name="c", value=1))
    watcher = Reconciler(cluster, SourceSet([str(folder)]), "mine", prune=True, prune_after=0)
    watcher.start()
    before = uid(cluster, "c")
    shutil.move(folder / "sub", folder / "elsewhere")
    result = watcher.rescan()
    assert result.in_sync and uid(cluster, "c") == before  # not pruned and re-created
