"""Rendering kustomizations: which renderer, its failures as diagnostics, objects at their source files.

The renderer choice, the time limit and the error handling run against fake `kustomize` and
`kubectl` scripts on a temporary PATH; the rendering itself runs the real renderer where one is on
PATH (this machine's kubectl has kustomize built in) and skips otherwise.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from kapply.load.kustomize import RenderError, clean_error, find_renderer, locate_error, render
from kapply.load.loader import load_paths
from kapply.load.walk import discover
from kapply.validate.pipeline import validate_paths

REAL = find_renderer()
needs_renderer = pytest.mark.skipif(REAL is None,
                                    reason="no kustomize renderer (kustomize or kubectl) on PATH")
# beside the repository (CI), or beside the folder of worktrees holding it
PODINFO = next((p / "shared" / "gitops" / "podinfo-deploy" for p in Path(__file__).resolve().parents[3:5]
                if (p / "shared" / "gitops" / "podinfo-deploy").is_dir()), Path("/nonexistent"))
needs_podinfo = pytest.mark.skipif(not PODINFO.is_dir(), reason="../shared/gitops/podinfo-deploy is absent")

SLEEP = shutil.which("sleep")
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-{}\n"


def _script(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH folder: the test puts fake renderers in it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (folder / "cm.yaml").write_text(CONFIGMAP.format("file"))
    return folder


def test_the_standalone_kustomize_is_preferred(fake_path: Path, overlay: Path) -> None:
    _script(fake_path, "kustomize", f'[ "$1" = build ] && printf "{CONFIGMAP.format("kustomize")}"\n')
    _script(fake_path, "kubectl", f'printf "{CONFIGMAP.format("kubectl")}"\n')
    assert find_renderer().name == "kustomize"
    loaded = load_paths([str(overlay)])
    assert [d.obj["metadata"]["name"] for d in loaded.documents] == ["from-kustomize"]
    assert loaded.renderer == "kustomize"


def test_kubectl_kustomize_when_there_is_no_kustomize(fake_path: Path, overlay: Path) -> None:
    _script(fake_path, "kubectl", f'[ "$1" = kustomize ] && printf "{CONFIGMAP.format("kubectl")}"\n')
    loaded = load_paths([str(overlay)])
    assert [d.obj["metadata"]["name"] for d in loaded.documents] == ["from-kubectl"]
    report = validate_paths([str(overlay)]).report
    assert report.summary().endswith(" rendered by kubectl kustomize)")


def test_no_renderer_names_both(fake_path: Path, overlay: Path) -> None:
    assert find_renderer() is None
    with pytest.raises(RenderError) as caught:
        render(str(overlay))
    assert "neither `kustomize` nor `kubectl`" in caught.value.message
    report = validate_paths([str(overlay)]).report
    assert not report.ok
    assert report.errors[0].file.endswith("kustomization.yaml") and report.errors[0].rule == "kustomize"


def test_a_renderer_that_hangs_is_stopped(fake_path: Path, overlay: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _script(fake_path, "kustomize", f"exec {SLEEP} 30\n")
    monkeypatch.setenv("KAPPLY_KUSTOMIZE_TIMEOUT", "0.3")
    with pytest.raises(RenderError, match=r"did not finish within 0.3s"):
        render(str(overlay))


def test_a_renderer_failure_is_a_diagnostic_at_the_kustomization_line(fake_path: Path, overlay: Path) -> None:
    _script(fake_path, "kustomize",
            "echo \"Error: accumulating resources: accumulating resources from 'cm.yaml': boom\" >&2\n"
            "exit 1\n")
    report = validate_paths([str(overlay)]).report
    (error,) = report.errors
    assert (Path(error.file).resolve(), error.line) == ((overlay / "kustomization.yaml").resolve(), 2)
    assert error.message == "kustomize: accumulating resources: accumulating resources from 'cm.yaml': boom"


@pytest.mark.parametrize(("stderr", "message"), [
    ('E1204 20:00:33.871177   10437 run.go:72] "command failed" err="invalid Kustomization: json: unknown '
     'field \\"resourcez\\""', 'invalid Kustomization: json: unknown field "resourcez"'),
    ("Error: invalid Kustomization: yaml: line 3: did not find expected ',' or ']'\n",
     "invalid Kustomization: yaml: line 3: did not find expected ',' or ']'"),
    ("something odd\nhappened\n", "something odd happened"),
])
def test_clean_error(stderr: str, message: str) -> None:
    assert clean_error(stderr) == message


def test_locate_error_follows_kustomize_into_bases(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n- ok.yaml\n- nope.yaml\n")
    (tmp_path / "app" / "kustomization.yaml").write_text("resourcez:\n- ../base\n")
    (tmp_path / "base" / "ok.yaml").write_text("a: b\n")
    base = str(tmp_path / "base")
    nested = (f"accumulating resources: accumulation err='accumulating resources from '../base': "
              f"'{base}' must resolve to a file': recursed accumulation of path '{base}': accumulating "
              f"resources: accumulation err='accumulating resources from 'nope.yaml': "
              f"evalsymlink failure on '{base}/nope.yaml'")
    file, line = locate_error(nested, str(tmp_path / "app"))
    assert (Path(file).resolve(), line) == ((tmp_path / "base" / "kustomization.yaml").resolve(), 3)
    file, line = locate_error('invalid Kustomization: json: unknown field "resourcez"', str(tmp_path / "app"))
    assert (Path(file).name, line) == ("kustomization.yaml", 1)
    file, line = locate_error("accumulating resources from 'ok.yaml': MalformedYAMLError: yaml: line 4: did "
                              "not find expected key in File: ok.yaml", base)
    assert (Path(file).name, line) == ("ok.yaml", 4)


def _base_and_overlay(tmp_path: Path) -> Path:
    (tmp_path / "base").mkdir()
    (tmp_path / "overlay").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n- web.yaml\n")
    (tmp_path / "base" / "web.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n"
        "  ports:\n  - port: 70000\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n")
    (tmp_path / "overlay" / "kustomization.yaml").write_text(
        "resources:\n- ../base\nnamePrefix: prod-\nconfigMapGenerator:\n- name: settings\n"
        "  literals: [a=b]\n")
    return tmp_path / "overlay"


@needs_renderer
def test_a_rendered_object_points_at_its_source_file_and_field(tmp_path: Path) -> None:
    report = validate_paths([str(_base_and_overlay(tmp_path))]).report
    (error,) = report.errors
    assert Path(error.file).resolve() == (tmp_path / "base" / "web.yaml").resolve()
    assert (error.line, error.field, error.object) == (8, "spec.ports[0].port", "Service/default/prod-web")


@needs_renderer
def test_generated_objects_point_at_their_generator_and_no_origin_annotation_is_left(tmp_path: Path) -> None:
    loaded = load_paths([str(_base_and_overlay(tmp_path))])
    by_name = {(d.obj["kind"], d.obj["metadata"]["name"]): d for d in loaded.documents}
    generated = next(d for (_, n), d in by_name.items() if n.startswith("prod-settings-"))
    assert (Path(generated.file).name, generated.line) == ("kustomization.yaml", 5)
    web = by_name[("ConfigMap", "prod-web")]
    assert (Path(web.file).name, web.line) == ("web.yaml", 10)
    assert all("annotations" not in d.obj["metadata"] for d in loaded.documents)
    assert {d.kustomization for d in loaded.documents} == {os.path.realpath(tmp_path / "overlay")}


@needs_renderer
def test_the_real_renderers_error_lands_on_the_kustomization_line(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n- present.yaml\n- missing.yaml\n")
    (tmp_path / "present.yaml").write_text(CONFIGMAP.format("x"))
    (error,) = validate_paths([str(tmp_path)]).report.errors
    assert (Path(error.file).name, error.line, error.rule) == ("kustomization.yaml", 3, "kustomize")
    assert "missing.yaml" in error.message and error.message.startswith(REAL.name + ": ")


def test_a_folder_is_read_as_sources(tmp_path: Path) -> None:
    """Walked bases are not sources; a chart is one error; plain files beside them load."""
    _base_and_overlay(tmp_path)
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("name: c\n")
    (tmp_path / "chart" / "templates" / "x.yaml").write_text("{{ .Values.x }}\n")
    (tmp_path / "plain.yaml").write_text(CONFIGMAP.format("plain"))
    sources, issues = discover([str(tmp_path)])
    assert [(Path(s.display).parent.name, s.kind) for s in sources] == [("overlay", "kustomization"),
                                                                      (tmp_path.name, "file")]
    (chart,) = issues
    assert chart.rule == "helm-chart" and chart.file.endswith("Chart.yaml")
    assert "helm template RELEASE" in chart.message
    named, _ = discover([str(tmp_path / "base"), str(tmp_path / "overlay")])  # named: always a source
    assert [s.kind for s in named] == ["kustomization", "kustomization"]


@needs_renderer
@needs_podinfo
@pytest.mark.parametrize("overlay", ["dev", "staging", "production"])
def test_podinfo_overlays_render_to_25_valid_objects(overlay: str) -> None:
    validated = validate_paths([str(PODINFO / "overlays" / overlay)])
    assert validated.report.ok, validated.report.errors
    assert len(validated.documents) == 25
    assert {d.obj["metadata"].get("namespace") for d in validated.documents} == {None, overlay}
    assert all("/bases/" in d.file or "/overlays/" in d.file for d in validated.documents)


@needs_renderer
@needs_podinfo
def test_podinfo_as_a_whole_is_three_overlays_and_its_plain_folders() -> None:
    sources, _ = discover([str(PODINFO)])
    kustomizations = sorted(Path(s.display).parent.name for s in sources if s.is_kustomization)
    assert kustomizations == ["dev", "production", "staging"]
    assert not any("/bases/" in s.display for s in sources)
