"""The desired state as the watcher sees it: the last good version of every file.

A file that fails to load or validate keeps its previous good objects (nothing of it is pruned,
nothing else is blocked) until it is fixed; a deleted file's objects leave the desired set.
Only the files that changed are re-read, so an edit costs one file's parse, not the folder's.

No file can stop the others: an exception while loading or validating one (a bug in a rule) is
reported as an `internal-error` diagnostic of that file, at the document that raised it, and
the file is treated as broken; so is a file whose reading runs past its time budget (`budget`).
A version that loads but cannot be planned or applied is `reject`ed by the reconciler: back to
its last good objects, the keys of both versions `held` (never pruned meanwhile), and read
again on the next rescan.

A kustomization is one entry, keyed by its folder (`kustomized`): rendered again when any file it
can read changes, its bases' included; a render that fails keeps its last good objects, as a
broken file does.

A followed folder that is gone (a `git checkout` of a branch without it, `rm -rf` before a
re-create, a `mv` away) freezes its files as they were last read: none of them is removed, so
nothing of them is pruned, until the folder is back and a rescan reads what it holds then.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kapply.errors import LoadError
from kapply.load.document import LoadResult
from kapply.load.kustomization import kustomization_file
from kapply.load.kustomize import timeout as render_timeout
from kapply.load.loader import load_paths
from kapply.load.walk import discover, display_path, is_manifest_name
from kapply.model.keys import ResourceKey
from kapply.validate.diagnostics import Diagnostic
from kapply.validate.pipeline import Validated, ValidateOptions, validate_loaded
from kapply.watch.budget import OverBudget, budget_for, time_budget
from kapply.watch.bugs import internal_error
from kapply.watch.kustomized import dependency_folders, tree_digest

Validate = Callable[[LoadResult, ValidateOptions], Validated]
_Definitions = dict[ResourceKey, tuple[tuple[str, int], dict[str, Any]]]  # key -> ((file, line), object)


@dataclass
class FileState:
    objects: list[dict[str, Any]] = field(default_factory=list)
    keys: list[ResourceKey] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # where each object starts
    errors: list[Diagnostic] = field(default_factory=list)  # of the latest version, if it is broken
    unknown: bool = False  # broken, and never loaded since the watch started: its objects are unknown
    digest: bytes | None = None  # of the content last read, so a rescan re-reads only what changed
    held: set[ResourceKey] = field(default_factory=set)  # keys of versions not applied: never pruned
    retry: bool = False  # it loaded, but planning or applying it failed: read it again on a rescan

    @property
    def broken(self) -> bool:
        return bool(self.errors)


@dataclass
class Update:
    """What one refresh found: files re-read, removed, and the diagnostics of broken ones."""

    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    touched_keys: set[ResourceKey] = field(default_factory=set)  # keys of changed/removed files, old and new
    previous: dict[str, FileState | None] = field(default_factory=dict)  # state before, per file above

    @property
    def files(self) -> list[str]:
        return sorted(self.changed + self.removed)


class SourceSet:
    def __init__(self, paths: Sequence[str], options: ValidateOptions | None = None, *,
                 validate: Validate = validate_loaded, budget: Callable[[int], float] = budget_for) -> None:
        self.paths = [p for p in paths if p != "-"]
        self.options = options or ValidateOptions()
        self.validate = validate  # a seam: tests inject a validator that fails
        self.budget = budget  # seconds allowed to read a file of so many bytes
        self.files: dict[str, FileState] = {}  # real path -> state
        self._definitions: _Definitions | None = None  # desired() and origin(), until the files change
        self._is_file = {p: os.path.isfile(p) for p in self.paths}
        self.kustomizations: dict[str, list[str]] = {}  # folder (real) -> the folders it reads

    def gone(self) -> list[str]:
        """The followed folders that do not exist now (for a file, its folder), as given."""
        return [p for p in self.paths if not os.path.isdir(self._folder(p))]

    def scan(self) -> Update:
        """Full scan: discover every file, re-read those new, changed or to retry; drop those gone."""
        current: set[str] = set()
        unreadable: list[Diagnostic] = []
        frozen = [self._folder(p) for p in self.gone()]
        for path in self.paths:
            if self._folder(path) in frozen:
                continue
            if self._is_file[path] and not os.path.exists(path):
                continue  # a file named on the command line, deleted: dropped below
            try:
                sources, issues = discover([path])
            except LoadError:  # removed since gone() looked: frozen until the next scan
                frozen.append(self._folder(path))
                continue
            current.update(os.path.realpath(s.path) for s in sources if s.path is not None)
            for s in sources:
                if s.is_kustomization and s.path is not None:
                    self.kustomizations.setdefault(os.path.realpath(s.path), dependency_folders(s.path))
            unreadable += [Diagnostic(i.file, i.line, i.column, i.message, i.rule, i.severity)
                           for i in issues if i.severity == "error"]
        read = {p for p in current if p not in self.files or self.files[p].retry
                or self.files[p].digest != self._digest(p)}
        # a folder that could not be listed hides its files: drop nothing until it can be
        drop = set() if unreadable else {p for p in self.files if p not in current
                                         and not any(_inside(p, f) for f in frozen)}
        update = self._update(read, drop)
        update.errors[:0] = unreadable
        return update

    def refresh(self, paths: Iterable[str]) -> Update:
        """Re-read the given files (real paths); a missing one is dropped, unless its folder is gone."""
        frozen = [self._folder(p) for p in self.gone()]
        read: set[str] = set()
        drop: set[str] = set()
        for path in self._tracked(paths):
            if any(_inside(path, f) for f in frozen):
                continue
            exists = (kustomization_file(path) is not None if path in self.kustomizations
                      else os.path.isfile(path))
            (read if exists else drop).add(path)
        return self._update(read, drop)

    def _update(self, read: set[str], drop: set[str]) -> Update:
        self._definitions = None
        update = Update()
        for path in sorted(read | drop):
            if path in drop:
                self.kustomizations.pop(path, None)
            old = self.files.get(path)
            if old is not None:
                update.touched_keys.update(old.keys, old.held)
            if path in drop:
                if self.files.pop(path, None) is not None:
                    update.removed.append(path)
                    update.previous[path] = old
                continue
            state = self._read(path, old)
            self.files[path] = state
            update.changed.append(path)
            update.previous[path] = old
            update.touched_keys.update(state.keys)
            update.errors.extend(state.errors)
        update.errors.extend(self._duplicates())
        return update

    def _tracked(self, paths: Iterable[str]) -> set[str]:
        """Which of `paths` belong to the source: known files, or manifests under a watched path."""
        roots = [os.path.realpath(p) for p in self.paths]
        out = set()
        for path in paths:
            real = os.path.realpath(path)
            owners = [k for k, folders in self.kustomizations.items()
                      if any(_inside(real, f) for f in folders)]
            if owners:  # any file a kustomization can read, whatever its name
                out.update(owners)
                continue
            if real in self.files or (real in roots and not os.path.isdir(real)):
                out.add(real)  # a known file, or a file named on the command line
                continue
            if not is_manifest_name(os.path.basename(real)):
                continue
            for root in roots:
                if _inside(real, root) and real != root:
                    relative = real[len(root.rstrip(os.sep)) + 1:].split(os.sep)
                    if not any(p.startswith(".") for p in relative):
                        out.add(real)
                    break
        return out

    def watched_folders(self) -> list[str]:
        """The folders kustomizations read beyond the followed paths (bases elsewhere), for `Roots`."""
        return sorted({f for folders in self.kustomizations.values() for f in folders})

    def _digest(self, path: str) -> bytes | None:
        if path in self.kustomizations:
            self.kustomizations[path] = dependency_folders(path)  # its bases may have changed
            return tree_digest(self.kustomizations[path])
        return _digest(path)

    def _read(self, path: str, old: FileState | None) -> FileState:
        digest = self._digest(path)  # before reading: a write in between is seen by the next rescan
        try:
            size = os.path.getsize(path)
        except OSError:
            size = 0  # gone meanwhile: the loader says so
        limit = render_timeout() + 5 if path in self.kustomizations else self.budget(size)
        try:
            with time_budget(limit):
                try:
                    validated = self.validate(load_paths([path], workers=1), self.options)
                except OverBudget:
                    raise
                except Exception as exc:  # a bug in kapply: this file is broken, the others go on
                    return _broken(old, digest, self._crash_report(path, exc))
        except OverBudget as exc:
            slow = Diagnostic(display_path(path), 1, 1, f"not read: {exc}", "time-budget")
            return _broken(old, digest, [slow])
        report = validated.report
        for doc, key in zip(validated.documents, validated.keys, strict=True):
            if not key.name:  # apply refuses these (plan.make_plan); here it only breaks this file
                report.diagnostics.append(Diagnostic(doc.file, doc.line, doc.column,
                                                     "cannot use generate name with apply", "generate-name",
                                                     "error", key.display))
        if not report.ok:
            return _broken(old, digest, report.errors)
        docs = validated.documents
        # a kustomization's objects start in many files; the entry (its folder) has no lines of its own
        lines = [1] * len(docs) if path in self.kustomizations else [d.line for d in docs]
        return FileState([d.obj for d in docs], list(validated.keys), lines, digest=digest)

    def _crash_report(self, path: str, exc: Exception) -> list[Diagnostic]:
        """Where the crash happened: each document alone, to name the one(s) that raise."""
        try:
            loaded = load_paths([path], workers=1)
        except Exception as load_exc:
            return [_internal(display_path(path), 1, 1, internal_error("loading", load_exc))]
        found = []
        for doc in loaded.documents:
            try:
                self.validate(LoadResult([doc], [], list(loaded.files)), self.options)
            except Exception as doc_exc:
                found.append(_internal(doc.file, doc.line, doc.column, internal_error("validating", doc_exc),
                                       _describe(doc.obj)))
        return found or [_internal(display_path(path), 1, 1, internal_error("validating", exc))]

    def reject(self, path: str, errors: list[Diagnostic], previous: FileState | None) -> None:
        """The version read could not be planned or applied: back to `previous`'s objects.

        The keys of both versions are held (never pruned) until a version of the file goes
        through; the next rescan reads it again, so a refusal that passes (a port freed) heals.
        """
        attempted = self.files.get(path)
        if attempted is None:
            return
        self._definitions = None
        held = set(attempted.keys) | attempted.held
        if previous is None:
            self.files[path] = FileState(errors=errors, digest=attempted.digest, held=held, retry=True)
            return
        held |= set(previous.keys) | previous.held
        self.files[path] = FileState(previous.objects, previous.keys, previous.lines, errors,
                                     previous.unknown, attempted.digest, held, retry=True)

    def _duplicates(self) -> list[Diagnostic]:
        seen: dict[ResourceKey, str] = {}
        found = []
        for path, state in sorted(self.files.items()):
            for key in state.keys:
                if key in seen and seen[key] != path:
                    found.append(Diagnostic(display_path(path), 1, 1,
                                            f"also defined in {display_path(seen[key])}; the first "
                                            "definition wins", "duplicate-object", "error", key.display))
                else:
                    seen.setdefault(key, path)
        return found

    def desired(self) -> list[dict[str, Any]]:
        """Every object of the last good version of every file (first definition of a key wins)."""
        return [obj for _, obj in self._first_definitions().values()]

    def origin(self) -> dict[ResourceKey, tuple[str, int]]:
        """The file (real path) and line of every desired object."""
        return {key: where for key, (where, _) in self._first_definitions().items()}

    def _first_definitions(self) -> _Definitions:
        if self._definitions is None:
            out: _Definitions = {}
            for path, state in sorted(self.files.items()):
                for key, obj, line in zip(state.keys, state.objects, state.lines, strict=True):
                    out.setdefault(key, ((path, line), obj))
            self._definitions = out
        return self._definitions

    def unknown(self) -> list[str]:
        """Files that have not loaded once since the watch started: they may hold any object."""
        return sorted(p for p, s in self.files.items() if s.unknown)

    def held(self) -> dict[ResourceKey, str]:
        """Keys a broken file held in a version that was not applied, with the file."""
        return {key: path for path, s in sorted(self.files.items()) for key in s.held}

    def broken(self) -> dict[str, list[Diagnostic]]:
        return {p: s.errors for p, s in sorted(self.files.items()) if s.broken}

    def _folder(self, path: str) -> str:
        real = os.path.realpath(path)
        return os.path.dirname(real) if self._is_file[path] else real


def _broken(old: FileState | None, digest: bytes | None, errors: list[Diagnostic]) -> FileState:
    if old is None:
        return FileState(errors=errors, unknown=True, digest=digest)
    return FileState(old.objects, old.keys, old.lines, errors, old.unknown, digest, set(old.held))


def _internal(file: str, line: int, column: int, message: str, obj: str = "") -> Diagnostic:
    return Diagnostic(file, line, column, message, "internal-error", "error", obj)


def _describe(obj: Any) -> str:
    try:
        return ResourceKey.of(obj).display if isinstance(obj, dict) else ""
    except Exception:
        return ""


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _digest(path: str) -> bytes | None:
    """A hash of a file's content (None when it cannot be read)."""
    import hashlib

    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "blake2b").digest()
    except OSError:
        return None
