"""Turning a schema into callables: a fast yes/no check and a thorough error collector.

The fast path is `fastjsonschema`-generated Python (about 20x faster than `jsonschema` on a
Deployment). Generating and byte-compiling that code costs ~0.1 s per workload kind, so the
compiled code object is cached with `marshal` under `~/.cache/kapply/schema-validators/` (see
`default_cache_dir`), keyed by a hash of the schema and of the Python and
fastjsonschema versions; a warm start loads a kind in about a millisecond. An unwritable cache
is not an error, just slower.

The thorough path is `jsonschema` (the reference implementation of the same draft), used only
on documents the fast path rejects, to collect every error with its path. Formats are not
asserted by either (as with the official validator); both are built lazily per kind.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kapply.errors import UsageError
from kapply.validate.schema_ranges import ranged_definitions, with_int_ranges
from kapply.validate.schema_store import BuiltinSchemas, SchemaRef

CACHE_ENV = "KAPPLY_CACHE_DIR"
FastCheck = Callable[[Any], Any]
FAST_PATH_REVISION = 4  # bump when the code generation changes, to invalidate old cache entries


def default_cache_dir() -> Path:
    """`$KAPPLY_CACHE_DIR`, else `$XDG_CACHE_HOME/kapply` (`~/.cache/kapply`), + `/schema-validators`.

    Not under `$KAPPLY_HOME`: the cache is a pure function of its key, so isolated homes (tests,
    several clusters) can share it instead of each paying the first compilation.
    """
    if explicit := os.environ.get(CACHE_ENV):
        return Path(explicit) / "schema-validators"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "kapply" / "schema-validators"


_RANGED_DEFINITIONS: dict[str, dict[str, Any]] = {}  # by definitions digest


def full_schema(ref: SchemaRef, builtin: BuiltinSchemas | None) -> dict[str, Any]:
    """The self-contained schema document for `ref` (built-in roots get the shared `$defs`).

    Integer fields get their int32/int64 range as bounds (`schema_ranges`), as the API server's
    decoder enforces them.
    """
    schema = with_int_ranges(ref.schema)
    if not ref.builtin or builtin is None:
        return schema
    digest = builtin.definitions_digest
    definitions = _RANGED_DEFINITIONS.get(digest)
    if definitions is None:
        definitions = _RANGED_DEFINITIONS[digest] = ranged_definitions(builtin.definitions)
    return {**schema, "$defs": definitions}


def _exclusive_types(branches: Any) -> list[str] | None:
    """The single `type` equivalent to a oneOf of pure type branches, if there is one.

    Kubernetes' int-or-string and quantity are `oneOf: [{type: [string, null]}, {type: [integer,
    null]}]`; fastjsonschema checks a oneOf by raising an exception per failing branch, which
    made those fields the slowest part of a Deployment. A value is valid iff exactly one branch
    accepts it, so the equivalent type list holds the types accepted by exactly one branch
    (null, accepted by both, is dropped). Integers are numbers too; when that makes the result
    inexpressible ("number but not integer") no rewrite happens.
    """
    if not isinstance(branches, list):
        return None
    if not all(isinstance(b, dict) and set(b) == {"type"} for b in branches):
        return None
    counts: dict[str, int] = {}
    for branch in branches:
        types = set(branch["type"] if isinstance(branch["type"], list) else [branch["type"]])
        if "number" in types:
            types.add("integer")
        for name in types:
            counts[name] = counts.get(name, 0) + 1
    accepted = sorted(name for name, count in counts.items() if count == 1)
    if "number" in accepted and "integer" not in accepted:
        return None
    return accepted


# keywords that may sit beside a rewritable oneOf: bounds only constrain numbers (IntOrString's int32)
_ONE_OF_SIBLINGS = frozenset({"oneOf", "format", "minimum", "maximum"})


def _rewrite_one_of(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_rewrite_one_of(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _rewrite_one_of(value) for key, value in schema.items()}
    if "oneOf" in out and set(out) <= _ONE_OF_SIBLINGS:
        types = _exclusive_types(out["oneOf"])
        if types is not None:
            return {**{k: v for k, v in out.items() if k != "oneOf"}, "type": types}
    return out


def _inline(schema: Any, simple: dict[str, Any]) -> Any:
    if isinstance(schema, list):
        return [_inline(item, simple) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref in simple and all(k == "$ref" or k.startswith("x-") for k in schema):
        return dict(simple[ref])
    return {key: _inline(value, simple) for key, value in schema.items()}


def fast_path_schema(schema: Any) -> Any:
    """`schema` reshaped for speed with the same verdicts.

    oneOf-of-types become type lists (no exception per failing branch), and `$ref`s to
    definitions that are only a type (int-or-string, quantity after that rewrite) are inlined
    (no function call per value).
    """
    out = _rewrite_one_of(schema)
    defs = out.get("$defs") if isinstance(out, dict) else None
    if isinstance(defs, dict):
        simple = {f"#/$defs/{name}": d for name, d in defs.items()
                  if isinstance(d, dict) and d and set(d) <= {"type", "format", "minimum", "maximum"}}
        out = _inline(out, simple)
    return out


# A generated call passes the child's path for fastjsonschema's messages, built on every call
# (`"...containers[{x}]".format(**locals())` for list items). We never show those messages (the
# reference validator reports errors), so calls drop that argument.
_CALL_WITH_PATH = re.compile(r"^(\s*validate_\w+\(\w+, custom_formats), .*\)$", re.MULTILINE)


def _without_path_arguments(source: str) -> str:
    return _CALL_WITH_PATH.sub(r"\1)", source)


def _cache_key(ref: SchemaRef, builtin: BuiltinSchemas | None, fjs_version: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{FAST_PATH_REVISION}|{fjs_version}|{sys.implementation.cache_tag}|{marshal.version}|".encode())
    if ref.builtin and builtin is not None:
        digest.update(builtin.definitions_digest.encode())
    digest.update(json.dumps(ref.schema, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()[:32]


def _load_cached(path: Path) -> Any | None:
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _store_cached(path: Path, code: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(code))
        os.replace(tmp, path)
    except OSError:
        pass


class RemoteReferenceError(Exception):
    """A user schema `$ref`ers to a document by URL; kapply never fetches schemas over the network."""


def _refuse_remote(uri: str) -> Any:
    raise RemoteReferenceError(uri)


NO_REMOTE = {"http": _refuse_remote, "https": _refuse_remote, "file": _refuse_remote, "": _refuse_remote}


def compile_fast(ref: SchemaRef, builtin: BuiltinSchemas | None, cache_dir: Path | None) -> FastCheck:
    """A function raising on the first violation of `ref`'s schema, from cache when possible."""
    import fastjsonschema

    key = _cache_key(ref, builtin, fastjsonschema.VERSION)
    path = cache_dir / f"{key}.marshal" if cache_dir is not None else None
    code = _load_cached(path) if path is not None and path.is_file() else None
    if code is None:
        try:
            source = fastjsonschema.compile_to_code(
                fast_path_schema(full_schema(ref, builtin)),
                handlers=NO_REMOTE, use_formats=False, use_default=False, detailed_exceptions=False,
            )
        except fastjsonschema.JsonSchemaDefinitionException as exc:
            raise UsageError(f"invalid schema {ref.source}: {exc}") from exc
        except re.error as exc:
            raise UsageError(f"invalid schema {ref.source}: pattern {exc.pattern!r}: {exc}") from exc
        except RemoteReferenceError as exc:
            raise UsageError(
                f"schema {ref.source} refers to {exc}, which kapply does not fetch; "
                "use a standalone schema (all definitions inline)"
            ) from exc
        code = compile(_without_path_arguments(source), f"<schema {ref.api_version} {ref.kind}>", "exec")
        if path is not None:
            _store_cached(path, code)
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace["validate"]


def build_reference(ref: SchemaRef, builtin: BuiltinSchemas | None) -> Any:
    """A `jsonschema` validator for `ref`, of the draft the schema declares (2020-12 for built-ins)."""
    import jsonschema
    from jsonschema import validators

    schema = full_schema(ref, builtin)
    if ref.builtin:
        return validators.Draft202012Validator(schema)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = validators.validator_for(schema, default=validators.Draft7Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise UsageError(f"invalid schema {ref.source}: {exc.message}") from exc
    return cls(schema)
