"""Validation of a loaded folder: identity, JSON Schema, semantic rules, cross-document checks.

Sits between `load` (documents with positions) and `plan`. The schema and rule checks are pure
and position-free (the embedded API server calls them too); this module places their findings
at file:line:column through each document's position map, which is only consulted when there
is something to report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kapply.load.document import Document, LoadResult, format_path
from kapply.load.walk import Source
from kapply.model.keys import ResourceKey
from kapply.validate.diagnostics import Diagnostic, Report


@dataclass(frozen=True)
class ValidateOptions:
    skip_unknown: bool = False  # unknown kinds become warnings
    schema_dirs: tuple[Path, ...] = ()
    kubernetes_version: str = "1.34"
    rules: bool = True
    crds: tuple[dict[str, Any], ...] = ()  # CRDs beyond the files' own (apply: the cluster's)


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


def validate_loaded(loaded: LoadResult, options: ValidateOptions | None = None, *,
                    check_duplicates: bool = True) -> Validated:
    """Validate every loaded document; load issues become diagnostics too."""
    from kapply.validate.schema import SchemaValidator, default_validator

    options = options or ValidateOptions()
    if options.schema_dirs or options.kubernetes_version != "1.34":
        schemas = SchemaValidator(options.kubernetes_version, options.schema_dirs)
    else:
        schemas = default_validator()
    from kapply.validate.custom import CustomKinds, is_crd

    custom = CustomKinds(options.crds)
    for doc in loaded.documents:  # a file's CRDs define kinds for every file
        if isinstance(doc.obj, dict) and is_crd(doc.obj):
            custom.add(doc.obj)

    report = Report(files=list(loaded.files), kustomizations=list(loaded.kustomizations),
                    renderer=loaded.renderer)
    result = Validated(report)
    spoiled: dict[tuple[str, int], list[Any]] = {}  # issues of documents that still loaded
    for issue in loaded.issues:
        doc_index = getattr(issue, "doc_index", None)
        if doc_index is not None:
            spoiled.setdefault((issue.file, doc_index), []).append(issue)
            continue
        report.diagnostics.append(Diagnostic(issue.file, issue.line, issue.column, issue.message, issue.rule,
                                             getattr(issue, "severity", "error")))
    reported: set[Any] = set()
    for doc in loaded.documents:
        spoils = spoiled.get((doc.file, doc.doc_index), ()) if spoiled else ()
        problems = _identity_problems(doc)
        if problems:
            report.diagnostics.extend(problems)
            report.resources.append(f"{doc.file}#{doc.doc_index}")
            report.resource_files.append(doc.file)
            report.invalid.add(f"{doc.file}#{doc.doc_index}")
            continue
        key = ResourceKey.of(doc.obj)
        name = key.display
        report.resources.append(name)
        report.resource_files.append(doc.file)
        found = _check_document(doc, name, schemas, options, custom)
        # a duplicate key makes the object invalid, as strict decoding rejects it (reported once per document)
        found += [Diagnostic(i.file, i.line, i.column, i.message, i.rule, "error", name)
                  for i in spoils if i not in reported]
        reported.update(spoils)
        report.diagnostics.extend(found)
        if spoils or any(d.severity == "error" for d in found):
            report.invalid.add(name)
        else:
            result.documents.append(doc)
            result.keys.append(key)
    for issue in (i for issues in spoiled.values() for i in issues if i not in reported):
        report.diagnostics.append(Diagnostic(issue.file, issue.line, issue.column, issue.message, issue.rule))
    if check_duplicates:
        flag_duplicates(result)
    return result


def flag_duplicates(result: Validated) -> None:
    """The same object defined twice is an error at the second place, naming the first."""
    seen: dict[ResourceKey, Document] = {}
    documents, keys = [], []
    for doc, key in zip(result.documents, result.keys, strict=True):
        first = seen.get(key)
        if first is None:
            seen[key] = doc
            documents.append(doc)
            keys.append(key)
            continue
        result.report.diagnostics.append(_diag(
            doc, ("metadata", "name"), f"Duplicate value: {json.dumps(key.name)}: {key.display} is also "
            f"defined at {first.file}:{first.line}:{first.column}", "duplicate-object", key.display))
        result.report.invalid.add(key.display)
    result.documents, result.keys = documents, keys


def _check_document(doc: Document, name: str, schemas: Any, options: ValidateOptions,
                    custom: Any = None) -> list[Diagnostic]:
    from kapply.validate.accepted import check_object

    checked = check_object(doc.obj, schemas, rules=options.rules)
    crd = custom.find(doc.obj) if custom and not checked.known else None
    if crd is not None:  # a custom resource: its CRD's schema, and the object meta rules every kind has
        found = [_diag(doc, path, message, rule, name) for path, message, rule in custom.check(doc.obj, crd)]
        if options.rules:
            from kapply.validate.rules import check

            found += [_diag(doc, tuple(f.path), f.message, f.rule, name, f.severity, f.field)
                      for f in check(doc.obj)]
        return found
    if not checked.known:  # the issues explain the unknown kind / apiVersion
        severity = "warning" if options.skip_unknown else "error"
        return [_diag(doc, ("apiVersion",), i.message, i.rule, name, severity) for i in checked.issues]
    found = [_diag(doc, tuple(i.path), i.message, i.rule, name) for i in checked.issues]
    for f in checked.findings:
        found.append(_diag(doc, tuple(f.path), f.message, f.rule, name, f.severity, f.field))
    return found


def validate_paths(paths: Sequence[str], options: ValidateOptions | None = None,
                   stdin: Any = None) -> Validated:
    """Load and validate: the whole front half of the pipeline.

    Large folders are loaded and validated in chunks on every core (fork), each chunk a contiguous
    run of files, so the result is the same as a serial run, in the same order; only the
    cross-document duplicate check needs the whole and runs here afterwards.
    """
    from kapply.load.loader import load_paths, load_sources

    options = options or ValidateOptions()
    chunks = _parallel_chunks(paths)
    if chunks is None:
        return validate_loaded(load_paths(paths, stdin=stdin), options)
    from kapply.load.parallel import map_chunks
    from kapply.load.syntax import collector_paused

    def work(chunk: list[Source]) -> list[Validated]:
        return [validate_loaded(load_sources(chunk, workers=1), options, check_duplicates=False)]

    with collector_paused():
        parts = map_chunks(work, chunks, _workers())
    merged = Validated(Report())
    for part in parts:
        merged.report.diagnostics.extend(part.report.diagnostics)
        merged.report.files.extend(part.report.files)
        merged.report.resources.extend(part.report.resources)
        merged.report.resource_files.extend(part.report.resource_files)
        merged.report.invalid |= part.report.invalid
        merged.documents.extend(part.documents)
        merged.keys.extend(part.keys)
    flag_duplicates(merged)
    return merged


PARALLEL_MIN_FILES = 64
PARALLEL_MIN_BYTES = 1024 * 1024
CHUNKS_PER_PROCESS = 8


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # gone since it was found: its chunk reports it
        return 0


def _parallel_chunks(paths: Sequence[str]) -> list[list[Source]] | None:
    """Chunks of discovered files worth validating in parallel, or None to validate here.

    The workers load the files found here (they do not walk the folders again), so a file that
    vanishes in between is reported as unreadable, by itself, and everything else is validated.
    """
    import multiprocessing
    import threading

    from kapply.load.parallel import split_by_size
    from kapply.load.walk import discover

    if "-" in paths or _workers() < 2 or threading.active_count() > 1 or \
            "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        sources, issues = discover(paths)
    except Exception:
        return None  # let the serial path report it
    if any(s.is_kustomization for s in sources):
        return None  # rendered by a renderer process each, in threads (`loader`)
    files = [s for s in sources if s.path is not None]
    real = {os.path.realpath(s.path) for s in files if s.path is not None}
    if issues or len(files) < PARALLEL_MIN_FILES or len(real) != len(files):
        return None
    sizes = [_size(s.path) for s in files if s.path is not None]
    if sum(sizes) < PARALLEL_MIN_BYTES:
        return None
    if any(_defines_kinds(s.path) for s in files if s.path is not None):
        return None  # a CRD's kinds are known to every file only in one pass
    return split_by_size(files, sizes, _workers() * CHUNKS_PER_PROCESS)


def _defines_kinds(path: str) -> bool:
    """Whether a file may hold a CustomResourceDefinition (a byte scan, no parsing)."""
    try:
        with open(path, "rb") as fh:
            return b"CustomResourceDefinition" in fh.read()
    except OSError:
        return False
