"""Output formats of a validation report: what CI systems and people read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from kapply.validate.diagnostics import Diagnostic, Report
from kapply.validate.formats import render


def _report() -> Report:
    r = Report(files=["m/a.yaml", "m/b.yaml"], resources=["Deployment/default/web", "Service/default/web"])
    r.diagnostics.append(Diagnostic("m/a.yaml", 12, 7, 'Invalid value: "three": must be an integer',
                                    "schema", "error", "Deployment/default/web", "spec.replicas"))
    r.diagnostics.append(Diagnostic("m/b.yaml", 3, 1, "no schema for kind", "unknown-kind", "warning",
                                    "Service/default/web", "apiVersion"))
    r.invalid.add("Deployment/default/web")
    return r


def test_text_is_compiler_style_with_summary() -> None:
    out = render(_report(), "text").splitlines()
    assert out[0] == ('m/a.yaml:12:7: error: Deployment/default/web: spec.replicas: '
                      'Invalid value: "three": must be an integer')
    assert out[1].startswith("m/b.yaml:3:1: warning: Service/default/web: apiVersion:")
    assert out[-1] == "2 resources in 2 files: 1 valid, 1 invalid, 1 warning"


def test_json_is_machine_readable() -> None:
    data = json.loads(render(_report(), "json"))
    assert data["valid"] is False
    assert data["summary"] == {"resources": 2, "files": 2, "valid": 1, "invalid": 1, "errors": 1,
                               "warnings": 1}
    first = data["diagnostics"][0]
    assert (first["file"], first["line"], first["column"], first["field"]) == ("m/a.yaml", 12, 7,
                                                                               "spec.replicas")


def test_junit_has_a_failure_per_invalid_resource() -> None:
    root = ET.fromstring(render(_report(), "junit"))
    failures = root.findall(".//failure")
    assert len(failures) == 1
    assert "spec.replicas" in failures[0].get("message", "")
    assert root.get("failures") == "1"


def test_github_annotations_escape_properties() -> None:
    out = render(_report(), "github").splitlines()
    assert out[0].startswith("::error file=m/a.yaml,line=12,col=7,title=kapply schema::")
    assert out[1].startswith("::warning file=m/b.yaml,line=3,col=1,")


def test_junit_lists_every_resource_of_a_file_valid_ones_too(tmp_path) -> None:
    from kapply.validate.pipeline import validate_paths

    (tmp_path / "list.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {x: '1'}}\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {x: 2}}\n")
    (tmp_path / "multi.yaml").write_text("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n")
    (tmp_path / "broken.yaml").write_text("a: [\n")
    report = validate_paths([str(tmp_path)]).report
    root = ET.fromstring(render(report, "junit"))
    cases = {(c.get("classname", "").rsplit("/", 1)[-1], c.get("name")): c for c in root.iter("testcase")}
    assert set(cases) == {("list.yaml", "ConfigMap/default/a"), ("list.yaml", "ConfigMap/default/b"),
                          ("multi.yaml", "ConfigMap/default/c"), ("broken.yaml", "(file)")}
    assert cases[("list.yaml", "ConfigMap/default/a")].find("failure") is None
    assert cases[("list.yaml", "ConfigMap/default/b")].find("failure") is not None
    assert root.get("tests") == "4" and root.get("failures") == "2"
    assert sum(int(s.get("tests", "0")) for s in root.iter("testsuite")) == 4
