"""A folder in flux prunes nothing: files briefly empty or missing, folders gone and back (fake clock).

The rule (README, Watch): an object is pruned only once it has been absent from the folder for
--prune-after (5 s); while a followed folder is gone nothing is pruned, and the wait starts again
when it is back.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from kapply.apply.ownership import resolve_source
from kapply.apply.reconcile import PlanOptions, prepare
from kapply.cluster.sim.clock import FakeClock
from kapply.watch.reconciler import Reconciler
from kapply.watch.sources import SourceSet

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: \"{value}\"\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m"
    path.mkdir()
    (path / "a.yaml").write_text(CM.format(name="a", value=1) + "---\n" + CM.format(name="a2", value=1))
    (path / "b.yaml").write_text(CM.format(name="b", value=1))
    return path


def uid(cluster: Any, name: str) -> str | None:
    from kapply.errors import NotFoundError

    try:
        return cluster.get("ConfigMap", "default", name)["metadata"]["uid"]
    except NotFoundError:
        return None


def watching(cluster: Any, folder: Path, clock: FakeClock, **kwargs: Any) -> Reconciler:
    sources = SourceSet([str(folder)])
    ownership = resolve_source(cluster, [str(folder)], "mine")  # as `kapply watch` does
    watcher = Reconciler(cluster, sources, "mine", prune=True, clock=clock.time, ownership=ownership,
                         **kwargs)
    assert watcher.start().ok
    return watcher


def diff_exit(cluster: Any, folder: Path) -> int:
    """What `kapply diff --prune` of the folder would exit with (0 none, 1 changes, 2 error)."""
    from kapply.errors import KapplyError

    try:
        plan = prepare(cluster, [str(folder)], PlanOptions(prune=True, inventory="mine")).plan
    except KapplyError:
        return 2
    return 2 if plan.errors else 1 if plan.has_changes else 0


def test_a_file_emptied_then_refilled_within_the_wait_keeps_its_objects(cluster: Any, folder: Path) -> None:
    clock = FakeClock(1000.0)
    watcher = watching(cluster, folder, clock)
    before = uid(cluster, "a"), uid(cluster, "a2")
    content = (folder / "a.yaml").read_text()
    (folder / "a.yaml").write_text("")  # `helm template > a.yaml`: truncated first
    result = watcher.on_files([str(folder / "a.yaml")])
    line = result.line()
    assert ("configmap/a skipped: not pruned yet: absent from the source for 0.0s "
            "(pruned once absent for 5s)") in line
    assert not result.in_sync and diff_exit(cluster, folder) == 1  # the line is no lie: diff sees prunes
    assert watcher.next_deadline() == 1005.0
    clock.now = 1003.0
    drift = watcher.drift_check()  # every interval says the prune is pending
    assert "configmap/a skipped: not pruned yet: absent from the source for 3.0s" in drift.line()
    assert not drift.in_sync
    (folder / "a.yaml").write_text(content)  # the slow save completes
    clock.now = 1004.0
    watcher.on_files([str(folder / "a.yaml")])
    assert watcher.next_deadline() is None
    clock.now = 1010.0
    assert watcher.settle() is None
    assert (uid(cluster, "a"), uid(cluster, "a2")) == before  # never pruned and re-created
    assert watcher.drift_check().in_sync and diff_exit(cluster, folder) == 0


def test_a_file_gone_through_the_whole_wait_is_pruned(cluster: Any, folder: Path) -> None:
    clock = FakeClock(1000.0)
    watcher = watching(cluster, folder, clock)
    (folder / "a.yaml").unlink()
    watcher.on_files([str(folder / "a.yaml")])
    clock.now = 1004.9
    assert watcher.settle() is None and uid(cluster, "a") is not None
    clock.now = 1005.0
    result = watcher.settle()
    assert result is not None and result.files == ["m/a.yaml"]
    assert "settled m/a.yaml: configmap/a2 pruned; configmap/a pruned" in result.line()
    assert uid(cluster, "a") is None and uid(cluster, "a2") is None and uid(cluster, "b") is not None
    assert watcher.next_deadline() is None and watcher.drift_check().in_sync


def test_git_unlinking_a_file_before_writing_it_again_prunes_nothing(cluster: Any, folder: Path) -> None:
    clock = FakeClock(1000.0)
    watcher = watching(cluster, folder, clock)
    before = uid(cluster, "b")
    (folder / "b.yaml").unlink()  # git checkout: unlink, then write the new version
    watcher.on_files([str(folder / "b.yaml")])
    clock.now += 0.2
    (folder / "b.yaml").write_text(CM.format(name="b", value=2))
    assert "configmap/b configured" in watcher.on_files([str(folder / "b.yaml")]).line()
    clock.now += 10
    assert watcher.settle() is None and uid(cluster, "b") == before


def test_an_object_moved_to_another_file_is_not_absent(cluster: Any, folder: Path) -> None:
    clock = FakeClock(1000.0)
    watcher = watching(cluster, folder, clock)
    before = uid(cluster, "b")
    (folder / "b.yaml").unlink()
    (folder / "c.yaml").write_text(CM.format(name="b", value=1))
    line = watcher.on_files([str(folder / "b.yaml"), str(folder / "c.yaml")]).line()
    assert "skipped" not in line and watcher.next_deadline() is None and uid(cluster, "b") == before


def test_a_zero_wait_prunes_at_once(cluster: Any, folder: Path) -> None:
    watcher = watching(cluster, folder, FakeClock(1000.0), prune_after=0)
    (folder / "b.yaml").unlink()
    assert "configmap/b pruned" in watcher.on_files([str(folder / "b.yaml")]).line()


@pytest.mark.parametrize("how", ["rm-rf-and-re-create", "mv-away-and-back", "rsync-to-temp-then-rename"])
def test_a_folder_gone_prunes_nothing_and_is_followed_again_when_back(
        cluster: Any, folder: Path, how: str) -> None:
    clock = FakeClock(1000.0)
    watcher = watching(cluster, folder, clock)
    before = {name: uid(cluster, name) for name in ("a", "a2", "b")}
    saved = {p.name: p.read_text() for p in folder.iterdir()}
    staged = folder.parent / "m.tmp"
    if how == "mv-away-and-back":
        os.rename(folder, folder.parent / "away")
    else:
        (folder / "b.yaml").unlink()  # rm -rf deletes file by file: a batch may see only part of it
        assert "not pruned yet" in watcher.on_files([str(folder / "b.yaml")]).line()
        shutil.rmtree(folder)
    result = watcher.rescan()
    assert result is not None and "m is gone: following it again when it is back" in result.line()
    assert watcher.on_files([str(folder / name) for name in saved]) is None  # late delete events: frozen
    for _ in range(3):  # said on every interval, and nothing is pruned, however long it takes
        clock.now += 60
        assert watcher.settle() is None
        drift = watcher.drift_check()
        assert "m is gone" in drift.line() and not drift.in_sync and drift.gone == [str(folder)]
        assert not drift.errors and drift.objects == (3 if how == "mv-away-and-back" else 2)  # as last read
        assert not re.search(r"\w+/\w+ pruned", drift.line()) and "skipped" not in drift.line()
    assert diff_exit(cluster, folder) == 2  # diff of a folder that is not there fails too
    if how == "mv-away-and-back":
        os.rename(folder.parent / "away", folder)
    elif how == "rsync-to-temp-then-rename":
        staged.mkdir()
        for name, text in saved.items():
            (staged / name).write_text(text)
        os.rename(staged, folder)
    else:
        folder.mkdir()
        (folder / "a.yaml").write_text(saved["a.yaml"])  # re-created file by file: b.yaml not yet
    result = watcher.rescan()
    assert result is not None and "m is back" in result.line()
    assert not re.search(r"\w+/\w+ pruned", result.line())
    if how == "rm-rf-and-re-create":
        assert "configmap/b skipped: not pruned yet: absent from the source for 0.0s" in result.line()
        clock.now += 1
        (folder / "b.yaml").write_text(saved["b.yaml"])
        watcher.on_files([str(folder / "b.yaml")])
    clock.now += 60
    assert watcher.settle() is None
    drift = watcher.drift_check()
    assert drift.in_sync and "in sync: 3 objects from 2 files unchanged" in drift.line()
    assert {name: uid(cluster, name) for name in ("a", "a2", "b")} == before
    assert diff_exit(cluster, folder) == 0


def test_a_folder_that_comes_back_without_a_file_prunes_it_after_the_wait(cluster: Any, folder: Path) -> None:
    clock = FakeClock(1000.0)
    watcher = watching(cluster, folder, clock)
    shutil.rmtree(folder)
    watcher.rescan()
    clock.now += 60
    folder.mkdir()
    (folder / "b.yaml").write_text(CM.format(name="b", value=1))
    watcher.rescan()
    assert watcher.next_deadline() == clock.now + 5  # the wait starts when the folder is back
    clock.now += 5
    assert "configmap/a pruned" in watcher.settle().line()


def test_watch_says_in_sync_exactly_when_diff_finds_nothing(cluster: Any, folder: Path) -> None:
    clock = FakeClock(1000.0)
    watcher = watching(cluster, folder, clock, prune_after=0)
    steps = [
        lambda: None,
        lambda: (folder / "b.yaml").write_text("kind: [\n"),  # broken
        lambda: (folder / "b.yaml").write_text(CM.format(name="b", value=2)),
        lambda: cluster.delete("ConfigMap", "default", "a"),  # drift, healed by the check
        lambda: None,
        lambda: (folder / "c.yaml").write_text(CM.format(name="Bad_Name", value=1)),  # invalid
        lambda: (folder / "c.yaml").unlink(),
    ]
    for step in steps:
        step()
        result = watcher.drift_check()
        if result.in_sync:
            assert diff_exit(cluster, folder) == 0, result.line()
        elif not result.applied:
            assert diff_exit(cluster, folder) != 0, result.line()
    assert watcher.drift_check().in_sync


def test_nothing_to_follow_is_said_plainly(cluster: Any, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    watcher = Reconciler(cluster, SourceSet([str(tmp_path / "empty")]), "mine")
    result = watcher.start()
    assert "start: nothing to follow: empty holds no objects" in result.line() and not result.in_sync
