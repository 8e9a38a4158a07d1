"""Where a run's manifests come from: the source that names, and owns, an inventory.

A source (`Origin`) is a sorted set of `Location`s: a repository identity and a path relative to
that repository's root. Two clones of one repository (a laptop's, a CI runner's) give the same
source for the same folder, and two repositories that both keep manifests in `k8s/` give two.

Repository identity, first rule that applies:

1. the URL of remote `origin` (else the first remote), read from the repository's git config
   without running git, and normalised (`giturl.py`) so https and ssh clones agree;
2. no remote: the root commit (`git rev-list --max-parents=0 HEAD`, a subprocess with a short
   timeout), `commit:<sha>`;
3. no commit, no git, or not a repository: `file://<hostname><absolute path>` (of the
   repository's root; outside any repository the repository is `file://<hostname>` and the path
   is absolute).

`.git` may be a file (`gitdir: ...`, worktrees and submodules); a worktree's config lives in the
common directory its `commondir` names. Identities are cached per repository root and config
modification time, so a watch loop asks the file system once. `-` (standard input) is the
location `STDIN`. Reads files, so it lives at the load edge; the inventory id is computed from an
`Origin` in `kapply.plan.inventory`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kapply.load.giturl import local_identity, normalize_url
from kapply.load.walk import display_path

GIT_TIMEOUT = 2.0  # seconds for `git rev-list`; a repository that slow falls back to rule 3
STDIN_REPOSITORY = "stdin"


@dataclass(frozen=True, order=True)
class Location:
    repository: str
    path: str  # relative to the repository's root, `/`-separated, `.` for the root itself

    def within(self, other: Location) -> bool:
        """Equal to `other`, or inside it (a file of a folder, a sub-folder)."""
        if self.repository != other.repository:
            return False
        if other.path in (".", "/") or self.path == other.path:
            return True
        return self.path.startswith(other.path.rstrip("/") + "/")

    def display(self) -> str:
        if self == STDIN:
            return "standard input"
        if self.path.startswith("/"):
            return f"{self.repository}{self.path}"
        return f"{self.repository}: {self.path}"

    def to_json(self) -> dict[str, str]:
        return {"repository": self.repository, "path": self.path}


STDIN = Location(STDIN_REPOSITORY, "-")


@dataclass(frozen=True)
class Origin:
    """A run's source: its locations, sorted and without duplicates."""

    locations: tuple[Location, ...]
    # where each repository's root is on this machine (for messages; not part of the identity)
    roots: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, locations: Iterable[Location], roots: Mapping[str, str] | None = None) -> Origin:
        return cls(tuple(sorted(set(locations))), tuple(sorted((roots or {}).items())))

    @property
    def reads_stdin(self) -> bool:
        return STDIN in self.locations

    def within(self, other: Origin) -> bool:
        """Every location of this source lies within some location of `other`."""
        return all(any(mine.within(theirs) for theirs in other.locations) for mine in self.locations)

    def display(self) -> str:
        """`github.com/org/repo: k8s, base`, repositories separated by `; `."""
        by_repo: dict[str, list[str]] = {}
        for loc in self.locations:
            if loc == STDIN or loc.path.startswith("/"):
                by_repo.setdefault(loc.display(), [])
            else:
                by_repo.setdefault(loc.repository, []).append(loc.path)
        return "; ".join(f"{repo}: {', '.join(paths)}" if paths else repo for repo, paths in by_repo.items())

    def local_paths(self, roots: Mapping[str, str]) -> list[str] | None:
        """This source's paths on this machine (relative to the working directory when under it),
        given repository roots; None if one is unknown."""
        out = []
        for loc in self.locations:
            if loc == STDIN:
                out.append("-")
            elif loc.path.startswith("/"):
                out.append(loc.path)
            elif loc.repository in roots:
                out.append(display_path(os.path.normpath(os.path.join(roots[loc.repository], loc.path))))
            else:
                return None
        return out

    def to_json(self) -> list[dict[str, str]]:
        return [loc.to_json() for loc in self.locations]

    @classmethod
    def from_json(cls, value: Any) -> Origin:
        """Parse `to_json`'s form; ValueError when it is not that."""
        if not isinstance(value, list) or not value:
            raise ValueError("a source is a non-empty list of {repository, path}")
        locations = []
        for item in value:
            if not isinstance(item, dict) or \
                    not all(isinstance(item.get(k), str) for k in ("repository", "path")):
                raise ValueError(f"not a source location: {item!r}")
            locations.append(Location(item["repository"], item["path"]))
        return cls.of(locations)


