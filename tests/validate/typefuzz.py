"""Wrong-type substitution, shared by tests/validate/test_fuzz_types.py and tests/bench/fuzz_validate.py.

A case is a manifest with one value replaced (by a string, a number, a list...). `check_case` runs it
through `kapply validate` (in-process, from YAML text, so the loader sees what a file holds) and
through the embedded API server's admission (a server-side dry run of the loaded object), and
returns what went wrong: an internal error (any exception `kapply validate` raises, or anything
admission raises that is not an API error), a case slower than the bound, or a refusal whose
diagnostics lack a position or a field path. An empty list is a pass.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kapply.errors import ClusterError
from kapply.load.document import LoadResult
from kapply.load.parse import parse_source
from kapply.load.positions import SourceText
from kapply.validate.pipeline import validate_loaded

REPO = Path(__file__).resolve().parent.parent.parent
# ../shared/corpus of the checkout (or of the main checkout, for a git worktree under ../wt/NAME)
CORPUS = next((c for c in (REPO.parent / "shared" / "corpus", REPO.parent.parent / "shared" / "corpus")
               if c.is_dir()), REPO.parent / "shared" / "corpus")
TIME_BOUND = 2.0  # seconds per case, for validation and admission each (typical: milliseconds)

_HUGE = "\0huge\0"  # placeholders for YAML tokens JSON cannot spell
_EXPONENT = "\0exponent\0"
RAW_TOKENS = {_HUGE: "9" * 5000, _EXPONENT: "1e999999"}
WRONG_VALUES: dict[str, Any] = {
    "string": "string", "int": 7, "negative": -7, "float": 1.5, "bool": True, "null": None,
    "list": ["a"], "dict": {"a": "b"}, "huge int": _HUGE, "int64+1": 2**63, "1e999999": _EXPONENT,
}
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Case:
    source: str  # where the document comes from
    doc: dict[str, Any]
    path: Path_
    kind: str  # a key of WRONG_VALUES

    @property
    def name(self) -> str:
        return f"{self.source}:{format_path(self.path)}={self.kind}"


def format_path(path: Path_) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def manifest_documents(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, document) of every mapping document of the YAML files under `folder`."""
    docs = []
    for file in sorted(folder.rglob("*.y*ml")):
        try:
            loaded = list(yaml.safe_load_all(file.read_text()))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        docs += [(str(file.relative_to(folder)), d) for d in loaded if isinstance(d, dict) and d.get("kind")]
    return docs


def field_paths(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path below the root, parents before children."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*path, key)
            yield from field_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*path, index)
            yield from field_paths(child, (*path, index))


def cases(source: str, doc: dict[str, Any]) -> Iterator[Case]:
    for path in field_paths(doc):
        for kind in WRONG_VALUES:
            yield Case(source, doc, path, kind)


def substituted(doc: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    cursor: Any = out
    for element in path[:-1]:
        cursor = cursor[element]
    cursor[path[-1]] = copy.deepcopy(value)
    return out


def yaml_text(doc: dict[str, Any]) -> str:
    """The document as YAML (block-style JSON), placeholders replaced by their raw tokens."""
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    for placeholder, token in RAW_TOKENS.items():
        text = text.replace(json.dumps(placeholder), token)
    return text


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


_FIELD_TOKEN = re.compile(r"\[([^\]]*)\]|\.?([^.\[]+)")


def _tokens(field: str) -> list[str]:
    """`spec.a[0].labels[app.kubernetes.io/name]` -> spec, a, 0, labels, app.kubernetes.io/name."""
    return [bracketed or plain for bracketed, plain in _FIELD_TOKEN.findall(field)]


def _related(field: str, path: Path_) -> bool:
    a, b = _tokens(field), [str(p) for p in path]
    n = min(len(a), len(b))
    return a[:n] == b[:n]


class Admission:
    """The embedded API server, for server-side dry runs of what `kapply apply` would send."""

    def __init__(self, home: Path) -> None:
        from kapply.cluster.sim.testing import new_test_cluster

        self.cluster = new_test_cluster(home, nodes=1)

    def dry_run(self, obj: dict[str, Any]) -> None:
        """A create and a server-side apply; ClusterError (the API's refusal) is an answer, anything
        else propagates."""
        with contextlib.suppress(ClusterError):
            self.cluster.create(copy.deepcopy(obj), dry_run=True)
        with contextlib.suppress(ClusterError):
            self.cluster.apply(copy.deepcopy(obj), field_manager="kapply", dry_run=True)


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/kapply/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} at {frame.filename.rsplit('/kapply/', 1)[-1]}:{frame.lineno}"


