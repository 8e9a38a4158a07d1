"""A content-addressed cache of "this file loads and validates cleanly, into these objects".

`diff` and `apply` start by loading and validating the whole folder (about 0.2 s of CPU for
1,000 objects), and in a GitOps loop few files changed since the last run. Loading and
validating one file is a pure function of its bytes and names, the validation options, the
Kubernetes schemas and kapply's own code (the parallel pipeline relies on the same: files are
validated independently, only the duplicate-object check needs the whole folder). So each clean
file's result is kept under a key hashing all of those: the file's display name, path and full
content (read again on every run), the options, the size and mtime of every file of the kapply
package and of the schema folder in use, Python's version and the installed YAML and JSON Schema
libraries. Any change to any of them is a miss.

A run with no miss rebuilds the result from the cache; a run with misses validates only the
missed files, and if any of them has a finding (an error or a warning), the whole folder is
validated the ordinary way, so reports are always exactly what `validate_paths` gives. The
duplicate-object check always runs on the whole (and a duplicate found sends the folder down the
ordinary way too, to report it at its line). Only folders and files are cached (not stdin,
not `--schema-dir`).

Entries are `marshal`led plain data, one file per (paths, options, working directory) beside the
schema-validator cache (`KAPPLY_CACHE_DIR`), rewritten with only the current files' entries, so
the cache follows the folder and does not grow with its history; the 32 most recently written
entries are kept. A corrupt entry is a miss, an unwritable cache is just slower;
`KAPPLY_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from kapply.load.document import Document
from kapply.model.keys import ResourceKey
from kapply.validate.diagnostics import Report
from kapply.validate.pipeline import (
    Validated,
    ValidateOptions,
    flag_duplicates,
    validate_loaded,
    validate_paths,
)

FORMAT = 2  # bump when the entry layout changes
DISABLE_ENV = "KAPPLY_NO_CACHE"
MAX_SLOTS = 32  # entries kept; the oldest go first
FREEZE_MIN_DOCUMENTS = 1000  # kapply.load.loader's threshold for gc.freeze() after a load
_LIBRARIES = ("yaml", "fastjsonschema", "jsonschema")  # their upgrades can change what loads
_PACKAGE = Path(__file__).resolve().parent.parent

# One cached file: (display, [(obj, file, doc_index, item_index, line, column, key fields)]).
Entry = tuple[str, list[tuple[Any, ...]]]


def cache_dir() -> Path:
    """Where entries live: beside the compiled schema validators."""
    from kapply.validate.schema_compile import default_cache_dir

    return default_cache_dir().parent / "validated"


def validate_cached(paths: Sequence[str], options: ValidateOptions, stdin: Any = None) -> Validated:
    """`validate_paths`, with clean files answered from the cache when they did not change."""
    if os.environ.get(DISABLE_ENV) or "-" in paths or options.schema_dirs:
        return validate_paths(paths, options, stdin=stdin)
    sources = _sources(paths, options)
    if sources is None:
        return validate_paths(paths, options, stdin=stdin)
    slot = cache_dir() / _slot_name(paths, options)
    stored = _read(slot)
    missed = [(path, display) for path, display, key in sources if key not in stored]
    if len(missed) == len(sources):
        validated = validate_paths(paths, options, stdin=stdin)
        fresh = _split(validated, [display for _, display, _ in sources])
    else:
        fresh = {}
        if missed:
            from kapply.load.loader import load_paths

            part = validate_loaded(load_paths([path for path, _ in missed]), options, check_duplicates=False)
            fresh = _split(part, [display for _, display in missed])
            if part.report.diagnostics or None in fresh.values():
                return validate_paths(paths, options, stdin=stdin)
        try:
            with _collector_paused():
                validated = _rebuild([stored.get(key) or fresh[display] for _, display, key in sources])
        except (KeyError, ValueError, TypeError):  # an entry of another shape: start afresh
            return validate_paths(paths, options, stdin=stdin)
        if len(validated.documents) >= FREEZE_MIN_DOCUMENTS:
            gc.freeze()  # as the loader after a large load: these live as long as the command
        flag_duplicates(validated)
        if validated.report.diagnostics:  # the cache keeps no positions to report them at
            return validate_paths(paths, options, stdin=stdin)
    if (missed or len(stored) != len(sources)) and _sources(paths, options) == sources:
        # (unless a file changed while it was being validated: its result may be the newer text's)
        current = {key: stored.get(key) or fresh.get(display) for _, display, key in sources}
        _write(slot, {key: entry for key, entry in current.items() if entry is not None})
    return validated


def _sources(paths: Sequence[str], options: ValidateOptions) -> list[tuple[str, str, bytes]] | None:
    """(path, display, key) of every file the paths mean; None when caching cannot apply."""
    from kapply.errors import KapplyError
    from kapply.load.walk import discover
    from kapply.validate.schema_store import find_version_dir

    try:
        found, issues = discover(paths)
        schemas = find_version_dir(options.kubernetes_version)
    except (KapplyError, OSError):
        return None
    if issues or any(s.path is None for s in found):
        return None
    if len({os.path.realpath(str(s.path)) for s in found}) != len(found):
        return None  # a file named twice: the loader reads it once; leave that to it
    stamp = repr((FORMAT, options, _tree_stamp(_PACKAGE), _tree_stamp(schemas), _libraries())).encode()
    sources = []
    for source in found:
        path = str(source.path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        digest = hashlib.sha256(stamp)
        digest.update(repr((source.display, path, len(data))).encode("utf-8", "surrogateescape"))
        digest.update(data)
        sources.append((path, source.display, digest.digest()))
    return sources


def _slot_name(paths: Sequence[str], options: ValidateOptions) -> str:
    text = repr((FORMAT, os.getcwd(), list(paths), options))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _tree_stamp(root: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime) of every file under `root`: any edit, install or upgrade changes it."""
    stamp = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            st = os.stat(os.path.join(folder, name))
            stamp.append((os.path.join(folder, name), st.st_size, st.st_mtime_ns))
    return stamp


