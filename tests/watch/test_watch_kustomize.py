"""The watch's view of a kustomization: one source, rendered again when a file it reads changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kapply.load.kustomize import find_renderer
from kapply.watch.sources import SourceSet

pytestmark = pytest.mark.skipif(find_renderer() is None,
                                reason="no kustomize renderer (kustomize or kubectl) on PATH")


def _overlay(tmp_path: Path) -> Path:
    (tmp_path / "base" / "files").mkdir(parents=True)
    (tmp_path / "overlay").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text(
        "resources:\n- cm.yaml\nconfigMapGenerator:\n- name: script\n  files: [files/run.sh]\n")
    (tmp_path / "base" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n")
    (tmp_path / "base" / "files" / "run.sh").write_text("echo 1\n")
    (tmp_path / "overlay" / "kustomization.yaml").write_text("resources:\n- ../base\nnamePrefix: x-\n")
    return tmp_path / "overlay"


def _names(sources: SourceSet) -> list[str]:
    return sorted(o["metadata"]["name"] for o in sources.desired())


def test_a_base_file_of_any_name_renders_the_overlay_again(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    sources = SourceSet([str(overlay)])
    sources.scan()
    before = _names(sources)
    assert "x-cfg" in before and len(before) == 2
    assert os.path.realpath(tmp_path / "base") in sources.watched_folders()
    (tmp_path / "base" / "files" / "run.sh").write_text("echo 2\n")
    update = sources.refresh([str(tmp_path / "base" / "files" / "run.sh")])
    assert update.changed == [os.path.realpath(overlay)]
    after = _names(sources)
    assert after != before  # the generated ConfigMap's hash suffix follows its content
    assert sources.scan().changed == []  # nothing changed since: a rescan renders nothing again


def test_a_kustomization_that_fails_to_render_keeps_its_last_good_objects(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    sources = SourceSet([str(overlay)])
    sources.scan()
    good = _names(sources)
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n- cm.yaml\n- missing.yaml\n")
    update = sources.refresh([str(tmp_path / "base" / "kustomization.yaml")])
    (error,) = update.errors
    where = (tmp_path / "base" / "kustomization.yaml").resolve()
    assert (Path(error.file).resolve(), error.line) == (where, 3)
    assert _names(sources) == good
    assert list(sources.broken()) == [os.path.realpath(overlay)]
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    sources.refresh([str(tmp_path / "base" / "kustomization.yaml")])
    assert _names(sources) == ["x-cfg"] and not sources.broken()


def test_a_removed_kustomization_leaves_the_source(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    sources = SourceSet([str(tmp_path)])  # the parent: the base is not a source of its own
    sources.scan()
    assert list(sources.files) == [os.path.realpath(overlay)]
    (overlay / "kustomization.yaml").unlink()
    update = sources.refresh([str(overlay / "kustomization.yaml")])
    assert update.removed == [os.path.realpath(overlay)]
