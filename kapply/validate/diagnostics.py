"""The Diagnostic: one problem found in the input, located precisely.

Every check (loader, schema, semantic rule, cross-document) reports through this one type so
that every output format (text, json, junit, github) and the API server's admission read the
same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    column: int
    message: str  # Kubernetes-style, without the field: 'Invalid value: 70000: must be ...'
    rule: str
    severity: str = "error"  # or "warning"
    object: str = ""  # 'Deployment/default/web'; empty for file-level problems
    field: str = ""  # 'spec.template.spec.containers[0].ports[0].containerPort'

    @property
    def text(self) -> str:
        """`Deployment/default/web: spec.replicas: Invalid value: ...` (no location)."""
        parts = [p for p in (self.object, self.field) if p]
        return ": ".join([*parts, self.message])

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "line": self.line, "column": self.column, "severity": self.severity,
            "rule": self.rule, "object": self.object or None, "field": self.field or None,
            "message": self.message,
        }


@dataclass
class Report:
    """What `validate` found: diagnostics plus the counts of its summary line."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)  # object display names, in input order
    invalid: set[str] = field(default_factory=set)  # display names of resources with an error
    resource_files: list[str] = field(default_factory=list)  # the file of each of `resources`
    kustomizations: list[str] = field(default_factory=list)  # kustomization files rendered
    renderer: str = ""  # by which renderer

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def valid_count(self) -> int:
        return len(self.resources) - self.invalid_count

    @property
    def invalid_count(self) -> int:
        return len(self.invalid)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = (f"{len(self.resources)} resources in {len(self.files)} files: "
                f"{self.valid_count} valid, {self.invalid_count} invalid")
        file_errors = sum(1 for d in self.errors if not d.object)
        if file_errors:
            text += f", {file_errors} file error{'s' if file_errors != 1 else ''}"
        if self.warnings:
            text += f", {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        if self.kustomizations:
            text += f" ({self.rendered()})"
        return text

    def rendered(self) -> str:
        """`overlays/prod/kustomization.yaml rendered by kubectl kustomize` (or `3 kustomizations ...`)."""
        what = self.kustomizations[0] if len(self.kustomizations) == 1 else \
            f"{len(self.kustomizations)} kustomizations"
        return f"{what} rendered by {self.renderer or 'no renderer (none on PATH)'}"
