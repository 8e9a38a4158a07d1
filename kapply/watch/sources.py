"""The desired state as the watcher sees it: the last good version of every file.

A file that fails to load or validate keeps its previous good objects (nothing of it is pruned,
nothing else is blocked) until it is fixed; a deleted file's objects leave the desired set.
Only the files that changed are re-read, so an edit costs one file's parse, not the folder's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kapply.load.loader import load_paths
from kapply.load.walk import discover, display_path
from kapply.model.keys import ResourceKey
from kapply.validate.diagnostics import Diagnostic
from kapply.validate.pipeline import ValidateOptions, validate_loaded


@dataclass
class FileState:
    objects: list[dict[str, Any]] = field(default_factory=list)
    keys: list[ResourceKey] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)  # of the latest version, if it is broken
    unknown: bool = False  # broken, and never loaded since the watch started: its objects are unknown
    digest: bytes | None = None  # of the content last read, so a rescan re-reads only what changed

    @property
    def broken(self) -> bool:
        return bool(self.errors)


@dataclass
class Update:
    """What one refresh found: files re-read, removed, and the diagnostics of broken ones."""

    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    touched_keys: set[ResourceKey] = field(default_factory=set)  # keys of changed/removed files, old and new


class SourceSet:
    def __init__(self, paths: Sequence[str], options: ValidateOptions | None = None) -> None:
        self.paths = list(paths)
        self.options = options or ValidateOptions()
        self.files: dict[str, FileState] = {}  # real path -> state

    def scan(self) -> Update:
        """Full scan: discover every file, re-read those new or changed (start-up, a folder moved)."""
        sources, _ = discover(self.paths)
        current = {os.path.realpath(s.path) for s in sources if s.path is not None}
        return self.refresh(p for p in current | set(self.files)
                            if p not in self.files or self.files[p].digest != _digest(p))

    def refresh(self, paths: Iterable[str]) -> Update:
        """Re-read the given files (real paths); a missing file is removed."""
        update = Update()
        wanted = self._tracked(paths)
        for path in sorted(wanted):
            old = self.files.get(path)
            if old is not None:
                update.touched_keys.update(old.keys)
            if not os.path.isfile(path):
                if self.files.pop(path, None) is not None:
                    update.removed.append(path)
                continue
            state = self._read(path, old)
            self.files[path] = state
            update.changed.append(path)
            update.touched_keys.update(state.keys)
            update.errors.extend(state.errors)
        update.errors.extend(self._duplicates())
        return update

    def _tracked(self, paths: Iterable[str]) -> set[str]:
        """Which of `paths` belong to the source: known files, or manifests under a watched path."""
        roots = [os.path.realpath(p) for p in self.paths if p != "-"]
        out = set()
        for path in paths:
            real = os.path.realpath(path)
            if real in self.files:
                out.add(real)
                continue
            if any(real == r for r in roots) and os.path.isfile(real):
                out.add(real)  # a file named on the command line
                continue
            from kapply.load.walk import is_manifest_name

            parts = real.split(os.sep)
            if not is_manifest_name(parts[-1]):
                continue
            for root in roots:
                if real.startswith(root.rstrip(os.sep) + os.sep):
                    relative = real[len(root.rstrip(os.sep)) + 1:].split(os.sep)
                    if not any(p.startswith(".") for p in relative):
                        out.add(real)
                    break
        return out

    def _read(self, path: str, old: FileState | None) -> FileState:
        digest = _digest(path)  # before reading: a write in between is seen by the next rescan
        validated = validate_loaded(load_paths([path], workers=1), self.options)
        report = validated.report
        for doc, key in zip(validated.documents, validated.keys, strict=True):
            if not key.name:  # apply refuses these (plan.make_plan); here it only breaks this file
                report.diagnostics.append(Diagnostic(doc.file, doc.line, doc.column,
                                                     "cannot use generate name with apply", "generate-name",
                                                     "error", key.display))
        if report.ok:
            return FileState([d.obj for d in validated.documents], list(validated.keys), digest=digest)
        if old is None:
            return FileState([], [], report.errors, unknown=True, digest=digest)
        return FileState(old.objects, old.keys, report.errors, unknown=old.unknown, digest=digest)

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
        seen: set[ResourceKey] = set()
        out = []
        for _, state in sorted(self.files.items()):
            for key, obj in zip(state.keys, state.objects, strict=True):
                if key not in seen:
                    seen.add(key)
                    out.append(obj)
        return out

    def unknown(self) -> list[str]:
        """Files that have not loaded once since the watch started: they may hold any object."""
        return sorted(p for p, s in self.files.items() if s.unknown)

    def broken(self) -> dict[str, list[Diagnostic]]:
        return {p: s.errors for p, s in self.files.items() if s.broken}


def _digest(path: str) -> bytes | None:
    """A hash of a file's content (None when it cannot be read)."""
    import hashlib

    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "blake2b").digest()
    except OSError:
        return None
