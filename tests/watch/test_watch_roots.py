"""Followed folders that go and come back are watched again; which events matter."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from kapply.watch.roots import Roots


class Observer:
    """Records the watches, as watchdog's observer would hold them (one per path and flag)."""

    def __init__(self) -> None:
        self.active: dict[tuple[str, bool], int] = {}
        self.scheduled = 0

    def schedule(self, event_handler: Any, path: str, *, recursive: bool = False) -> Any:
        assert (path, recursive) not in self.active, "watchdog would reuse the dead watch"
        if not os.path.isdir(path):
            raise FileNotFoundError(path)
        self.scheduled += 1
        self.active[(path, recursive)] = self.scheduled
        return (path, recursive)

    def unschedule(self, watch: Any) -> None:
        del self.active[watch]


def follow(path: Path) -> tuple[Roots, Observer]:
    observer = Observer()
    roots = Roots([str(path)], observer, handler=None)
    assert roots.check() is False  # the first look: nothing changed yet
    return roots, observer


def test_a_folder_and_its_parent_are_watched(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    roots, observer = follow(tmp_path / "m")
    assert sorted(observer.active) == [(str(tmp_path), False), (str(tmp_path / "m"), True)]
    assert roots.check() is False and observer.scheduled == 2  # nothing moved: nothing re-scheduled


def test_rm_rf_and_re_create_is_watched_again(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    roots, observer = follow(folder)
    shutil.rmtree(folder)
    assert roots.check() is True
    assert sorted(observer.active) == [(str(tmp_path), False)]  # the parent hears it come back
    assert roots.check() is False
    folder.mkdir()
    assert roots.check() is True
    assert (str(folder), True) in observer.active


def test_a_folder_replaced_by_another_is_watched_anew(tmp_path: Path) -> None:
    folder, staged = tmp_path / "m", tmp_path / "m.tmp"
    folder.mkdir()
    staged.mkdir()
    roots, observer = follow(folder)
    first = observer.active[(str(folder), True)]
    os.rename(folder, tmp_path / "m.old")  # rsync into a temporary folder, then swap it in
    os.rename(staged, folder)
    assert roots.check() is True
    assert observer.active[(str(folder), True)] != first


def test_moved_away_and_back_is_watched_again(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    roots, observer = follow(folder)
    os.rename(folder, tmp_path / "away")
    assert roots.check() is True and (str(folder), True) not in observer.active
    os.rename(tmp_path / "away", folder)
    assert roots.check() is True and (str(folder), True) in observer.active


def test_the_nearest_existing_ancestor_is_watched_while_the_parent_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "m"
    folder.mkdir(parents=True)
    roots, observer = follow(folder)
    shutil.rmtree(tmp_path / "a")
    assert roots.check() is True
    assert sorted(observer.active) == [(str(tmp_path), False)]
    folder.mkdir(parents=True)
    assert roots.check() is True
    assert sorted(observer.active) == [(str(folder.parent), False), (str(folder), True)]


def test_a_symlinked_folder_follows_its_target(tmp_path: Path) -> None:
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    link = tmp_path / "current"
    link.symlink_to("v1")
    roots, observer = follow(link)
    assert (str(tmp_path / "v1"), True) in observer.active
    (tmp_path / "next").symlink_to("v2")
    os.replace(tmp_path / "next", link)  # `ln -sfn`: an atomic switch
    assert roots.check() is True
    assert (str(tmp_path / "v2"), True) in observer.active
    assert (str(tmp_path / "v1"), True) not in observer.active


def test_a_file_is_followed_through_its_folder(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "app.yaml").write_text("{}")
    _, observer = follow(tmp_path / "m" / "app.yaml")
    assert sorted(observer.active) == [(str(tmp_path), False), (str(tmp_path / "m"), False)]


def test_events_are_sorted_into_reads_rescans_and_noise(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    roots, _ = follow(folder)
    m, parent = str(folder), str(tmp_path)
    assert roots.classify(f"{m}/a.yaml", False, "modified") == "read"
    assert roots.classify(f"{m}/sub", True, "created") == "rescan"
    assert roots.classify(f"{m}/sub", True, "modified") is None
    assert roots.classify(m, True, "deleted") == "rescan"  # the parent's watch: m went
    assert roots.classify(m, True, "created") == "rescan"  # and came back
    assert roots.classify(m, True, "modified") is None  # a file inside changed: the file's event says
    assert roots.classify(parent, True, "moved") == "rescan"
    assert roots.classify(f"{parent}/notes.txt", False, "modified") is None  # a sibling of m
    assert roots.classify(f"{parent}/other", True, "created") is None
    assert roots.classify(m, True, "events_lost") == "rescan"
