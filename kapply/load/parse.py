"""One file's bytes -> Documents and LoadIssues.

Sits between `loader` (which finds and reads files) and `construct` (which builds one document's
value). Here live the per-file policies:
- empty documents and documents that are only comments or `null` are skipped silently;
- a document that is not a mapping is a `not-an-object` issue;
- `kind: List` (and a typed list such as `ConfigMapList`) is expanded into one Document per item,
  as kubectl does;
- a YAML syntax error ends the file (YAML cannot resynchronise), but the documents before it load;
- a construct error (bad tag, bad key, alias bomb) skips only its own document; a duplicate key
  is an issue too, but its document still loads (last value wins) so it can be checked further;
- a document larger than `DOCUMENT_LIMIT` bytes, or with more than `NODE_LIMIT` values by a cheap
  over-estimate (lines, commas, indicators), rejects the file before anything is composed, and a
  file stops after `DOCUMENTS_PER_FILE_LIMIT` documents: no input within the file size limit can
  make the composer build a node graph of more than some hundred MB, or run for more than seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import yaml
from yaml.nodes import Node, SequenceNode

from kapply.load.construct import ConstructError, build
from kapply.load.document import Document, LoadIssue
from kapply.load.positions import SourceText, member
from kapply.load.syntax import compose_documents

DOCUMENT_LIMIT = 3 * 1024 * 1024  # bytes: the API server's request size limit
NODE_LIMIT = 500_000  # values per document, estimated before composing
DOCUMENTS_PER_FILE_LIMIT = 10_000
_SMALL_FILE = 256 * 1024  # below this no document can come near either limit
_DOCUMENT_MARKER = re.compile(rb"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
_NODE_SIGNS = (b"\n", b",", b"[", b"{", b": ", b"- ")

_TYPE_NAMES = {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "a list"}


def mebibytes(size: int) -> str:
    """Human size for limit messages: `40.0 MiB`."""
    return f"{size / (1024 * 1024):.1f} MiB"


def _estimated_nodes(data: bytes, start: int, end: int) -> int:
    """An over-estimate of the values in data[start:end]: each needs a line, a comma or an indicator."""
    return sum(data.count(sign, start, end) for sign in _NODE_SIGNS)


def _document_ends(data: bytes) -> Iterator[int]:
    for match in _DOCUMENT_MARKER.finditer(data):
        yield match.start()
    yield len(data)


def _oversized_document(data: bytes) -> tuple[int, str] | None:
    """(1-based line, what is too big) of the first document over a size limit, if any.

    Each sign counted is at least one byte, so no document under `_SMALL_FILE` bytes can exceed
    either limit, and only larger ones are counted.
    """
    if len(data) <= _SMALL_FILE:
        return None
    start = 0
    for end in _document_ends(data):
        if end - start > _SMALL_FILE:
            if end - start > DOCUMENT_LIMIT:
                limit = mebibytes(DOCUMENT_LIMIT)
                what = f"is {mebibytes(end - start)}, over the {limit} limit of a Kubernetes object"
                return data.count(b"\n", 0, start) + 1, what
            if _estimated_nodes(data, start, end) > NODE_LIMIT:
                return data.count(b"\n", 0, start) + 1, f"has too many values (more than {NODE_LIMIT})"
        start = end
    return None


def _syntax_issue(file: str, data: bytes, exc: Exception) -> LoadIssue:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        message = exc.problem or "invalid YAML"
        if exc.context:
            message += f" ({exc.context}"
            start = exc.context_mark
            if start is not None:
                message += f" that starts at line {start.line + 1}, column {start.column + 1}"
            message += ")"
        mark = exc.problem_mark
        return LoadIssue(file, mark.line + 1, mark.column + 1, message, "yaml-syntax")
    if isinstance(exc, yaml.reader.ReaderError):
        offset = min(max(exc.position, 0), len(data))
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        character = exc.character
        code = character if isinstance(character, int) else ord(character[:1] or "\0")
        return LoadIssue(file, line, column, f"{exc.reason}: #x{code:02x}", "yaml-syntax")
    return LoadIssue(file, 1, 1, f"invalid YAML: {exc}", "yaml-syntax")


def _construct_issue(file: str, exc: ConstructError) -> LoadIssue:
    return LoadIssue(file, exc.line + 1, exc.column + 1, exc.message, exc.rule)


def _issue_at(file: str, node: Node, message: str, rule: str) -> LoadIssue:
    return LoadIssue(file, node.start_mark.line + 1, node.start_mark.column + 1, message, rule)


def _not_an_object(file: str, node: Node, value: Any, what: str) -> LoadIssue:
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    return _issue_at(
        file, node, f"{what} is {kind}, not an object (a Kubernetes manifest is a mapping with apiVersion "
        "and kind)", "not-an-object",
    )


class _FileParser:
    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.file = source.name
        self.may_alias = b"&" in source.data
        self.documents: list[Document] = []
        self.issues: list[LoadIssue] = []

    def run(self) -> None:
        data = self.source.data
        oversized = _oversized_document(data)
        if oversized is not None:
            line, what = oversized
            self.issues.append(LoadIssue(
                self.file, line, 1, f"document {what}; the file was not loaded", "yaml-size-limit",
            ))
            return
        index = 0
        try:
            for node in compose_documents(data):
                if index == DOCUMENTS_PER_FILE_LIMIT:
                    self.issues.append(_issue_at(
                        self.file, node, f"more than {DOCUMENTS_PER_FILE_LIMIT} documents in one file; "
                        "the rest were not loaded", "yaml-size-limit",
                    ))
                    return
                self._document(node, index)
                index += 1
        except yaml.YAMLError as exc:
            self.issues.append(_syntax_issue(self.file, data, exc))
        except RecursionError:
            self.issues.append(LoadIssue(self.file, 1, 1, "YAML nested too deeply", "yaml-size-limit"))

    def _document(self, node: Node, index: int) -> None:
        try:
            value, duplicates = build(node, self.may_alias)
        except ConstructError as exc:
            self.issues.append(_construct_issue(self.file, exc))
            return
        except RecursionError:
            self.issues.append(_issue_at(self.file, node, "document nested too deeply", "yaml-size-limit"))
            return
        self.issues.extend(replace(_construct_issue(self.file, exc), doc_index=index) for exc in duplicates)
        if value is None:
            return
        if not isinstance(value, dict):
            self.issues.append(_not_an_object(self.file, node, value, "document"))
            return
        kind, items = value.get("kind"), value.get("items")
        if "items" in value and (kind == "List" or (isinstance(kind, str) and kind.endswith("List")
                                                    and isinstance(items, list))):
            self._list_items(node, index, value)
            return
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.documents.append(Document(value, self.file, index, None, line, column, self.source))

    def _list_items(self, node: Node, index: int, value: dict[str, Any]) -> None:
        items = value["items"]
        found = member(node, "items")
        items_node = found[1] if found is not None else node
        if items is None:
            return
        if not isinstance(items, list) or items_node.__class__ is not SequenceNode:
            kind = _TYPE_NAMES.get(type(items), type(items).__name__)
            self.issues.append(_issue_at(
                self.file, items_node, f"the items of a List must be a list, not {kind}", "not-an-object",
            ))
            return
        for item_index, (item, item_node) in enumerate(zip(items, items_node.value, strict=True)):
            if item is None:
                continue
            if not isinstance(item, dict):
                self.issues.append(_not_an_object(self.file, item_node, item, f"List item {item_index}"))
                continue
            line, column = item_node.start_mark.line + 1, item_node.start_mark.column + 1
            self.documents.append(Document(item, self.file, index, item_index, line, column, self.source))


_BOM_AFTER_SEPARATOR = re.compile(rb"(^|\n)(---[ \t]*\r?\n)\xef\xbb\xbf")


def parse_source(source: SourceText) -> tuple[list[Document], list[LoadIssue]]:
    """Parse one file's bytes into documents (in file order) and the issues met on the way.

    A byte order mark starting a document after a `---` line (files saved by Windows editors, then
    concatenated) is dropped, as kubectl, which splits the stream first, never sees it.
    """
    if b"\n\xef\xbb\xbf" in source.data:
        source = SourceText(source.name, _BOM_AFTER_SEPARATOR.sub(rb"\1\2", source.data))
    parser = _FileParser(source)
    parser.run()
    return parser.documents, parser.issues
