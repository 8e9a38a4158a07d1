"""How `kapply get` prints what it found, in every `-o` format, once or change by change (`-w`).

Tables are kubectl's columns per kind (`columns.py`), with `NAMESPACE` first under `-A`, the
`-L` label columns and `--show-labels` last, headers unless `--no-headers`; several kinds print
one table each, names prefixed with the kind. Under `-w` each change prints one more row, aligned
to the first table, or one more object (`-o yaml` separates them with `---`, as kubectl does).
"""

from __future__ import annotations

import json
import posixpath
import sys
from typing import Any

from kapply.cli.printers.templates import Output, column_cells, execute


class Printer:
    def __init__(self, output: Output, *, all_namespaces: bool = False, show_labels: bool = False,
                 label_columns: list[str] | None = None, no_headers: bool = False) -> None:
        self.output = output
        self.all_namespaces = all_namespaces
        self.show_labels = show_labels
        self.label_columns = label_columns or []
        self.no_headers = no_headers
        self._widths: list[int] | None = None  # of the table printed first, for -w rows
        self._printed = 0  # objects printed so far (yaml separators)

    @property
    def names_only(self) -> bool:
        return self.output.format == "name"

    @property
    def says_none(self) -> bool:
        """Whether an empty result gets `No resources found` (not for machine formats)."""
        return self.output.format in ("text", "wide", "custom-columns")

    @staticmethod
    def qualified(info: Any) -> str:
        return f"{info.singular}.{info.group}" if info.group else info.singular

    def print(self, found: list[tuple[Any, dict[str, Any]]], now: float, *, several_kinds: bool = False,
              single: bool = False) -> None:
        fmt = self.output.format
        if fmt in ("json", "yaml", "jsonpath"):
            objs = [obj for _, obj in found]
            if single and not objs:
                return  # kubectl prints only the NotFound error
            doc: Any = objs[0] if single and objs else \
                {"apiVersion": "v1", "kind": "List", "items": objs, "metadata": {"resourceVersion": ""}}
            sys.stdout.write(self._document(doc))
        elif fmt == "name":
            sys.stdout.write("".join(f"{self.qualified(info)}/{obj['metadata']['name']}\n"
                                     for info, obj in found))
        elif fmt == "custom-columns":
            if found:
                headers = [c.header for c in self.output.columns]
                rows = [column_cells(self.output.columns, o) for _, o in found]
                sys.stdout.write(self._render(headers, rows))
        elif found:
            self._tables(found, now, several_kinds)

    def print_change(self, info: Any, obj: dict[str, Any], now: float) -> None:
        """One watch event."""
        fmt = self.output.format
        if fmt in ("json", "yaml", "jsonpath"):
            sys.stdout.write(self._document(obj))
        elif fmt == "name":
            sys.stdout.write(f"{self.qualified(info)}/{obj['metadata']['name']}\n")
        elif fmt == "custom-columns":
            cells = column_cells(self.output.columns, obj)
            sys.stdout.write(self._row(cells, [c.header for c in self.output.columns]))
        else:
            headers, rows = self._table(info.kind, [(info, obj)], now, False)
            sys.stdout.write(self._row(rows[0], headers))

    def _document(self, doc: Any) -> str:
        fmt = self.output.format
        if fmt == "jsonpath":
            assert self.output.jsonpath is not None
            return execute(self.output.jsonpath, doc)
        if fmt == "json":
            return json.dumps(doc, indent=4) + "\n"
        from kapply.cli.printers.goyaml import dump

        text = dump(doc)
        self._printed += 1
        return text if self._printed == 1 else "---\n" + text

    def _tables(self, found: list[tuple[Any, dict[str, Any]]], now: float, several_kinds: bool) -> None:
        groups: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
        for info, obj in found:
            groups.setdefault(info.kind, []).append((info, obj))
        chunks = [self._render(*self._table(kind, items, now, several_kinds))
                  for kind, items in groups.items()]
        sys.stdout.write("\n".join(chunks))

    def _table(self, kind: str, items: list[tuple[Any, dict[str, Any]]], now: float,
               several_kinds: bool) -> tuple[list[str], list[list[str]]]:
        from kapply.model.columns import columns_for
        from kapply.model.printcolumns import custom_columns

        wide = self.output.format == "wide"
        first = items[0][0]
        cols = custom_columns(first) if getattr(first, "custom", False) else columns_for(kind)
        namespaced = items[0][0].namespaced
        prefixed = self.all_namespaces and namespaced
        headers = list(cols.headers) + (list(cols.wide_headers) if wide else [])
        rows = []
        for info, obj in items:
            row = cols.row(obj, now) + (cols.wide(obj, now) if wide and cols.wide else [])
            if several_kinds and kind != "Event":
                row[0] = f"{self.qualified(info)}/{row[0]}"
            if prefixed:
                row.insert(0, obj["metadata"].get("namespace", ""))
            labels = obj["metadata"].get("labels") or {}
            row.extend(str(labels.get(key, "")) for key in self.label_columns)
            if self.show_labels:
                row.append(",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>")
            rows.append(row)
        if prefixed:
            headers.insert(0, "NAMESPACE")
        headers.extend(posixpath.basename(key).upper() for key in self.label_columns)
        if self.show_labels:
            headers.append("LABELS")
        return headers, rows

    def _render(self, headers: list[str], rows: list[list[str]]) -> str:
        from kapply.cli.printers.table import render_table

        shown = rows if self.no_headers else [headers, *rows]
        self._widths = [max([0, *(len(r[i]) for r in shown if i < len(r))]) for i in range(len(headers))]
        if not self.no_headers:
            return render_table(headers, rows)
        return "".join(self._row(row, headers) for row in rows)

    def _row(self, row: list[str], headers: list[str]) -> str:
        """One row aligned to the widths of the table printed first (widened where it must)."""
        widths = self._widths or [len(h) for h in headers]
        cells = [cell.ljust(widths[i] if i < len(widths) else 0) if i < len(row) - 1 else cell
                 for i, cell in enumerate(row)]
        return "   ".join(cells).rstrip() + "\n"
