"""A kustomization's rendered objects as `Document`s that point at the user's files.

`kustomize.render` hands back YAML whose objects carry kustomize's origin annotation (the file an
object was read from, or the kustomization that generated it). Here each object becomes a
`Document` of its source file: a resource listed verbatim is matched to its document in that file
(same kind; the same name, or the one the rendered name was built from with a prefix or suffix),
so validation's file:line:column of a field is the field's place in that file when the field is
written there, else the object's start. A generated object (configMapGenerator, secretGenerator,
helmCharts) points at the kustomization that configures it, at its entry. An object whose origin
is unknown points at the kustomization file. Never at the rendered text, which no user can open.

The annotation is removed again: `kubectl apply -k` would not have written it.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from kapply.load.document import Document, LoadIssue
from kapply.load.kustomization import line_of, read
from kapply.load.kustomize import ORIGIN_ANNOTATION
from kapply.load.parse import parse_source
from kapply.load.positions import SourceText
from kapply.load.walk import display_path

_GENERATOR_FIELDS = {"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator",
                     "HelmChartInflationGenerator": "helmCharts"}


def documents_of(data: bytes, kustomization: str, origins_base: str | None, root: str,
                 ) -> tuple[list[Document], list[LoadIssue]]:
    """Parse rendered output; `origins_base` is the folder the origin paths are relative to.

    `kustomization` is the kustomization file's display path, `root` the folder rendered: every
    document is tagged with it (`Document.kustomization`).
    """
    rendered, issues = parse_source(SourceText(kustomization, data))
    if issues:  # kustomize's own output does not parse: say so at the kustomization
        return [], [LoadIssue(kustomization, 1, 1, f"the rendered output is not valid YAML: {i.message}",
                              "kustomize") for i in issues[:1]]
    files = _SourceFiles()
    out = []
    for index, doc in enumerate(rendered):
        origin = _pop_origin(doc.obj) if origins_base is not None else None
        placed = _place(doc.obj, origin, origins_base, files) if origin else None
        if placed is None:
            placed = Document(doc.obj, kustomization, index, None, 1, 1, None)
        placed.kustomization = root
        out.append(placed)
    return out, []


def _pop_origin(obj: Any) -> dict[str, Any] | None:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        return None
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or ORIGIN_ANNOTATION not in annotations:
        return None
    raw = annotations.pop(ORIGIN_ANNOTATION)
    if not annotations:
        del meta["annotations"]
    try:
        value = yaml.safe_load(raw) if isinstance(raw, str) else None
    except yaml.YAMLError:
        return None
    return value if isinstance(value, dict) else None


def _place(obj: dict[str, Any], origin: dict[str, Any], base: str | None, files: _SourceFiles,
           ) -> Document | None:
    assert base is not None
    if isinstance(origin.get("path"), str) and not origin.get("repo"):
        path = os.path.normpath(os.path.join(base, origin["path"]))
        match = _matching(obj, files.documents(path))
        if match is not None:
            return Document(obj, match.file, match.doc_index, match.item_index, match.line, match.column,
                            match.source)
        return Document(obj, display_path(path), 0, None, 1, 1, None)
    configured = origin.get("configuredIn")
    if isinstance(configured, str):
        path = os.path.normpath(os.path.join(base, configured))
        by = origin.get("configuredBy") or {}
        line = _generator_line(path, obj, by.get("kind") if isinstance(by, dict) else None)
        return Document(obj, display_path(path), 0, None, line, 1, None)
    return None


def _matching(obj: dict[str, Any], candidates: list[Document]) -> Document | None:
    """The source document `obj` was rendered from: same apiVersion group and kind, then by name."""
    kind, group = obj.get("kind"), _group(obj.get("apiVersion"))
    same = [d for d in candidates if d.obj.get("kind") == kind and _group(d.obj.get("apiVersion")) == group]
    if len(same) <= 1:
        return same[0] if same else None
    name = str((obj.get("metadata") or {}).get("name") or "")
    named = [(len(n), d) for d in same if (n := str((d.obj.get("metadata") or {}).get("name") or ""))
             and n in name]
    if not named:
        return None
    return max(named, key=lambda pair: pair[0])[1]


def _group(api_version: Any) -> str:
    text = str(api_version or "")
    return text.rpartition("/")[0] if "/" in text else ""


def _generator_line(path: str, obj: dict[str, Any], kind: Any) -> int:
    field = _GENERATOR_FIELDS.get(str(kind), "")
    name = str((obj.get("metadata") or {}).get("name") or "")
    entries = read(os.path.dirname(path)).get(field) if field else None
    names: list[str] = [e["name"] for e in entries or ()
                        if isinstance(e, dict) and isinstance(e.get("name"), str)]
    chosen = max((n for n in names if n in name), key=len, default=None)
    for entry in (chosen, field):
        if entry:
            line = line_of(path, entry)
            if line is not None:
                return line
    return 1


class _SourceFiles:
    """Each origin file parsed once per render."""

    def __init__(self) -> None:
        self._parsed: dict[str, list[Document]] = {}

    def documents(self, path: str) -> list[Document]:
        if path not in self._parsed:
            try:
                with open(path, "rb") as handle:
                    data = handle.read(32 * 1024 * 1024)
            except OSError:
                data = b""
            self._parsed[path] = parse_source(SourceText(display_path(path), data))[0]
        return self._parsed[path]