def check_text(name: str, text: str, admission: Admission | None, mutated: Path_ | None = None,
               type_changed: bool = False, baseline: frozenset[str] = frozenset()) -> list[str]:
    """Problems of one manifest text (see the module docstring); [] when all is well.

    With `mutated` (the path of a value whose JSON type was changed), a new schema refusal must be
    at or around that path; `baseline` holds the diagnostics of the original document, not new.
    """
    problems: list[str] = []
    start = time.perf_counter()
    try:
        documents, issues = parse_source(SourceText(name, text.encode()))
        validated = validate_loaded(LoadResult(documents, issues, [name]))
    except Exception as exc:  # kapply validate never raises for bad input
        return [f"validate: internal error: {_where(exc)}: {exc!s:.200}"]
    if time.perf_counter() - start > TIME_BOUND:
        problems.append(f"validate took {time.perf_counter() - start:.1f} s")
    errors = validated.report.errors
    for d in errors:
        if d.file != name or d.line < 1 or d.column < 1:
            problems.append(f"diagnostic without a position: {d}")
        elif not d.field and (d.object or d.rule == "identity") and not d.rule.startswith("yaml-"):
            # file-level problems and YAML's own (a duplicate key: line and column) have no field
            problems.append(f"diagnostic without a field path: {d.text}")
    refused_type = [d for d in errors if d.rule in ("schema", "decode", "identity")
                    and f"{d.field}: {d.message}" not in baseline]
    if mutated is not None and type_changed and refused_type and \
            not any(_related(d.field, mutated) for d in refused_type):
        problems.append(f"refused, but nowhere near {format_path(mutated)}: {[d.text for d in errors]}")
    if admission is not None:
        for doc in documents:
            start = time.perf_counter()
            try:
                admission.dry_run(doc.obj)
            except Exception as exc:
                problems.append(f"admission: internal error: {_where(exc)}: {exc!s:.200}")
            if time.perf_counter() - start > TIME_BOUND:
                problems.append(f"admission took {time.perf_counter() - start:.1f} s")
    return problems


def check_case(case: Case, admission: Admission | None) -> list[str]:
    """Problems of one substitution; [] when all is well."""
    value = WRONG_VALUES[case.kind]
    old: Any = case.doc
    for element in case.path:
        old = old[element]
    # the raw tokens (5000 digits, 1e999999) load as strings, as go-yaml resolves them
    new_type = "str" if isinstance(value, str) and value in RAW_TOKENS else _json_type(value)
    text = yaml_text(substituted(case.doc, case.path, value))
    return check_text(f"{case.source}.yaml", text, admission, case.path, new_type != _json_type(old),
                      _baseline(case.source, yaml_text(case.doc)))


@lru_cache(maxsize=64)
def _baseline(source: str, text: str) -> frozenset[str]:
    """The diagnostics of an unchanged document (corpus documents may be invalid already)."""
    name = f"{source}.yaml"
    documents, issues = parse_source(SourceText(name, text.encode()))
    report = validate_loaded(LoadResult(documents, issues, [name])).report
    return frozenset(f"{d.field}: {d.message}" for d in report.errors)
