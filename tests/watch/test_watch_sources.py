"""The watcher's desired state: last good version of every file, incremental re-reads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from kapply.load.document import LoadResult
from kapply.model.keys import ResourceKey
from kapply.validate.pipeline import Validated, ValidateOptions, validate_loaded
from kapply.watch.sources import SourceSet

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: \"{value}\"\n"


def key(name: str) -> ResourceKey:
    return ResourceKey("", "ConfigMap", "default", name)


def names(sources: SourceSet) -> list[str]:
    return sorted(o["metadata"]["name"] for o in sources.desired())


def test_scan_reads_every_manifest_and_skips_droppings(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_text(CM.format(name="b", value=1))
    (tmp_path / ".a.yaml.swp").write_text("garbage")
    (tmp_path / "a.yaml~").write_text("garbage")
    sources = SourceSet([str(tmp_path)])
    update = sources.scan()
    assert not update.errors
    assert names(sources) == ["a", "b"]


def test_broken_file_keeps_its_last_good_objects(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(CM.format(name="a", value=1))
    sources = SourceSet([str(tmp_path)])
    sources.scan()
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  bad: [\n")
    update = sources.refresh([str(path)])
    assert update.errors and update.errors[0].file.endswith("a.yaml")
    assert [o["data"]["k"] for o in sources.desired()] == ["1"]
    path.write_text(CM.format(name="a", value=2))
    assert not sources.refresh([str(path)]).errors
    assert [o["data"]["k"] for o in sources.desired()] == ["2"]


def test_invalid_object_is_an_error_not_a_change(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(CM.format(name="a", value=1))
    sources = SourceSet([str(tmp_path)])
    sources.scan()
    path.write_text(CM.format(name="Not_A_Name", value=1))
    update = sources.refresh([str(path)])
    assert update.errors and "metadata.name" in update.errors[0].field
    assert names(sources) == ["a"]


def test_refresh_touches_old_and_new_keys_of_changed_files_only(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(CM.format(name="a", value=1))
    b.write_text(CM.format(name="b", value=1))
    sources = SourceSet([str(tmp_path)])
    sources.scan()
    a.write_text(CM.format(name="a2", value=1))
    update = sources.refresh([str(a)])
    assert update.touched_keys == {key("a"), key("a2")}
    assert names(sources) == ["a2", "b"]


def test_deleted_and_renamed_files(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text(CM.format(name="a", value=1))
    sources = SourceSet([str(tmp_path)])
    sources.scan()
    moved = tmp_path / "moved.yaml"
    os.replace(a, moved)
    update = sources.refresh([str(a), str(moved)])
    assert update.removed == [os.path.realpath(a)]
    assert names(sources) == ["a"]
    moved.unlink()
    sources.refresh([str(moved)])
    assert names(sources) == []


def test_paths_outside_the_source_or_not_manifests_are_ignored(tmp_path: Path) -> None:
    watched = tmp_path / "w"
    watched.mkdir()
    sources = SourceSet([str(watched)])
    sources.scan()
    (tmp_path / "outside.yaml").write_text(CM.format(name="x", value=1))
    (watched / "notes.txt").write_text("hello")
    (watched / ".hidden.yaml").write_text(CM.format(name="h", value=1))
    update = sources.refresh([str(tmp_path / "outside.yaml"), str(watched / "notes.txt"),
                              str(watched / ".hidden.yaml")])
    assert update.changed == [] and names(sources) == []


def test_duplicate_across_files_is_reported_and_first_wins(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM.format(name="same", value=1))
    (tmp_path / "b.yaml").write_text(CM.format(name="same", value=2))
    sources = SourceSet([str(tmp_path)])
    update = sources.scan()
    assert any(d.rule == "duplicate-object" for d in update.errors)
    assert [o["data"]["k"] for o in sources.desired()] == ["1"]


def test_a_rescan_re_reads_only_what_changed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    (tmp_path / "b.yaml").write_text(CM.format(name="b", value=1))
    sources = SourceSet([str(tmp_path)])
    sources.scan()
    (tmp_path / "sub").mkdir()  # a new folder asks for a rescan
    (tmp_path / "sub" / "c.yaml").write_text(CM.format(name="c", value=1))
    (tmp_path / "b.yaml").write_text(CM.format(name="b", value=2))
    update = sources.scan()
    assert sorted(os.path.basename(p) for p in update.changed) == ["b.yaml", "c.yaml"]
    assert update.touched_keys == {key("b"), key("c")}
    assert names(sources) == ["a", "b", "c"]


def test_duplicate_is_reported_with_the_paths_the_user_gave(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.yaml").write_text(CM.format(name="same", value=1))
    (tmp_path / "m" / "b.yaml").write_text(CM.format(name="same", value=2))
    update = SourceSet(["m"]).scan()
    [dup] = [d for d in update.errors if d.rule == "duplicate-object"]
    assert dup.file == "m/b.yaml"
    assert dup.text == "ConfigMap/default/same: also defined in m/a.yaml; the first definition wins"


def test_a_generate_name_object_is_a_broken_file_for_the_watcher(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    (tmp_path / "g.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\n")
    sources = SourceSet([str(tmp_path)])
    update = sources.scan()
    assert [(os.path.basename(d.file), d.message) for d in update.errors] == [
        ("g.yaml", "cannot use generate name with apply")]
    assert names(sources) == ["a"]  # the other files are not blocked


DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n"
          "  selector:\n    matchLabels: {labels}\n  template:\n    metadata:\n      labels: {{app: web}}\n"
          "    spec:\n      containers: [{{name: c, image: nginx}}]\n")
GOOD_DEPLOY = DEPLOY.format(replicas=1, labels="{app: web}")


def named_in(loaded: LoadResult, name: str) -> bool:
    return any(isinstance(d.obj, dict) and (d.obj.get("metadata") or {}).get("name") == name
               for d in loaded.documents)


def failing_on(name: str) -> Any:
    """A validator with a bug: it raises on objects called `name` (as a crashing rule would)."""
    def validate(loaded: LoadResult, options: ValidateOptions) -> Validated:
        if named_in(loaded, name):
            raise RuntimeError(f"rule bug on {name}")
        return validate_loaded(loaded, options)
    return validate


def test_a_gone_folder_freezes_its_files_until_it_is_back(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "a.yaml").write_text(CM.format(name="a", value=1))
    (folder / "b.yaml").write_text(CM.format(name="b", value=1))
    sources = SourceSet([str(folder)])
    sources.scan()
    shutil.rmtree(folder)
    assert sources.gone() == [str(folder)]
    update = sources.refresh([str(folder / "a.yaml"), str(folder / "b.yaml")])  # the delete events
    assert update.removed == [] and names(sources) == ["a", "b"]
    assert sources.scan().removed == [] and names(sources) == ["a", "b"]
    folder.mkdir()  # back, with one file only
    (folder / "b.yaml").write_text(CM.format(name="b", value=2))
    update = sources.scan()
    assert sources.gone() == []
    assert [os.path.basename(p) for p in update.removed] == ["a.yaml"]
    assert [o["data"]["k"] for o in sources.desired()] == ["2"]


def test_a_file_named_on_the_command_line_is_frozen_with_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "a.yaml").write_text(CM.format(name="a", value=1))
    sources = SourceSet([str(folder / "a.yaml")])
    sources.scan()
    shutil.rmtree(folder)
    assert sources.scan().removed == [] and names(sources) == ["a"]
    folder.mkdir()
    assert names(sources) == ["a"] and sources.gone() == []
    assert [os.path.basename(p) for p in sources.scan().removed] == ["a.yaml"]  # back, without the file


@pytest.mark.parametrize("text", [
    DEPLOY.format(replicas=1, labels='"app=web"'),  # a string selector (crashed a rule)
    DEPLOY.format(replicas="9" * 4400, labels="{app: web}"),  # over Python's int-parsing limit
], ids=["string-matchLabels", "4400-digit-integer"])
def test_an_input_that_crashed_validation_breaks_only_its_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    (tmp_path / "web.yaml").write_text(GOOD_DEPLOY)
    sources = SourceSet([str(tmp_path)])
    sources.scan()
    (tmp_path / "web.yaml").write_text(text)
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=2))
    update = sources.refresh([str(tmp_path / "web.yaml"), str(tmp_path / "a.yaml")])
    assert [os.path.basename(d.file) for d in update.errors] == ["web.yaml"]  # a diagnostic, not a crash
    assert update.errors[0].line >= 1
    assert sorted((o["kind"], o["metadata"]["name"]) for o in sources.desired()) == [
        ("ConfigMap", "a"), ("Deployment", "web")]  # web's last good version, a's new one
    assert next(o for o in sources.desired() if o["kind"] == "ConfigMap")["data"] == {"k": "2"}
    assert list(sources.broken()) == [os.path.realpath(tmp_path / "web.yaml")]


def test_a_validation_bug_is_reported_at_the_document_that_raised_it(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    two = CM.format(name="fine", value=1) + "---\n" + CM.format(name="boom", value=1)
    (tmp_path / "two.yaml").write_text(two)
    sources = SourceSet([str(tmp_path)], validate=failing_on("boom"))
    update = sources.scan()
    [error] = update.errors
    assert (os.path.basename(error.file), error.line, error.rule) == ("two.yaml", 8, "internal-error")
    assert error.object == "ConfigMap/default/boom"
    assert error.message.startswith("internal error while validating: RuntimeError: rule bug on boom")
    assert names(sources) == ["a"]  # the other file is read; the broken one has no good version yet
    assert sources.unknown() == [os.path.realpath(tmp_path / "two.yaml")]


def test_a_rejected_version_goes_back_to_the_last_good_one_and_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(CM.format(name="a", value=1))
    sources = SourceSet([str(tmp_path)])
    sources.scan()
    path.write_text(CM.format(name="renamed", value=1))
    update = sources.refresh([str(path)])
    real = os.path.realpath(path)
    sources.reject(real, [], update.previous[real])  # say the cluster refused `renamed`
    assert names(sources) == ["a"]
    assert set(sources.held()) == {key("a"), key("renamed")}  # neither is pruned meanwhile
    update = sources.scan()  # same content, read again: the refusal may have passed
    assert update.changed == [real] and names(sources) == ["renamed"] and sources.held() == {}


def test_a_file_that_never_finishes_validating_is_set_aside(tmp_path: Path) -> None:
    def runaway(loaded: LoadResult, options: ValidateOptions) -> Validated:
        if named_in(loaded, "forever"):
            while True:  # a parser that never returns (the budget's timer ends it)
                pass
        return validate_loaded(loaded, options)

    (tmp_path / "a.yaml").write_text(CM.format(name="a", value=1))
    (tmp_path / "slow.yaml").write_text(CM.format(name="forever", value=1))
    sources = SourceSet([str(tmp_path)], validate=runaway, budget=lambda size: 0.05)
    update = sources.scan()
    assert [(os.path.basename(d.file), d.rule, d.message) for d in update.errors] == [
        ("slow.yaml", "time-budget", "not read: reading it took longer than 0.05s")]
    assert names(sources) == ["a"]


def test_the_budget_grows_with_the_file() -> None:
    from kapply.watch.budget import budget_for

    assert budget_for(1000) == pytest.approx(10.0, abs=0.01)
    assert budget_for(32 * 1024 * 1024) == 74.0  # the loader's largest file: still time to read it