def origin_of(paths: Sequence[str]) -> Origin:
    """The source of command-line paths (`-` is standard input)."""
    locations: list[Location] = []
    roots: dict[str, str] = {}
    for path in paths:
        if path == "-":
            locations.append(STDIN)
            continue
        real = os.path.realpath(path)
        root = repository_root(real)
        if root is None:
            locations.append(Location(f"file://{_hostname()}", real))
            continue
        repository = repository_identity(root)
        relative = os.path.relpath(real, root).replace(os.sep, "/")
        locations.append(Location(repository, relative))
        roots[repository] = root
    return Origin.of(locations, roots)


def repository_root(path: str) -> str | None:
    """The nearest directory at or above `path` holding `.git` (a directory or a file)."""
    probe = path if os.path.isdir(path) else os.path.dirname(path)
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def repository_identity(root: str) -> str:
    """The identity of the repository whose work tree is `root` (rules in the module docstring)."""
    config = _config_path(root)
    try:
        stamp = os.stat(config).st_mtime_ns if config else 0
    except OSError:
        stamp = 0
    return _identity(root, config or "", stamp)


@lru_cache(maxsize=64)
def _identity(root: str, config: str, stamp: int) -> str:
    del stamp  # part of the cache key only: an edited config is read again
    url = remote_url(_read(config)) if config else None
    if url:
        try:
            return normalize_url(url, hostname=_hostname(), base=root)
        except ValueError:
            pass
    commit = root_commit(root)
    if commit:
        return f"commit:{commit}"
    return local_identity(root, hostname=_hostname())


def _config_path(root: str) -> str | None:
    """The config file of the repository at `root`, following `.git` files and `commondir`."""
    dot_git = os.path.join(root, ".git")
    gitdir = dot_git
    if os.path.isfile(dot_git):
        match = re.match(r"gitdir:\s*(.+)", _read(dot_git).strip())
        if not match:
            return None
        gitdir = os.path.normpath(os.path.join(root, match.group(1).strip()))
    common = gitdir
    commondir = _read(os.path.join(gitdir, "commondir")).strip()
    if commondir:
        common = os.path.normpath(os.path.join(gitdir, commondir))
    config = os.path.join(common, "config")
    return config if os.path.isfile(config) else None


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(1 << 20)
    except OSError:
        return ""


_SECTION = re.compile(r'^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]')


def remote_url(config: str) -> str | None:
    """The fetch URL of remote `origin`, else of the first remote, in git config text."""
    urls: dict[str, str] = {}
    section: tuple[str, str] | None = None
    for line in _logical_lines(config):
        match = _SECTION.match(line)
        if match:
            name, sub = match.group(1).lower(), match.group(2)
            if sub is None and "." in name:  # the old `[remote.origin]` spelling
                name, _, sub = name.partition(".")
            section = (name, _unescape(sub or ""))
            line = line[match.end():]
            if not line.strip():
                continue
        if section is None or section[0] != "remote":
            continue
        key, eq, value = line.partition("=")
        if eq and key.strip().lower() == "url" and section[1] not in urls:
            urls[section[1]] = _value(value)
    if "origin" in urls:
        return urls["origin"] or None
    return next((u for u in urls.values() if u), None)


def _logical_lines(text: str) -> Iterable[str]:
    """Config lines with backslash continuations joined."""
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            pending += raw[:-1]
            continue
        yield pending + raw
        pending = ""
    if pending:
        yield pending


def _value(raw: str) -> str:
    """A config value: quotes removed, escapes read, a comment (`#`, `;`) outside quotes dropped."""
    out: list[str] = []
    quoted = False
    i = 0
    text = raw.strip()
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in "#;" and not quoted:
            break
        else:
            out.append(ch)
        i += 1
    return "".join(out).strip()


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def root_commit(root: str) -> str | None:
    """The repository's root commit (the smallest, if histories were merged); None without one."""
    try:
        done = subprocess.run(["git", "-C", root, "rev-list", "--max-parents=0", "HEAD"],
                              capture_output=True, text=True, timeout=GIT_TIMEOUT,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    commits = sorted(line.strip() for line in done.stdout.splitlines() if re.fullmatch(r"[0-9a-f]{40,64}",
                                                                                      line.strip()))
    return commits[0] if done.returncode == 0 and commits else None


@lru_cache(maxsize=1)
def _hostname() -> str:
    return (socket.gethostname() or "localhost").lower()


def legacy_source_names(paths: Sequence[str]) -> list[str]:
    """The names kapply before source identities hashed into an id (the path within the git
    repository, else the absolute path), so inventories it wrote can still be found."""
    names = []
    for path in paths:
        if path == "-":
            continue
        absolute = os.path.abspath(path)
        probe = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        while True:
            if os.path.exists(os.path.join(probe, ".git")):
                names.append(os.path.relpath(absolute, probe))
                break
            parent = os.path.dirname(probe)
            if parent == probe:
                names.append(absolute)
                break
            probe = parent
    return sorted(names) or ["stdin"]
