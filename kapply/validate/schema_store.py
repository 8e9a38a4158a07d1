"""Where kapply's JSON Schemas live and how a (apiVersion, kind) finds its schema.

`scripts/gen_schemas.py` writes, per Kubernetes version, `schemas/vX.Y/definitions.json` (shared
definitions) and `schemas/vX.Y/kinds.json` (`{apiVersion: {kind: root schema}}`). This module
finds that folder (env `KAPPLY_SCHEMAS`, the source checkout, the installed data files), reads it
lazily, and adds user schema folders (`--schema-dir`, for CRDs) in the layouts kubeconform and
kubeval use. `kapply.validate.schema` compiles and runs what this module returns.
"""

from __future__ import annotations

import hashlib
import json
import os
import site
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from kapply.errors import KapplyError, UsageError

SCHEMAS_ENV = "KAPPLY_SCHEMAS"
DEFINITIONS_FILE = "definitions.json"
KINDS_FILE = "kinds.json"


@dataclass(frozen=True)
class SchemaRef:
    """The schema one (apiVersion, kind) resolves to.

    `builtin` schemas are roots that `$ref` into the shared definitions (`#/$defs/...`);
    the others are standalone documents read from a user schema folder (`source`).
    """

    api_version: str
    kind: str
    schema: dict[str, Any]
    builtin: bool
    source: str


def schema_roots() -> list[Path]:
    """Candidate folders holding `vX.Y/` schema trees, in lookup order."""
    roots: list[Path] = []
    if env := os.environ.get(SCHEMAS_ENV):
        roots.append(Path(env))
    package_parent = Path(__file__).resolve().parent.parent.parent
    roots.append(package_parent / "schemas")  # source checkout / editable install
    roots.append(package_parent / "share" / "kapply" / "schemas")  # pip install --target
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, site.getuserbase())):
        roots.append(Path(prefix) / "share" / "kapply" / "schemas")
    return roots


def find_version_dir(kubernetes_version: str) -> Path:
    """The schema folder for `kubernetes_version` ("1.34" or "v1.34"); UsageError if none ships it."""
    version = kubernetes_version.removeprefix("v")
    available: set[str] = set()
    roots = schema_roots()
    for root in roots:
        candidate = root / f"v{version}"
        if (candidate / KINDS_FILE).is_file() and (candidate / DEFINITIONS_FILE).is_file():
            return candidate
        if root.is_dir():
            available.update(p.name.removeprefix("v") for p in root.iterdir() if (p / KINDS_FILE).is_file())
    if available:
        raise UsageError(
            f"no schemas for Kubernetes {version}; available: {', '.join(sorted(available))}"
        )
    looked = ", ".join(str(r) for r in roots)
    raise KapplyError(
        f"kapply's schemas were not found (looked in {looked}); reinstall kapply or set {SCHEMAS_ENV}"
    )


def version_key(version: str) -> tuple[int, int, int]:
    """Kubernetes version priority: GA > beta > alpha, then higher numbers first (v2 > v1beta2)."""
    rest = version.removeprefix("v")
    digits = ""
    while rest and rest[0].isdigit():
        digits, rest = digits + rest[0], rest[1:]
    major = int(digits) if digits else 0
    for stage, rank in (("beta", 1), ("alpha", 0)):
        if rest.startswith(stage) and rest[len(stage):].isdigit():
            return (rank, major, int(rest[len(stage):]))
    return (2, major, 0) if not rest else (-1, major, 0)


class BuiltinSchemas:
    """The generated schemas of one Kubernetes version, parsed on first use."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @cached_property
    def kinds(self) -> dict[str, dict[str, dict[str, Any]]]:
        return json.loads((self.directory / KINDS_FILE).read_bytes())

    @cached_property
    def definitions_bytes(self) -> bytes:
        return (self.directory / DEFINITIONS_FILE).read_bytes()

    @cached_property
    def definitions_digest(self) -> str:
        return hashlib.sha256(self.definitions_bytes).hexdigest()

    @cached_property
    def definitions(self) -> dict[str, Any]:
        return json.loads(self.definitions_bytes)

    @cached_property
    def _folded(self) -> dict[tuple[str, str], tuple[str, str]]:
        return {
            (api_version.lower(), kind.lower()): (api_version, kind)
            for api_version, kinds in self.kinds.items()
            for kind in kinds
        }

    def lookup(self, api_version: str, kind: str) -> SchemaRef | None:
        """The root schema for (apiVersion, kind).

        Like kubernetes-validate (whose verdicts we reproduce), a case mismatch still finds the
        schema, whose `kind`/`apiVersion` enums then report the mistake.
        """
        schema = self.kinds.get(api_version, {}).get(kind)
        if schema is None:
            folded = self._folded.get((api_version.lower(), kind.lower()))
            if folded is None:
                return None
            schema = self.kinds[folded[0]][folded[1]]
        return SchemaRef(api_version, kind, schema, True, str(self.directory))

    def served_versions(self, kind: str) -> list[str]:
        """apiVersions serving `kind`, preferred first (GA, highest version)."""
        served = [av for av, kinds in self.kinds.items() if kind in kinds]
        return sorted(served, key=lambda av: version_key(av.rsplit("/", 1)[-1]), reverse=True)


def candidate_files(directory: Path, api_version: str, kind: str) -> list[Path]:
    """User schema file names tried for (apiVersion, kind), most specific first."""
    group, _, version = api_version.rpartition("/")
    lower = kind.lower()
    names: list[Path] = []
    if group:
        names.append(directory / group / f"{lower}_{version}.json")
        names.append(directory / f"{lower}-{group.split('.')[0]}-{version}.json")
        names.append(directory / f"{lower}-{group}-{version}.json")
    else:
        names.append(directory / f"{lower}-{version}.json")
    names.append(directory / f"{lower}_{version}.json")
    return names


class ExtraSchemas:
    """User schema folders (`--schema-dir`), consulted before the built-in schemas.

    Accepted file layouts inside each folder (kind lower-cased, first match wins):

    1. `{group}/{kind}_{version}.json` (datreeio CRDs-catalog, kubeconform's usual CRD location)
    2. `{kind}-{group-first-label}-{version}.json` or `{kind}-{group}-{version}.json` (kubeval,
       kubernetes-validate; core group: `{kind}-{version}.json`)
    3. `{kind}_{version}.json` (kubeconform's `openapi2jsonschema.py` default output)

    Each file is a standalone JSON Schema for the whole object.
    """

    def __init__(self, directories: Sequence[Path]) -> None:
        self.directories = [Path(d) for d in directories]
        for directory in self.directories:
            if not directory.is_dir():
                raise UsageError(f"schema directory {str(directory)!r} does not exist")
        self._cache: dict[tuple[str, str], SchemaRef | None] = {}

    def lookup(self, api_version: str, kind: str) -> SchemaRef | None:
        key = (api_version, kind)
        if key not in self._cache:
            self._cache[key] = self._find(api_version, kind)
        return self._cache[key]

    def _find(self, api_version: str, kind: str) -> SchemaRef | None:
        for directory in self.directories:
            for path in candidate_files(directory, api_version, kind):
                if path.is_file():
                    return SchemaRef(api_version, kind, _read_schema(path), False, str(path))
        return None


def _read_schema(path: Path) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read schema {path}: {exc}") from exc
    if not isinstance(schema, dict):
        raise UsageError(f"schema {path} is not a JSON object")
    return schema
