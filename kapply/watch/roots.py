"""Keep watching a followed folder that goes away and comes back.

watchdog's inotify watch of a folder ends for good when the folder is deleted, and follows the
folder's inode when it is renamed: after `rm -rf m && mkdir m`, `mv m.new m`, or a `git
checkout` that removes and re-creates `m`, the watch set up at start-up hears nothing of the
new `m`. `Roots` keeps, for every followed path, a recursive watch on the directory the path
names now (set up again when that is another directory, or is back), and a non-recursive watch
on the nearest existing ancestor, through which a folder coming back is noticed at once. The
loop calls `check()` on every tick and after folder events; True means "rescan".

`classify` sorts the observer's events (it runs on the observer thread): a file event under a
followed folder names a path to re-read; a folder created, moved or deleted there, or a change
to a followed folder or one of its ancestors, asks for a rescan; the rest (the siblings an
ancestor's watch reports) is ignored.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import Any, Protocol

Identity = tuple[int, int]  # st_dev, st_ino: which directory a path names


class Scheduler(Protocol):
    """The part of a watchdog observer Roots drives."""

    def schedule(self, event_handler: Any, path: str, *, recursive: bool = False) -> Any: ...

    def unschedule(self, watch: Any) -> None: ...


class Roots:
    def __init__(self, paths: Sequence[str], observer: Scheduler, handler: Any) -> None:
        self.paths = [p for p in paths if p != "-"]
        self.observer = observer
        self.handler = handler
        self._is_file = {p: os.path.isfile(p) for p in self.paths}
        self._seen: dict[str, Identity | None] = {}  # per followed path, at the last check
        self._watches: dict[tuple[str, bool], tuple[Identity, Any]] = {}  # (dir, recursive) -> watch
        self._folders: tuple[str, ...] = ()  # read by classify() on the observer thread
        self._ancestry: frozenset[str] = frozenset()
        self.extra: list[str] = []  # folders followed for kustomizations (real paths)

    def follow(self, folders: Sequence[str]) -> None:
        """Also follow these folders (recursively), from the next `check` on."""
        self.extra = [f for f in folders if f not in self.paths]

    def check(self) -> bool:
        """Watch the folders as they are now; True when one went, came back or was replaced."""
        wanted: dict[tuple[str, bool], Identity] = {}
        changed = False
        folders, ancestry = [], set()
        for path in [*self.paths, *self.extra]:
            folder = self._folder(path)
            identity = _identity(folder)
            changed |= path in self._seen and self._seen[path] != identity
            self._seen[path] = identity
            folders += [folder, self._given_folder(path)]
            for name in (folder, os.path.abspath(path)):
                ancestry.update(_ancestors(name))
            if identity is not None:
                wanted[(folder, not self._is_file.get(path, False))] = identity
            for start in (os.path.dirname(folder), os.path.dirname(os.path.abspath(path))):
                anchor = _nearest_existing(start)
                anchor_identity = _identity(anchor)
                if anchor_identity is not None:
                    wanted.setdefault((anchor, False), anchor_identity)
        self._folders, self._ancestry = tuple(sorted(set(folders))), frozenset(ancestry)
        for key, (identity, watch) in list(self._watches.items()):
            if wanted.get(key) != identity:
                del self._watches[key]
                with contextlib.suppress(KeyError, RuntimeError, OSError):  # it ended with its folder
                    self.observer.unschedule(watch)
        for (folder, recursive), identity in sorted(wanted.items()):
            if (folder, recursive) not in self._watches:
                try:
                    watch = self.observer.schedule(self.handler, folder, recursive=recursive)
                except OSError:
                    continue  # gone again since it was looked at: the next check tries again
                self._watches[(folder, recursive)] = (identity, watch)
        return changed

    def classify(self, path: str, is_directory: bool, event_type: str) -> str | None:
        """"read" (a file to re-read), "rescan", or None (nothing the watch follows)."""
        if event_type == "events_lost":
            return "rescan"
        under = any(path.startswith(f.rstrip(os.sep) + os.sep) for f in self._folders)
        if path in self._folders or path in self._ancestry:
            return "rescan" if event_type in ("moved", "deleted", "created") else None
        if not under:
            return None
        if is_directory:
            return "rescan" if event_type in ("moved", "deleted", "created") else None
        return "read"

    def watched(self) -> list[tuple[str, bool]]:
        """The (folder, recursive) pairs watched now (for tests and debugging)."""
        return sorted(self._watches)

    def _folder(self, path: str) -> str:
        real = os.path.realpath(path)
        return os.path.dirname(real) if self._is_file.get(path, False) else real

    def _given_folder(self, path: str) -> str:
        absolute = os.path.abspath(path)
        return os.path.dirname(absolute) if self._is_file.get(path, False) else absolute


def _identity(path: str) -> Identity | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    import stat

    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


def _nearest_existing(path: str) -> str:
    while not os.path.isdir(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _ancestors(path: str) -> list[str]:
    out: list[str] = []
    while True:
        parent = os.path.dirname(path)
        if parent == path:
            return out
        out.append(parent)
        path = parent

