"""The loading stage's entry point: command-line paths -> `LoadResult`.

`walk.discover` decides which files a path means; this module reads them under a size bound and
hands each to `parse.parse_source`. Reading is bounded before anything is parsed: a file over
`FILE_LIMIT` is an issue (`yaml-size-limit`), and never more than that is read, even from a pipe
or a device. Unreadable files are `io` issues; the other files still load. Which files a folder
means (hidden files, editor droppings, symlinks leading outside it: skipped with a warning) is
`walk`'s business; a file reached twice (named twice, or through a symlink) is read once.

Speed: parsing is libyaml composition plus one Python pass per document, about 0.17 ms of CPU per
Deployment-sized document (10,000 mixed documents in 2,000 files: ~1.7 s on one core). Large
inputs (many files, several MiB) are parsed on all cores by `parallel.map_chunks` (forked
workers; the order of documents never depends on who parsed what). The cyclic garbage collector
is paused while parsing: the values built are acyclic, and collecting millions of fresh
containers over and over cost more than the parse itself. For the same reason a large load (a
one-shot command over a folder) ends with `gc.freeze()`: the documents live as long as the
command, so later collections (validation allocates plenty) need not walk them again; they are
still freed by reference counting when dropped (they hold no cycles). Small loads (the watcher
re-reading one file) do not freeze, so a long-running process never pins cyclic garbage.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import stat
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

from kapply.load.document import Document, LoadIssue, LoadResult
from kapply.load.parallel import map_chunks, split_by_size
from kapply.load.parse import mebibytes, parse_source
from kapply.load.positions import SourceText
from kapply.load.syntax import collector_paused
from kapply.load.walk import Source, discover

FILE_LIMIT = 32 * 1024 * 1024
PARALLEL_MIN_FILES = 64
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
CHUNKS_PER_PROCESS = 8
FREEZE_MIN_DOCUMENTS = 1000

_Outcome = tuple[list[Document], list[LoadIssue], bool]


def _too_large(display: str, size: int | None) -> LoadIssue:
    how = f"is {mebibytes(size)}" if size is not None else f"is larger than {mebibytes(FILE_LIMIT)}"
    return LoadIssue(
        display, 1, 1, f"file {how}, over the {mebibytes(FILE_LIMIT)} limit; it was not loaded",
        "yaml-size-limit",
    )


def _read_file(source: Source) -> bytes | LoadIssue:
    assert source.path is not None
    try:
        with open(source.path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > FILE_LIMIT:
                return _too_large(source.display, info.st_size)
            data = handle.read(FILE_LIMIT + 1)
    except OSError as exc:
        return LoadIssue(source.display, 1, 1, f"cannot read file: {exc.strerror or exc}", "io")
    if len(data) > FILE_LIMIT:
        return _too_large(source.display, None)
    return data


def _read_stdin(source: Source, stdin: IO[Any] | None) -> bytes | LoadIssue:
    stream: IO[Any] = stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin)
    try:
        data = stream.read(FILE_LIMIT + 1)
    except (OSError, ValueError) as exc:
        return LoadIssue(source.display, 1, 1, f"cannot read standard input: {exc}", "io")
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > FILE_LIMIT:
        return _too_large(source.display, None)
    return data


def load_source(source: Source, stdin: IO[Any] | None = None) -> _Outcome:
    """Read and parse one source: (documents, issues, whether it was read)."""
    if source.is_kustomization:
        return render_source(source)
    data = _read_stdin(source, stdin) if source.path is None else _read_file(source)
    if isinstance(data, LoadIssue):
        return [], [data], False
    documents, issues = parse_source(SourceText(source.display, data))
    return documents, issues, True


def render_source(source: Source) -> _Outcome:
    """A kustomization rendered by kustomize, its objects placed at their source files."""
    from kapply.load.kustomize import RenderError, render
    from kapply.load.rendered import documents_of

    assert source.path is not None
    try:
        data, origins = render(source.path)
    except RenderError as exc:
        return [], [LoadIssue(exc.file, exc.line, 1, exc.message, "kustomize")], True
    documents, issues = documents_of(data, source.display, origins, os.path.realpath(source.path))
    return documents, issues, True


def _load_group(sources: list[Source]) -> list[_Outcome]:
    with collector_paused():
        return [load_source(source) for source in sources]


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _sizes(sources: list[Source]) -> list[int]:
    sizes = []
    for source in sources:
        try:
            sizes.append(os.stat(source.path).st_size if source.path else 0)
        except OSError:
            sizes.append(0)
    return sizes


def _load_files(files: list[Source], workers: int) -> list[_Outcome]:
    if workers < 2 or len(files) < PARALLEL_MIN_FILES or not _can_fork():
        return _load_group(files)
    sizes = _sizes(files)
    if sum(sizes) < PARALLEL_MIN_BYTES:
        return _load_group(files)
    chunks = split_by_size(files, sizes, workers * CHUNKS_PER_PROCESS)
    try:
        return map_chunks(_load_group, chunks, workers)
    except OSError:
        return _load_group(files)  # no process to be had: parse here instead


def _load_all(sources: list[Source], stdin: IO[Any] | None, workers: int) -> list[_Outcome]:
    by_source = {s: load_source(s, stdin) for s in sources if s.path is None}
    by_source.update(_render_all([s for s in sources if s.is_kustomization]))
    files = [s for s in sources if s.path is not None and not s.is_kustomization]
    by_source.update(zip(files, _load_files(files, workers), strict=True))
    return [by_source[source] for source in sources]


def _render_all(kustomizations: list[Source]) -> dict[Source, _Outcome]:
    """Each kustomization rendered, several at once (each is a renderer process)."""
    if len(kustomizations) < 2:
        return {s: render_source(s) for s in kustomizations}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(4, len(kustomizations))) as pool:
        return dict(zip(kustomizations, pool.map(render_source, kustomizations), strict=True))


def load_paths(
    paths: Sequence[str], stdin: IO[Any] | None = None, *, workers: int | None = None
) -> LoadResult:
    """Load every manifest the paths name; raises `LoadError` only for a path that does not exist.

    `stdin` replaces standard input for `-`; `workers` caps parallel parsing (default: CPUs).
    """
    sources, issues = discover(paths)
    return load_sources(sources, issues, stdin, workers=workers)


def load_sources(
    sources: Sequence[Source], issues: Sequence[LoadIssue] = (), stdin: IO[Any] | None = None, *,
    workers: int | None = None,
) -> LoadResult:
    """Load files already discovered (a file gone since is an `io` issue of its own; the rest load)."""
    unique: list[Source] = []
    seen: set[str] = set()
    for source in sources:
        if source.path is not None:
            real = os.path.realpath(source.path)
            if real in seen:
                continue
            seen.add(real)
        unique.append(source)
    with collector_paused():
        outcomes = _load_all(unique, stdin, workers if workers is not None else _default_workers())
        if sum(len(documents) for documents, _, _ in outcomes) >= FREEZE_MIN_DOCUMENTS:
            gc.freeze()  # before collecting resumes: the values live as long as the command
    result = LoadResult(documents=[], issues=list(issues), files=[])
    for source, (documents, file_issues, read) in zip(unique, outcomes, strict=True):
        result.documents.extend(documents)
        result.issues.extend(file_issues)
        if read:
            result.files.append(source.display)
        if source.is_kustomization:
            result.kustomizations.append(source.display)
    if result.kustomizations:
        from kapply.load.kustomize import find_renderer

        found = find_renderer()
        result.renderer = found.name if found is not None else ""
    return result
