"""Renderings of a validation Report: text, json, junit, github (workflow annotations).

Pure functions from a Report to a string, so the CLI only picks one and prints it. The text form
is what compilers print (`file:line:col: error: ...`) so editors and CI logs link to the spot.
"""

from __future__ import annotations

import json
from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from kapply.validate.diagnostics import Diagnostic, Report

FORMATS = ("text", "json", "junit", "github")


def render(report: Report, fmt: str) -> str:
    return {"text": render_text, "json": render_json, "junit": render_junit,
            "github": render_github}[fmt](report)


def _sorted(report: Report) -> list[Diagnostic]:
    return sorted(report.diagnostics, key=lambda d: (d.file, d.line, d.column))


def render_text(report: Report) -> str:
    lines = [f"{d.file}:{d.line}:{d.column}: {d.severity}: {d.text}" for d in _sorted(report)]
    lines.append(report.summary())
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    payload = {
        "valid": report.ok,
        "summary": {
            "resources": len(report.resources), "files": len(report.files),
            "valid": report.valid_count, "invalid": report.invalid_count,
            "errors": len(report.errors), "warnings": len(report.warnings),
        },
        "diagnostics": [d.to_json() for d in _sorted(report)],
    }
    if report.kustomizations:
        payload["kustomize"] = {"renderer": report.renderer or None, "kustomizations": report.kustomizations}
    return json.dumps(payload, indent=2) + "\n"


def render_junit(report: Report) -> str:
    """One testsuite per file, one testcase per resource (and one per unparsable file)."""
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_file[d.file].append(d)
    resources_by_file: dict[str, list[str]] = defaultdict(list)
    for name, file in zip(report.resources, report.resource_files, strict=False):
        resources_by_file[file].append(name)
    suites = []
    total_tests = total_failed = 0
    for file in report.files or sorted(by_file):
        diags = by_file.get(file, [])
        cases: dict[str, list[Diagnostic]] = defaultdict(list)
        for name in resources_by_file.get(file, []):
            cases.setdefault(name, [])
        for d in diags:
            cases[d.object or "(file)"].append(d)
        failed_cases = sum(1 for ds in cases.values() if any(d.severity == "error" for d in ds))
        body = []
        for name, ds in sorted(cases.items()):
            failures = "".join(
                f"<failure type={quoteattr(d.rule)} message={quoteattr(d.text)}>"
                f"{escape(f'{d.file}:{d.line}:{d.column}: {d.text}')}</failure>"
                for d in ds if d.severity == "error")
            case = f"<testcase classname={quoteattr(file)} name={quoteattr(name)}>"
            body.append(f"    {case}{failures}</testcase>")
        if not cases:
            body.append(f'    <testcase classname={quoteattr(file)} name={quoteattr(file)}></testcase>')
        total_tests += max(len(cases), 1)
        total_failed += failed_cases
        suites.append(f'  <testsuite name={quoteattr(file)} tests="{max(len(cases), 1)}" '
                      f'failures="{failed_cases}" errors="0">\n' + "\n".join(body) + "\n  </testsuite>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="kapply validate" tests="{total_tests}" failures="{total_failed}">\n'
            + "\n".join(suites) + "\n</testsuites>\n")


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...,col=...,title=...::message`."""
    lines = []
    for d in _sorted(report):
        level = "error" if d.severity == "error" else "warning"
        lines.append(f"::{level} file={_gh_escape(d.file, True)},line={d.line},col={d.column},"
                     f"title={_gh_escape('kapply ' + d.rule, True)}::{_gh_escape(d.text)}")
    lines.append(report.summary())
    return "\n".join(lines) + "\n"
