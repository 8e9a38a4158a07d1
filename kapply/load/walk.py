"""Which files a list of command-line paths means, in a deterministic order.

- `-` is standard input (read once, however often it is named).
- A file is read whatever its extension: the user named it.
- A folder is walked recursively in sorted name order (directories in place, like `find | sort`),
  taking `*.yaml`, `*.yml` and `*.json` (any case). Hidden files and folders (`.git`, `.#lock`,
  `.x.yaml.swp`) and editor droppings (`x.yaml~`, `#x.yaml#`) are skipped.
- Symlinks inside a folder are followed only when they resolve inside that folder. One that leads
  outside, or nowhere, is skipped with a warning-severity `LoadIssue` (rule `symlink`): the file
  may hold something the user never meant to apply (DESIGN §6 "Safety"), but it is not an error in
  the manifests, so it never fails validation by itself. Symlink loops are walked once.
- A path that does not exist is a `LoadError` (exit 2): it is a usage mistake, not a bad manifest.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from kapply.errors import LoadError
from kapply.load.document import LoadIssue

STDIN_NAME = "<stdin>"
MANIFEST_EXTENSIONS = (".yaml", ".yml", ".json")
_EDITOR_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak")


@dataclass(frozen=True)
class Source:
    """A file to read: `display` is what the user sees, `path` what is opened (None for stdin)."""

    display: str
    path: str | None


def is_ignored_name(name: str) -> bool:
    """True for hidden entries and editor droppings that a folder walk skips."""
    return (
        name.startswith(".")
        or name.endswith(_EDITOR_SUFFIXES)
        or (name.startswith("#") and name.endswith("#"))
    )


def is_manifest_name(name: str) -> bool:
    """True for file names a folder walk loads."""
    return name.lower().endswith(MANIFEST_EXTENSIONS) and not is_ignored_name(name)


def display_path(path: str) -> str:
    """The path as the user would recognise it: relative to the working directory when under it."""
    if not os.path.isabs(path):
        return os.path.normpath(path)
    try:
        relative = os.path.relpath(path, os.getcwd())
    except (OSError, ValueError):
        return path
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return path
    return relative


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _Walker:
    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.issues: list[LoadIssue] = []
        self.stdin_seen = False

    def add(self, path: str) -> None:
        if path == "-":
            if not self.stdin_seen:
                self.stdin_seen = True
                self.sources.append(Source(STDIN_NAME, None))
            return
        if not os.path.exists(path):
            raise LoadError(f"path not found: {path}")
        if os.path.isdir(path):
            root = os.path.realpath(path)
            self._walk(path, display_path(path), root, {root})
        else:
            self.sources.append(Source(display_path(path), path))

    def _skip(self, display: str, message: str) -> None:
        self.issues.append(LoadIssue(display, 1, 1, message, "symlink", "warning"))

    def _walk(self, folder: str, shown: str, root: str, visited: set[str]) -> None:
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError as exc:
            self.issues.append(LoadIssue(shown, 1, 1, f"cannot read folder: {exc.strerror}", "io"))
            return
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            path = entry.path
            display = os.path.normpath(os.path.join(shown, entry.name))
            try:
                if entry.is_symlink():
                    target = os.path.realpath(path)
                    relevant = is_manifest_name(entry.name) or os.path.isdir(target)
                    if not os.path.exists(target):
                        if relevant:
                            self._skip(display, f"skipped symlink: its target {target} does not exist")
                        continue
                    if not _inside(target, root):
                        if relevant:
                            self._skip(display, f"skipped symlink: it leads outside {shown} (to {target})")
                        continue
                if entry.is_dir():
                    real = os.path.realpath(path)
                    if real not in visited:
                        visited.add(real)
                        self._walk(path, display, root, visited)
                elif entry.is_file() and is_manifest_name(entry.name):
                    self.sources.append(Source(display, path))
            except OSError as exc:
                self.issues.append(LoadIssue(display, 1, 1, f"cannot read: {exc.strerror}", "io"))


def discover(paths: Sequence[str]) -> tuple[list[Source], list[LoadIssue]]:
    """Expand command-line paths into the files to read, in order, plus skip warnings."""
    walker = _Walker()
    for path in paths:
        walker.add(path)
    return walker.sources, walker.issues
