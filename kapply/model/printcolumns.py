"""A custom kind's table: its CRD's additionalPrinterColumns, as the apiextensions server's table
convertor builds it (pkg/registry/customresource/tableconvertor/tableconvertor.go).

NAME first, then each column (priority > 0 only with `-o wide`); a CRD without columns gets
`AGE`. A cell is the column's JSONPath result: a `string` column prints it as JSONPath prints, the
other types take it only if it has their type (`integer`, `number`, `boolean`), a `date` is shown
as an age; nothing found is `<none>`, as kubectl prints an empty cell.
"""

from __future__ import annotations

from typing import Any

from kapply.model.columns import Columns, name_of, parse_time
from kapply.model.durations import human_duration
from kapply.model.jsonpath import JSONPath, JSONPathError, go_value, to_text
from kapply.model.kinds import KindInfo, PrinterColumn

Obj = dict[str, Any]
AGE = PrinterColumn("Age", ".metadata.creationTimestamp", "date")
NONE = "<none>"


def _template(json_path: str) -> str:
    path = json_path.strip()
    return path if path.startswith("{") else "{" + path + "}"


def cell(column: PrinterColumn, obj: Obj, now: float) -> str:
    """One cell of a column for an object."""
    try:
        results = JSONPath(_template(column.json_path)).find(obj)
    except JSONPathError:
        return NONE
    if not results or not results[0]:
        return NONE
    value = results[0][0]
    if column.type == "string":
        return to_text(value)
    if column.type == "integer":
        whole = isinstance(value, float) and value.is_integer()
        return str(int(value)) if (isinstance(value, int) and not isinstance(value, bool)) or whole else NONE
    if column.type == "number":
        return go_value(value) if isinstance(value, int | float) and not isinstance(value, bool) else NONE
    if column.type == "boolean":
        return go_value(value) if isinstance(value, bool) else NONE
    if column.type == "date":
        when = parse_time(value) if isinstance(value, str) else None
        return NONE if when is None else human_duration(now - when)
    return to_text(value)


def custom_columns(info: KindInfo) -> Columns:
    """The Columns of a custom kind (its printer columns, or NAME and AGE)."""
    columns = info.printer_columns or (AGE,)
    normal = [c for c in columns if c.priority <= 0]
    extra = [c for c in columns if c.priority > 0]

    def row(obj: Obj, now: float) -> list[str]:
        return [name_of(obj), *(cell(c, obj, now) for c in normal)]

    def wide(obj: Obj, now: float) -> list[str]:
        return [cell(c, obj, now) for c in extra]

    return Columns(("NAME", *(c.name.upper() for c in normal)), row, tuple(c.name.upper() for c in extra),
                   wide if extra else None)

