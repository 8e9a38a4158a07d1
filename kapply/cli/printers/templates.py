"""kubectl's template outputs: `-o jsonpath=`, `-o custom-columns=` (and their `-file=` forms), `--sort-by`.

All three read objects through kubectl's JSONPath (`kapply.model.jsonpath`). custom-columns and
sort-by take a relaxed path (`.metadata.name`, `metadata.name` or `{.metadata.name}`), as
kubectl's RelaxedJSONPathExpression does. A custom column prints every value it finds, joined
by commas, and `<none>` when there is none; `--sort-by` compares numbers as numbers and
everything else as text, objects without the field first, keeping the order of equals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kapply.errors import UsageError
from kapply.model.jsonpath import JSONPath, JSONPathError, go_value

_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")
TEMPLATE_FORMATS = ("jsonpath", "jsonpath-file", "custom-columns", "custom-columns-file")


@dataclass(frozen=True)
class Column:
    header: str
    path: JSONPath


@dataclass(frozen=True)
class Output:
    """A parsed `-o` value: `format` plus, for the template formats, what they print."""

    format: str
    jsonpath: JSONPath | None = None
    columns: tuple[Column, ...] = ()


def relaxed(expression: str) -> str:
    """kubectl's RelaxedJSONPathExpression: `.a.b`, `a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`."""
    if not expression:
        return expression
    match = _RELAXED.match(expression)
    if match is None:
        raise UsageError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
                         "'{name1.name2}' or '{.name1.name2}'")
    return "{.%s}" % (match.group(1) or match.group(2))


def _compile(template: str, what: str) -> JSONPath:
    try:
        return JSONPath(template, allow_missing=True)
    except JSONPathError as exc:
        raise UsageError(f"error parsing {what} {template}, {exc}") from None


def parse_output(text: str, plain: tuple[str, ...]) -> Output:
    """`-o` as kubectl reads it; `plain` lists the formats without a template."""
    name, sep, value = text.partition("=")
    if not sep:
        if text in plain:
            return Output(text)
        if text in TEMPLATE_FORMATS:
            raise UsageError(f"{text} format specified but no template given")
        raise UsageError(f"unable to match a printer suitable for the output format \"{text}\", allowed "
                         f"formats are: {','.join((*plain, *TEMPLATE_FORMATS))}")
    if name in ("jsonpath-file", "custom-columns-file"):
        try:
            with open(value, encoding="utf-8") as handle:
                value = handle.read()
        except OSError as exc:
            raise UsageError(f"error reading template {value}, {exc.strerror or exc}") from None
    if name in ("jsonpath", "jsonpath-file"):
        return Output("jsonpath", jsonpath=_compile(value, "jsonpath"))
    if name == "custom-columns":
        return Output("custom-columns", columns=custom_columns(value))
    if name == "custom-columns-file":
        return Output("custom-columns", columns=columns_file(value))
    raise UsageError(f"unable to match a printer suitable for the output format \"{text}\", allowed formats "
                     f"are: {','.join((*plain, *TEMPLATE_FORMATS))}")


def custom_columns(spec: str) -> tuple[Column, ...]:
    """`NAME:.metadata.name,IMAGE:.spec.containers[*].image`."""
    if not spec:
        raise UsageError("custom-columns format specified but no custom columns given")
    out = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise UsageError(f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        out.append(Column(header, _compile(relaxed(path), "jsonpath")))
    return tuple(out)


def columns_file(text: str) -> tuple[Column, ...]:
    """The file form: a line of headers, then a line of paths, separated by whitespace."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 2:
        raise UsageError(f"unexpected lines in custom columns file: expected 2, got {len(lines)}")
    headers, paths = lines[0].split(), lines[1].split()
    if len(headers) != len(paths):
        raise UsageError(f"expected {len(headers)} values in the paths line, found {len(paths)}")
    return tuple(Column(h, _compile(relaxed(p), "jsonpath")) for h, p in zip(headers, paths, strict=True))


def column_cells(columns: tuple[Column, ...], obj: Any) -> list[str]:
    """One object's row of custom columns."""
    row = []
    for column in columns:
        try:
            found = column.path.find(obj)
        except JSONPathError:
            found = []
        values = [go_value(v) for results in found for v in results]
        row.append(",".join(values) if values else "<none>")
    return row


def execute(path: JSONPath, doc: Any) -> str:
    """A jsonpath template's text for `doc`; UsageError with kubectl's wording when it fails."""
    try:
        return path.execute(doc)
    except JSONPathError as exc:
        raise UsageError(f'error executing jsonpath "{path.template}": Error executing template: {exc}. '
                         "Printing more information for debugging the template:\n"
                         f"\ttemplate was:\n\t\t{path.template}") from None


def sort_by(objects: list[Any], expression: str, key: Any = lambda o: o) -> list[Any]:
    """`--sort-by`: stable, by the first value the path finds in each object (missing first)."""
    path = _compile(relaxed(expression), "jsonpath")

    def value(item: Any) -> tuple[int, Any]:
        try:
            found = [v for results in path.find(key(item)) for v in results]
        except JSONPathError:
            found = []
        if not found:
            return (0, 0)
        first = found[0]
        if isinstance(first, bool):
            return (1, int(first))
        if isinstance(first, int | float):
            return (2, first)
        return (3, go_value(first))

    return sorted(objects, key=value)