def _libraries() -> tuple[object, ...]:
    """Python's version and where the parsing and schema libraries are installed, and when."""
    import importlib.util
    import sys

    found: list[object] = [sys.version]
    for name in _LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if origin and os.path.exists(origin):
            st = os.stat(origin)
            found.append((origin, st.st_size, st.st_mtime_ns))
        else:
            found.append((name, None))
    return tuple(found)


def _split(validated: Validated, displays: list[str]) -> dict[str, Entry | None]:
    """Per file (by display name): its entry if it came out clean, else None."""
    report = validated.report
    if report.files != displays or [k.display for k in validated.keys] != \
            [r for r in report.resources if r not in report.invalid] or report.invalid:
        return dict.fromkeys(displays)  # not a shape this cache reproduces: cache nothing
    dirty = {d.file for d in report.diagnostics}
    docs: dict[str, list[tuple[Any, ...]]] = {display: [] for display in displays}
    for doc, key in zip(validated.documents, validated.keys, strict=True):
        if doc.file not in docs:
            return dict.fromkeys(displays)
        docs[doc.file].append((doc.obj, doc.file, doc.doc_index, doc.item_index, doc.line, doc.column,
                               (key.group, key.kind, key.namespace, key.name)))
    return {display: None if display in dirty else (display, docs[display]) for display in displays}


def _rebuild(entries: list[Entry | None]) -> Validated:
    validated = Validated(Report())
    report = validated.report
    for entry in entries:
        if entry is None:
            raise KeyError("no entry")
        display, documents = entry
        report.files.append(display)
        for obj, file, doc_index, item_index, line, column, key_fields in documents:
            validated.documents.append(Document(obj, file, doc_index, item_index, line, column))
            key = ResourceKey(*key_fields)
            validated.keys.append(key)
            report.resources.append(key.display)
    return validated


def _read(slot: Path) -> dict[bytes, Entry]:
    try:
        data = slot.read_bytes()
    except OSError:
        return {}
    try:
        with _collector_paused():
            stored = marshal.loads(data)
    except (ValueError, TypeError, EOFError):
        return {}
    return stored if isinstance(stored, dict) else {}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic GC passes while building many acyclic containers (as the loader does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(slot: Path, entries: dict[bytes, Entry]) -> None:
    try:
        payload = marshal.dumps(entries)
    except ValueError:
        return  # a value marshal cannot hold (the loader gives plain data, but be safe)
    tmp = slot.with_name(f".{slot.name}.{os.getpid()}.tmp")
    try:
        slot.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(payload)
        os.replace(tmp, slot)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    _evict(slot.parent)


def _evict(folder: Path) -> None:
    """Keep the `MAX_SLOTS` most recently written entries (folders come and go: temp dirs, tests)."""
    try:
        entries = [(e.stat().st_mtime_ns, e.path) for e in os.scandir(folder)
                   if e.is_file() and not e.name.startswith(".")]
    except OSError:
        return
    if len(entries) <= MAX_SLOTS:
        return
    for _, path in sorted(entries)[:len(entries) - MAX_SLOTS]:
        with suppress(OSError):  # another process evicted it first
            os.unlink(path)
