"""The validated-folder cache: a second diff/apply of an unchanged folder skips load + validation,
and any change to the files (or an invalid folder) is seen exactly as without the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapply.apply import desired_cache
from kapply.apply.desired_cache import validate_cached
from kapply.validate.pipeline import Validated, ValidateOptions, validate_paths

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  level: {level}
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: web
          image: nginx:{tag}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KAPPLY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(desired_cache.DISABLE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "app"
    root.mkdir()
    (root / "cm.yaml").write_text(CONFIGMAP.format(name="a", level="info") + "---\n"
                                  + CONFIGMAP.format(name="b", level="debug"))
    (root / "web.yaml").write_text(DEPLOYMENT.format(tag="1.27"))
    return root


def _summary(v: Validated) -> tuple:
    return ([(d.obj, d.file, d.doc_index, d.item_index, d.line, d.column) for d in v.documents],
            v.keys, v.report.files, v.report.resources, v.report.diagnostics, v.report.invalid)


def _forbid_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validated again although nothing changed")

    monkeypatch.setattr(desired_cache, "validate_paths", refuse)


def test_unchanged_folder_is_answered_from_the_cache(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = validate_cached([str(folder)], ValidateOptions())
    _forbid_validation(monkeypatch)
    cached = validate_cached([str(folder)], ValidateOptions())
    assert _summary(cached) == _summary(fresh) == _summary(validate_paths([str(folder)]))
    assert [d.obj["metadata"]["name"] for d in cached.documents] == ["a", "b", "web"]


def test_an_edited_file_is_loaded_again(folder: Path) -> None:
    validate_cached([str(folder)], ValidateOptions())
    (folder / "web.yaml").write_text(DEPLOYMENT.format(tag="1.28"))
    again = validate_cached([str(folder)], ValidateOptions())
    image = again.documents[2].obj["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "nginx:1.28"


def test_only_the_edited_file_is_validated_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_cached([str(folder)], ValidateOptions())
    (folder / "web.yaml").write_text(DEPLOYMENT.format(tag="1.28"))
    expected = _summary(validate_paths([str(folder)]))
    _forbid_validation(monkeypatch)  # the whole folder is not validated again, one file is
    assert _summary(validate_cached([str(folder)], ValidateOptions())) == expected


def test_a_duplicate_across_a_cached_and_an_edited_file_is_reported(folder: Path) -> None:
    validate_cached([str(folder)], ValidateOptions())
    (folder / "web.yaml").write_text(DEPLOYMENT.format(tag="1.27") + "---\n"
                                     + CONFIGMAP.format(name="a", level="warn"))
    result = validate_cached([str(folder)], ValidateOptions())
    assert _summary(result) == _summary(validate_paths([str(folder)]))
    assert [d.rule for d in result.report.errors] == ["duplicate-object"]


def test_a_new_file_is_seen(folder: Path) -> None:
    validate_cached([str(folder)], ValidateOptions())
    (folder / "more.yaml").write_text(CONFIGMAP.format(name="c", level="warn"))
    names = [d.obj["metadata"]["name"] for d in validate_cached([str(folder)], ValidateOptions()).documents]
    assert names == ["a", "b", "c", "web"]


def test_an_invalid_folder_is_never_cached(folder: Path) -> None:
    (folder / "web.yaml").write_text(DEPLOYMENT.format(tag="1.27").replace("replicas: 2", "replicas: -1"))
    for _ in range(2):
        result = validate_cached([str(folder)], ValidateOptions())
        assert not result.report.ok
        assert "must be greater than or equal to 0" in result.report.errors[0].message
        assert result.report.errors[0].line == 6


def test_other_options_do_not_share_an_entry(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_cached([str(folder)], ValidateOptions())
    _forbid_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        validate_cached([str(folder)], ValidateOptions(skip_unknown=True))


def test_a_corrupt_entry_is_a_miss(folder: Path) -> None:
    first = validate_cached([str(folder)], ValidateOptions())
    for entry in (Path("cache") / "validated").iterdir():
        entry.write_bytes(entry.read_bytes()[:40])
    assert _summary(validate_cached([str(folder)], ValidateOptions())) == _summary(first)


def test_can_be_turned_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_cached([str(folder)], ValidateOptions())
    monkeypatch.setenv(desired_cache.DISABLE_ENV, "1")
    _forbid_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        validate_cached([str(folder)], ValidateOptions())


def test_only_the_most_recent_folders_are_kept(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desired_cache, "MAX_SLOTS", 3)
    for i in range(5):
        other = folder.parent / f"app{i}"
        other.mkdir()
        (other / "cm.yaml").write_text(CONFIGMAP.format(name=f"c{i}", level="info"))
        validate_cached([str(other)], ValidateOptions())
    assert len(list((Path("cache") / "validated").iterdir())) == 3


def test_a_file_edited_during_validation_is_not_cached_under_its_old_text(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    web = folder / "web.yaml"
    original = web.read_text()

    def edit_then_validate(*args: object, **kwargs: object) -> Validated:
        web.write_text(DEPLOYMENT.format(tag="9.9"))  # saved by an editor mid-run
        return validate_paths(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(desired_cache, "validate_paths", edit_then_validate)
    validate_cached([str(folder)], ValidateOptions())
    monkeypatch.setattr(desired_cache, "validate_paths", validate_paths)
    web.write_text(original)
    again = validate_cached([str(folder)], ValidateOptions())
    assert again.documents[2].obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
