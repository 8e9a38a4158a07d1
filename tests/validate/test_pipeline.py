"""The validate stage end to end in-process: positions, duplicates, unknown kinds, exit semantics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kapply.validate.pipeline import ValidateOptions, validate_paths

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: {port}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_valid_folder_has_no_diagnostics(tmp_path: Path) -> None:
    _write(tmp_path, "d.yaml", DEPLOY.format(replicas=2, port=80))
    result = validate_paths([str(tmp_path)])
    assert result.report.diagnostics == []
    assert result.report.summary() == "1 resources in 1 files: 1 valid, 0 invalid"
    assert [k.display for k in result.keys] == ["Deployment/default/web"]


def test_rule_finding_points_at_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.yaml", DEPLOY.format(replicas=2, port=70000))
    result = validate_paths([str(path)])
    [diag] = result.report.errors
    assert diag.field == "spec.template.spec.containers[0].ports[0].containerPort"
    assert (diag.line, diag.column) == (19, 30)
    assert "Invalid value: 70000: must be between 1 and 65535, inclusive" in diag.message
    assert result.documents == []


def test_schema_error_points_at_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.yaml", DEPLOY.format(replicas='"three"', port=80))
    [diag] = validate_paths([str(path)]).report.errors
    assert diag.field == "spec.replicas"
    assert diag.line == 6
    assert diag.rule == "schema"


def test_duplicate_objects_name_both_places(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", DEPLOY.format(replicas=1, port=80))
    explicit = DEPLOY.format(replicas=1, port=80)
    explicit = explicit.replace("name: web\nspec", "name: web\n  namespace: default\nspec")
    _write(tmp_path, "b.yaml", explicit)
    report = validate_paths([str(tmp_path)]).report
    [diag] = report.errors
    assert diag.rule == "duplicate-object"
    assert diag.file.endswith("b.yaml")
    assert "a.yaml:1:1" in diag.message


@pytest.mark.parametrize("skip_unknown, severity", [(False, "error"), (True, "warning")])
def test_unknown_kind(tmp_path: Path, skip_unknown: bool, severity: str) -> None:
    _write(tmp_path, "crd.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")
    report = validate_paths([str(tmp_path)], ValidateOptions(skip_unknown=skip_unknown)).report
    [diag] = report.diagnostics
    assert diag.severity == severity
    assert "Widget" in diag.message and "example.com/v1" in diag.message


def test_missing_kind_is_reported_not_crashed(tmp_path: Path) -> None:
    _write(tmp_path, "x.yaml", "apiVersion: v1\nmetadata:\n  name: x\n")
    [diag] = validate_paths([str(tmp_path)]).report.errors
    assert diag.field == "kind"
    assert "Required value" in diag.message


def test_a_document_with_a_duplicate_key_is_an_invalid_resource(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
                                     "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    report = validate_paths([str(tmp_path)]).report
    [diag] = report.errors
    assert (diag.line, diag.rule, diag.object) == (5, "yaml-duplicate-key", "ConfigMap/default/b")
    assert report.summary() == "2 resources in 1 files: 1 valid, 1 invalid"


def test_a_duplicate_key_in_a_list_spoils_its_items_and_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "l.yaml").write_text("apiVersion: v1\nkind: List\nkind: List\nitems:\n"
                                     "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
                                     "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n"
                                     "---\n- x: 1\n  x: 2\n")
    report = validate_paths([str(tmp_path)]).report
    assert sorted((d.line, d.rule) for d in report.errors) == [
        (3, "yaml-duplicate-key"), (8, "not-an-object"), (9, "yaml-duplicate-key")]
    assert report.summary() == "2 resources in 1 files: 0 valid, 2 invalid, 2 file errors"


def test_parallel_validation_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks validated on every core give the serial report, in the same order."""
    from kapply.validate import pipeline
    from kapply.validate.formats import render_text

    for i in range(24):
        port = 70000 if i % 7 == 3 else 80
        text = DEPLOY.format(replicas=1, port=port).replace("name: web", f"name: web-{i}", 1)
        if i == 20:
            text = DEPLOY.format(replicas=1, port=80)  # plain "web", defined again in dup.yaml
        _write(tmp_path, f"d{i:02d}.yaml", text)
    _write(tmp_path, "dup.yaml", DEPLOY.format(replicas=1, port=80))  # duplicates d20's "web"
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 1)
    assert pipeline._parallel_chunks([str(tmp_path)]) is not None
    parallel = pipeline.validate_paths([str(tmp_path)])
    monkeypatch.setattr(pipeline, "_parallel_chunks", lambda paths: None)
    serial = pipeline.validate_paths([str(tmp_path)])
    assert render_text(parallel.report) == render_text(serial.report)
    assert [d.obj["metadata"]["name"] for d in parallel.documents] == \
        [d.obj["metadata"]["name"] for d in serial.documents]
    assert any(d.rule == "duplicate-object" for d in parallel.report.errors)
    assert parallel.report.invalid_count == 4


@pytest.mark.parametrize("parallel", [False, True])
def test_a_file_that_vanishes_is_reported_for_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     parallel: bool) -> None:
    """Deleted between listing the folder and reading it: that file's I/O error; the rest validated."""
    from kapply.load import loader, walk
    from kapply.validate import pipeline

    for i in range(8):
        _write(tmp_path, f"d{i}.yaml", DEPLOY.format(replicas=1, port=70000 if i == 5 else 80)
               .replace("name: web", f"name: web-{i}", 1))
    doomed = tmp_path / "d3.yaml"
    real_discover = walk.discover

    def discover_then_delete(paths: list[str]) -> tuple[list[walk.Source], list[object]]:
        found = real_discover(paths)
        doomed.unlink(missing_ok=True)
        return found

    if parallel:  # the parent finds the files, the workers read them
        monkeypatch.setattr(walk, "discover", discover_then_delete)
        monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 4)
        monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 1)
    else:
        monkeypatch.setattr(loader, "discover", discover_then_delete)
        monkeypatch.setattr(pipeline, "_parallel_chunks", lambda paths: None)
    report = pipeline.validate_paths([str(tmp_path)]).report
    io = [d for d in report.errors if d.rule == "io"]
    assert [(d.file, d.message) for d in io] == [(str(doomed), "cannot read file: No such file or directory")]
    assert [d.field for d in report.errors if d.rule != "io"] == [
        "spec.template.spec.containers[0].ports[0].containerPort"]
    assert len(report.resources) == 7


def test_the_cli_exits_2_for_a_vanished_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              run_cli: Callable[..., Any]) -> None:
    from kapply.load import loader, walk

    _write(tmp_path, "a.yaml", DEPLOY.format(replicas=1, port=80))
    _write(tmp_path, "b.yaml", DEPLOY.format(replicas=1, port=80).replace("name: web", "name: b", 1))
    real_discover = walk.discover

    def discover_then_delete(paths: list[str]) -> tuple[list[walk.Source], list[object]]:
        found = real_discover(paths)
        (tmp_path / "b.yaml").unlink(missing_ok=True)
        return found

    monkeypatch.setattr(loader, "discover", discover_then_delete)
    res = run_cli("validate", str(tmp_path))
    assert res.exit_code == 2
    assert f"{tmp_path / 'b.yaml'}:1:1: error: cannot read file: No such file or directory" in res.stdout
    assert "1 resources in 1 files: 1 valid" in res.stdout
