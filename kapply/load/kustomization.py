"""Reading a kustomization without rendering it: which file it is, and what it reads.

kapply never reimplements kustomize (`kustomize.py` runs the real one); it reads the
kustomization file only to know
- whether a folder is a kustomization at all (`kustomization_file`: the three names kustomize
  accepts, in its order) or a Helm chart (`Chart.yaml`);
- which other kustomization folders it reaches through `resources`, `bases` and `components`
  (`reached`), so that a base found while walking a repository is not rendered a second time as a
  source of its own, and so that the watch re-renders an overlay when a file of one of its bases
  changes;
- where in the file an entry is written (`line_of`), so a renderer's error lands on its line.

Remote references (URLs, `github.com/...?ref=`) are left to kustomize and never followed here.
A kustomization that cannot be read here is not an error of this module: kustomize reports it
when it renders.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"
# kubectl's message for `-k DIR` when DIR holds none of them (sigs.k8s.io/kustomize/api/konfig)
MISSING = ("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' "
           "in directory '{}'")
_FOLDER_FIELDS = ("resources", "bases", "components")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)|\?ref=|//")


def kustomization_file(folder: str) -> str | None:
    """The kustomization file of `folder` (kustomize's first match), or None."""
    try:
        names = set(os.listdir(folder))
    except OSError:
        return None
    for name in KUSTOMIZATION_FILES:
        if name in names and os.path.isfile(os.path.join(folder, name)):
            return os.path.join(folder, name)
    return None


def is_chart(folder: str) -> bool:
    """A Helm chart's folder (`Chart.yaml`): templates, not manifests."""
    return os.path.isfile(os.path.join(folder, CHART_FILE))


def is_remote(entry: str) -> bool:
    return bool(_REMOTE.search(entry))


def read(folder: str) -> dict[str, Any]:
    """The kustomization of `folder` as a mapping ({} when it cannot be read or parsed)."""
    path = kustomization_file(folder)
    if path is None:
        return {}
    try:
        import yaml

        with open(path, "rb") as handle:
            value = yaml.safe_load(handle.read(4 * 1024 * 1024))
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return value if isinstance(value, dict) else {}


def _entries(kustomization: dict[str, Any], fields: Iterable[str]) -> list[str]:
    out = []
    for name in fields:
        value = kustomization.get(name)
        if isinstance(value, list):
            out += [item for item in value if isinstance(item, str)]
    return out


def folders_named(folder: str) -> list[str]:
    """The local kustomization folders `folder`'s kustomization lists (real paths, in order)."""
    out = []
    for entry in _entries(read(folder), _FOLDER_FIELDS):
        if is_remote(entry):
            continue
        target = os.path.realpath(os.path.join(folder, entry))
        if os.path.isdir(target):
            out.append(target)
    return out


def reached(folder: str) -> list[str]:
    """Every kustomization folder `folder` builds on, transitively (real paths, itself excluded)."""
    start = os.path.realpath(folder)
    seen = {start}
    order: list[str] = []
    todo = [start]
    while todo:
        for target in folders_named(todo.pop()):
            if target not in seen:
                seen.add(target)
                order.append(target)
                todo.append(target)
    return order


def line_of(path: str, entry: str) -> int | None:
    """The line (1-based) where `entry` is written in the file at `path`: a list item or a key."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(4 * 1024 * 1024).splitlines()
    except OSError:
        return None
    quoted = re.escape(entry)
    item = re.compile(rf"^\s*-\s*(?:path:\s*)?['\"]?{quoted}['\"]?\s*(?:#.*)?$")
    key = re.compile(rf"^\s*['\"]?{quoted}['\"]?\s*:")
    value = re.compile(rf":\s*['\"]?{quoted}['\"]?\s*(?:#.*)?$")
    for pattern in (item, key, value):
        for number, text in enumerate(lines, 1):
            if pattern.search(text):
                return number
    return None
