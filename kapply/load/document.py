"""The values the loading stage hands to the rest of kapply.

`load_paths` (in `loader`) turns files into `Document`s: one parsed Kubernetes object each, with
the file it came from and where it starts. Validation and apply read `Document.obj`; only when they
have something to say about a field do they ask `Document.position(path)` for its line and column.
Positions are found lazily (see `positions`): most documents are never asked, so none of their
positions are recorded up front.

Problems that stop a document from loading (YAML syntax, duplicate keys, alias or size limits,
a document that is not an object, unreadable files) are `LoadIssue`s, not exceptions, so one bad
file never hides the findings of the others. This module imports nothing heavy: the CLI may import
it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kapply.model.paths import FieldPath as FieldPath
from kapply.model.paths import format_path as format_path  # re-exported: loaders' users name it here

if TYPE_CHECKING:
    from kapply.load.positions import SourceText


@dataclass(frozen=True)
class Position:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Document:
    """One Kubernetes object as loaded from a file (or one item of a `kind: List`)."""

    obj: Any
    file: str
    doc_index: int
    item_index: int | None
    line: int
    column: int
    source: SourceText | None = field(default=None, repr=False, compare=False)
    # the kustomization folder it was rendered from (real path), None for a plain manifest
    kustomization: str | None = field(default=None, compare=False)

    def position(self, path: FieldPath) -> Position:
        """Where the value at `path` is written, or its nearest existing ancestor if it is absent."""
        if not path or self.source is None:
            return Position(self.file, self.line, self.column)
        from kapply.load.positions import locate

        found = locate(self.source, self.doc_index, self.item_index, path)
        if found is None:
            return Position(self.file, self.line, self.column)
        return Position(self.file, found[0], found[1])


@dataclass(frozen=True)
class LoadIssue:
    """A problem met while loading; `severity` is "error" unless the loader only skipped something."""

    file: str
    line: int
    column: int
    message: str
    rule: str
    severity: str = "error"
    # the document it spoils, when that still loaded (a duplicate key)
    doc_index: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.rule}]"


@dataclass
class LoadResult:
    """Everything `load_paths` found: documents in input order, issues, and the files it read."""

    documents: list[Document]
    issues: list[LoadIssue]
    files: list[str]
    kustomizations: list[str] = field(default_factory=list)  # the kustomization files rendered
    renderer: str = ""  # what rendered them: "kustomize" or "kubectl kustomize"
