"""What the watch needs to follow a kustomization: the folders it reads, and one digest of them.

A kustomization is one entry of the watched sources (`sources.SourceSet`), keyed by its folder.
It is rendered again when any file under its folder or under a folder it builds on (a base, a
component, found by `kapply.load.kustomization.reached`) changes, whatever the file's name: a
`configMapGenerator` reads `scripts/backup.sh`, a transformer reads `labels.yaml`. The digest
covers every file of those folders (names and contents, hidden files and editor droppings
aside), so a rescan renders again only when something it could read changed.
"""

from __future__ import annotations

import hashlib
import os

from kapply.load.kustomization import reached
from kapply.load.walk import is_ignored_name


def dependency_folders(root: str) -> list[str]:
    """The kustomization's own folder, then the folders it builds on (real paths)."""
    real = os.path.realpath(root)
    return [real, *reached(real)]


def tree_digest(folders: list[str]) -> bytes | None:
    """A hash of the names and contents of every file under `folders` (None when the first is gone)."""
    if not os.path.isdir(folders[0]):
        return None
    digest = hashlib.blake2b()
    for folder in folders:
        for current, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not is_ignored_name(d))
            for name in sorted(files):
                if is_ignored_name(name):
                    continue
                path = os.path.join(current, name)
                digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
                try:
                    with open(path, "rb") as handle:
                        digest.update(hashlib.file_digest(handle, "blake2b").digest())
                except OSError:
                    digest.update(b"unreadable")
    return digest.digest()

