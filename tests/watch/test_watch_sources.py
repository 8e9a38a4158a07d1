"""The watcher's desired state: last good version of every file, incremental re-reads."""

from __future__ import annotations

import os
from pathlib import Path

from kapply.model.keys import ResourceKey
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
