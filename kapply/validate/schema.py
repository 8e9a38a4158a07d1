"""Strict JSON-Schema validation of Kubernetes objects, the first half of `kapply validate`.

Pure and position-free: it takes a decoded object (a dict) and returns `SchemaIssue`s with field
paths; the caller (the validate pipeline, or the embedded cluster's API on create/update) maps
paths to file positions or API errors. The schemas are Kubernetes' own OpenAPI-derived ones,
strict (unknown fields rejected), generated into `schemas/vX.Y/` by `scripts/gen_schemas.py`.

Speed: each kind's schema is compiled on first use to fastjsonschema code (cached on disk, see
`schema_compile`); a valid object costs one call of that code. Only objects it rejects are
re-validated with `jsonschema` to collect every error with its path; both implement the same
draft and agree on the verdict.

User schemas (`--schema-dir DIR`, for CRDs) are standalone JSON Schema files found by
apiVersion and kind in the layouts kubeconform and kubeval use (kind lower-cased):
`DIR/{group}/{kind}_{version}.json`, `DIR/{kind}-{group}-{version}.json` (or with the group's
first label only, `DIR/{kind}-{version}.json` for the core group), and `DIR/{kind}_{version}.json`.
They are consulted before the built-in schemas.

Nothing heavy is imported at module import time (`kapply --help` stays fast).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from kapply.errors import UsageError
from kapply.validate.schema_messages import SchemaIssue, format_path, type_issue
from kapply.validate.schema_store import BuiltinSchemas, ExtraSchemas, SchemaRef, find_version_dir

__all__ = ["SchemaIssue", "SchemaValidator", "default_validator", "format_path"]

DEFAULT_KUBERNETES_VERSION = "1.34"
OBJECT_META_REF = "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


class SchemaValidator:
    """Validates objects against the schemas of one Kubernetes version plus user schema folders.

    `kubernetes_version` picks the shipped schema set (UsageError naming the available ones if
    absent); `extra_dirs` are `--schema-dir` folders (UsageError if one does not exist);
    `cache_dir` overrides where compiled validators are cached, `use_cache=False` disables it.
    Thread-safe; compiled validators live as long as the instance.
    """

    def __init__(
        self,
        kubernetes_version: str = DEFAULT_KUBERNETES_VERSION,
        extra_dirs: Sequence[Path] = (),
        cache_dir: Path | None = None,
        use_cache: bool = True,
    ) -> None:
        from kapply.validate.schema_compile import default_cache_dir

        self.kubernetes_version = kubernetes_version.removeprefix("v")
        self.builtin = BuiltinSchemas(find_version_dir(self.kubernetes_version))
        self.extra = ExtraSchemas(extra_dirs)
        self.cache_dir: Path | None = (cache_dir or default_cache_dir()) if use_cache else None
        self._fast: dict[tuple[str, str, str], Any] = {}
        self._reference: dict[tuple[str, str, str], Any] = {}
        self._decoding: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def resolve(self, api_version: object, kind: object) -> SchemaRef | None:
        """The schema for (apiVersion, kind): user folders first, then the built-in ones."""
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return None
        return self.extra.lookup(api_version, kind) or self.builtin.lookup(api_version, kind)

    def has_schema(self, api_version: object, kind: object) -> bool:
        """True when a schema exists for this apiVersion and kind."""
        return self.resolve(api_version, kind) is not None

    def served_versions(self, kind: str) -> list[str]:
        """Built-in apiVersions serving `kind`, preferred first (empty for unknown kinds)."""
        return self.builtin.served_versions(kind)

    def validate(self, obj: Any) -> list[SchemaIssue]:
        """Every schema violation of `obj`; [] when it is valid."""
        if not isinstance(obj, dict):
            return [type_issue((), ["object"], obj)]
        header = self._check_type_meta(obj)
        if header:
            return header
        api_version, kind = obj["apiVersion"], obj["kind"]
        ref = self.resolve(api_version, kind)
        if ref is None:
            return [self._unknown_kind(api_version, kind)]
        return self._issues(ref, obj)

    def is_builtin(self, api_version: object, kind: object) -> bool:
        """True when (apiVersion, kind) resolves to a built-in schema (no user schema replaces it)."""
        ref = self.resolve(api_version, kind)
        return ref is not None and ref.builtin

    def builtin_issues(self, obj: dict[str, Any]) -> list[SchemaIssue]:
        """`obj` against the built-in schema of its kind; for other kinds, its metadata against ObjectMeta.

        What the semantic rules may read is what this accepts (`kapply.validate.accepted`), whatever
        schema a `--schema-dir` supplies: the API server decodes every object's metadata as ObjectMeta.
        """
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        ref = self.builtin.lookup(api_version, kind) if isinstance(api_version, str) and \
            isinstance(kind, str) else None
        if ref is not None:
            return self._issues(ref, obj)
        if "metadata" not in obj:
            return []
        meta = SchemaRef("meta/v1", "ObjectMeta", {"$ref": OBJECT_META_REF}, True,
                         str(self.builtin.directory))
        return [SchemaIssue(("metadata", *i.path), i.message, i.rule, i.keyword)
                for i in self._issues(meta, obj["metadata"])]

    def decoded(self, obj: dict[str, Any]) -> dict[str, Any]:
        """`obj` as the API server decodes it into its Go type (`kapply.validate.decoding`).

        Along the built-in schema of its kind; other kinds have their metadata decoded as ObjectMeta.
        `obj` itself when nothing changes.
        """
        from kapply.validate.decoding import decoded, needs_decoding

        if not needs_decoding(obj):
            return obj
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        key = (str(api_version), str(kind))
        schema = self._decoding.get(key)
        if schema is None:
            from kapply.validate.schema_compile import full_schema

            typed = isinstance(api_version, str) and isinstance(kind, str)
            ref = self.builtin.lookup(*key) if typed else None
            if ref is None:
                ref = SchemaRef("meta/v1", "Object", {"properties": {"metadata": {"$ref": OBJECT_META_REF}}},
                                True, str(self.builtin.directory))
            schema = self._decoding[key] = full_schema(ref, self.builtin)
        return decoded(obj, schema, schema.get("$defs", {}))

    def _issues(self, ref: SchemaRef, obj: Any) -> list[SchemaIssue]:
        check = self._fast_check(ref)
        try:
            check(obj)
            return []
        except Exception:  # any rejection (or crash) of the fast path gets the thorough one
            pass
        return self._reference_issues(ref, obj)

    def _reference_issues(self, ref: SchemaRef, obj: Any) -> list[SchemaIssue]:
        from referencing.exceptions import Unresolvable

        from kapply.validate.schema_messages import issues_from_errors

        validator = self._reference_validator(ref)
        try:
            return issues_from_errors(validator.iter_errors(obj), validator.schema, ref.kind)
        except Unresolvable as exc:
            raise UsageError(f"schema {ref.source} has a reference kapply cannot resolve: {exc}") from exc

    def _check_type_meta(self, obj: dict[str, Any]) -> list[SchemaIssue]:
        issues: list[SchemaIssue] = []
        for field in ("apiVersion", "kind"):
            value = obj.get(field)
            if value is None or value == "":
                issues.append(SchemaIssue((field,), f"Required value: {field} not set", "schema"))
            elif not isinstance(value, str):
                issues.append(type_issue((field,), ["string"], value))
        return issues

    def _unknown_kind(self, api_version: str, kind: str) -> SchemaIssue:
        version = self.kubernetes_version
        served = self.served_versions(kind)
        if served:
            message = (
                f'no schema for kind "{kind}" in apiVersion "{api_version}": Kubernetes {version} '
                f"does not serve {kind} in {api_version}; it is served as {', '.join(served)}"
            )
            return SchemaIssue(("apiVersion",), message, "unknown-kind")
        message = f'no schema for kind "{kind}" in apiVersion "{api_version}" (Kubernetes {version})'
        return SchemaIssue(("kind",), message, "unknown-kind")

    def _fast_check(self, ref: SchemaRef) -> Any:
        key = (ref.source, ref.api_version, ref.kind)
        check = self._fast.get(key)
        if check is None:
            from kapply.validate.schema_compile import compile_fast

            with self._lock:
                check = self._fast.get(key)
                if check is None:
                    check = compile_fast(ref, self.builtin, self.cache_dir)
                    self._fast[key] = check
        return check

    def _reference_validator(self, ref: SchemaRef) -> Any:
        key = (ref.source, ref.api_version, ref.kind)
        validator = self._reference.get(key)
        if validator is None:
            from kapply.validate.schema_compile import build_reference

            with self._lock:
                validator = self._reference.get(key) or build_reference(ref, self.builtin)
                self._reference[key] = validator
        return validator


@lru_cache(maxsize=1)
def default_validator() -> SchemaValidator:
    """The process-wide validator for the default Kubernetes version, without user schemas."""
    return SchemaValidator()

