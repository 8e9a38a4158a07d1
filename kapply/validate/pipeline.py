"""Validation of a loaded folder: identity, JSON Schema, semantic rules, cross-document checks.

Sits between `load` (documents with positions) and `plan`. The schema and rule checks are pure
and position-free (the embedded API server calls them too); this module places their findings
at file:line:column through each document's position map, which is only consulted when there
is something to report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kapply.load.document import Document, LoadResult, format_path
from kapply.model.keys import ResourceKey
from kapply.validate.diagnostics import Diagnostic, Report


@dataclass(frozen=True)
class ValidateOptions:
    skip_unknown: bool = False  # unknown kinds become warnings
    schema_dirs: tuple[Path, ...] = ()
    kubernetes_version: str = "1.34"
    rules: bool = True


@dataclass
class Validated:
    """The outcome: the report plus the documents that passed, in input order."""

    report: Report
    documents: list[Document] = field(default_factory=list)
    keys: list[ResourceKey] = field(default_factory=list)


def _diag(doc: Document, path: tuple[str | int, ...], message: str, rule: str, obj: str,
          severity: str = "error", field: str | None = None) -> Diagnostic:
    pos = doc.position(path)
    return Diagnostic(pos.file, pos.line, pos.column, message, rule, severity, obj,
                      format_path(path) if field is None else field)


def _identity_problems(doc: Document) -> list[Diagnostic]:
    obj = doc.obj
    found = []
    for fld in ("apiVersion", "kind"):
        value = obj.get(fld)
        if value in (None, ""):
            found.append(_diag(doc, (fld,), f"Required value: {fld} not set", "identity", ""))
        elif not isinstance(value, str):
            found.append(_diag(doc, (fld,), f"Invalid value: {value!r}: must be a string", "identity", ""))
    meta = obj.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        found.append(_diag(doc, ("metadata",), "Invalid value: must be an object", "identity", ""))
    return found


def validate_loaded(loaded: LoadResult, options: ValidateOptions | None = None) -> Validated:
    """Validate every loaded document; load issues become diagnostics too."""
    from kapply.validate.schema import SchemaValidator, default_validator

    options = options or ValidateOptions()
    if options.schema_dirs or options.kubernetes_version != "1.34":
        schemas = SchemaValidator(options.kubernetes_version, options.schema_dirs)
    else:
        schemas = default_validator()
    check_rules = _rules_checker() if options.rules else None

    report = Report(files=list(loaded.files))
    result = Validated(report)
    for issue in loaded.issues:
        report.diagnostics.append(Diagnostic(issue.file, issue.line, issue.column, issue.message, issue.rule,
                                             getattr(issue, "severity", "error")))
    seen: dict[ResourceKey, Document] = {}
    for doc in loaded.documents:
        problems = _identity_problems(doc)
        if problems:
            report.diagnostics.extend(problems)
            report.resources.append(f"{doc.file}#{doc.doc_index}")
            report.invalid.add(f"{doc.file}#{doc.doc_index}")
            continue
        key = ResourceKey.of(doc.obj)
        name = key.display
        report.resources.append(name)
        found = _check_document(doc, name, schemas, check_rules, options)
        first = seen.get(key)
        if first is not None:
            found.append(_diag(doc, ("metadata", "name"),
                               f"Duplicate value: {json.dumps(key.name)}: {key.display} is also defined at "
                               f"{first.file}:{first.line}:{first.column}", "duplicate-object", name))
        else:
            seen[key] = doc
        report.diagnostics.extend(found)
        if any(d.severity == "error" for d in found):
            report.invalid.add(name)
        else:
            result.documents.append(doc)
            result.keys.append(key)
    return result


def _rules_checker() -> Any:
    from kapply.validate.rules import check

    return check


def _check_document(doc: Document, name: str, schemas: Any, check_rules: Any,
                    options: ValidateOptions) -> list[Diagnostic]:
    obj = doc.obj
    if not schemas.has_schema(obj["apiVersion"], obj["kind"]):
        issues = schemas.validate(obj)  # explains the unknown kind / apiVersion
        severity = "warning" if options.skip_unknown else "error"
        return [_diag(doc, ("apiVersion",), i.message, i.rule, name, severity) for i in issues]
    found = [_diag(doc, tuple(i.path), i.message, i.rule, name) for i in schemas.validate(obj)]
    if check_rules is not None:
        for f in check_rules(obj):
            found.append(_diag(doc, tuple(f.path), f.message, f.rule, name, f.severity, f.field))
    return found


def validate_paths(paths: Sequence[str], options: ValidateOptions | None = None,
                   stdin: Any = None) -> Validated:
    """Load and validate: the whole front half of the pipeline."""
    from kapply.load.loader import load_paths

    return validate_loaded(load_paths(paths, stdin=stdin), options)
