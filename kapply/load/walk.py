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
- A folder holding a kustomization (`kustomization.yaml`, `kustomization.yml` or `Kustomization`)
  is one source of kind `kustomization`, rendered by kustomize (`kustomize.py`); it is not walked,
  so the files it reads are never also loaded as plain manifests. A kustomization found while
  walking that another one found builds on (a base, a component) is not a source of its own; one
  named on the command line always is.
  A kustomization file named on its own means its folder's kustomization.
- A Helm chart's folder (`Chart.yaml`) is not walked either: it holds templates, not manifests,
  so it is one error saying how to render it.
- A path that does not exist is a `LoadError` (exit 2): it is a usage mistake, not a bad manifest.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from kapply.errors import LoadError
from kapply.load.document import LoadIssue
from kapply.load.kustomization import (
    CHART_FILE,
    KUSTOMIZATION_FILES,
    is_chart,
    kustomization_file,
    reached,
)

STDIN_NAME = "<stdin>"
MANIFEST_EXTENSIONS = (".yaml", ".yml", ".json")
_EDITOR_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak")


FILE = "file"
KUSTOMIZATION = "kustomization"


@dataclass(frozen=True)
class Source:
    """A file to read: `display` is what the user sees, `path` what is opened (None for stdin).

    For a kustomization, `path` is its folder and `display` its kustomization file.
    """

    display: str
    path: str | None
    kind: str = FILE

    @property
    def is_kustomization(self) -> bool:
        return self.kind == KUSTOMIZATION


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
        self.named: set[str] = set()  # kustomization folders named on the command line (real paths)

    def add(self, path: str) -> None:
        if path == "-":
            if not self.stdin_seen:
                self.stdin_seen = True
                self.sources.append(Source(STDIN_NAME, None))
            return
        if not os.path.exists(path):
            raise LoadError(f"path not found: {path}")
        folder, name = os.path.dirname(path) or ".", os.path.basename(path)
        if name in KUSTOMIZATION_FILES and kustomization_file(folder) == os.path.join(folder, name):
            path = folder  # a kustomization file named (a pre-commit hook passes files): its kustomization
        if os.path.isdir(path):
            root = os.path.realpath(path)
            if self._special(path, display_path(path)):
                if kustomization_file(path):
                    self.named.add(root)
                return
            self._walk(path, display_path(path), root, {root})
        else:
            self.sources.append(Source(display_path(path), path))

    def _special(self, folder: str, shown: str) -> bool:
        """A kustomization or a chart: one source or one error, not a folder to walk."""
        found = kustomization_file(folder)
        if found is not None:
            self.sources.append(Source(os.path.join(shown, os.path.basename(found)), folder, KUSTOMIZATION))
            return True
        if is_chart(folder):
            chart = os.path.join(shown, CHART_FILE)
            self.issues.append(LoadIssue(
                chart, 1, 1, f"{shown} is a Helm chart: kapply reads manifests, not templates; render it "
                f"and pipe the result: helm template RELEASE {shown} | kapply apply -", "helm-chart"))
            return True
        return False

    def bases_dropped(self) -> list[Source]:
        """The sources, less the kustomizations found by walking that another one builds on."""
        kustomizations = [s for s in self.sources if s.is_kustomization]
        if len(kustomizations) < 2:
            return self.sources
        built_on = {base for s in kustomizations for base in reached(s.path or "")}

        def kept(source: Source) -> bool:
            real = os.path.realpath(source.path or "")
            return real in self.named or real not in built_on

        return [s for s in self.sources if not s.is_kustomization or kept(s)]

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
                        if not self._special(path, display):
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
    return walker.bases_dropped(), walker.issues
