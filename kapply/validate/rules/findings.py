"""The `Finding` a semantic rule reports, rendered exactly like kube-apiserver's `field.Error`.

Kubernetes prints a validation error as `<field path>: <type>[: <bad value>][: <detail>]`. The field
path is `spec.containers[0].ports[1].containerPort` (indexes) or `data[my key]` (map keys, unquoted).
The bad value is omitted for Required / Forbidden / Too long; otherwise it is rendered as
apimachinery 1.34 does: ints, floats and bools bare, strings Go-quoted (`%q`), anything composite
(a label map, a selector, an int-or-string) as compact Go JSON (sorted map keys, `<>&` escaped).
Rules build findings through `Errors`, a small accumulator that keeps rule modules short.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

INVALID = "Invalid value"
REQUIRED = "Required value"
UNSUPPORTED = "Unsupported value"
DUPLICATE = "Duplicate value"
FORBIDDEN = "Forbidden"
TOO_LONG = "Too long"
NOT_FOUND = "Not found"

_VALUE_OMITTED = frozenset({REQUIRED, FORBIDDEN, TOO_LONG})


class Key(str):
    """A map-key path element, printed `[key]` like field.Path.Key (e.g. `data[app.conf]`)."""

    __slots__ = ()


Path = tuple[str | int, ...]


def field_string(path: Path) -> str:
    """`('spec', 'ports', 0, 'nodePort')` -> `spec.ports[0].nodePort`."""
    parts: list[str] = []
    for element in path:
        if isinstance(element, (int, Key)):
            parts.append(f"[{element}]")
        elif parts:
            parts.append("." + element)
        else:
            parts.append(element)
    return "".join(parts)


_GO_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def go_quote(text: str) -> str:
    """Go's strconv.Quote (`%q`): printable runes kept, the rest escaped Go-style."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = ['"']
    for ch in text:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            if code < 0x80:
                out.append(f"\\x{code:02x}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def go_json(value: Any) -> str:
    """Go encoding/json of a decoded manifest value: compact, HTML-safe, dict order as given."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if any(c in text for c in "<>&\u2028\u2029"):
        text = (
            text.replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )
    return text


def render_value(value: Any) -> str:
    """The bad value as field.Error.ErrorBody prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, str):
        return go_quote(value)
    return go_json(value)


@dataclass(frozen=True)
class Finding:
    """One semantic error (or warning) in one object, position-free."""

    path: Path
    type: str
    value: Any
    detail: str
    rule: str
    severity: str = "error"

    @property
    def field(self) -> str:
        return field_string(self.path)

    @property
    def message(self) -> str:
        """`Invalid value: 70000: must be between 1 and 65535, inclusive` (a warning: just its text)."""
        if not self.type:
            return self.detail
        body = self.type if self.type in _VALUE_OMITTED else f"{self.type}: {render_value(self.value)}"
        return f"{body}: {self.detail}" if self.detail else body

    def __str__(self) -> str:
        """field.Error.Error(); a path-less warning is just its text, as kubectl prints it."""
        field = self.field
        return self.message if not field and not self.type else f"{field}: {self.message}"

    def __hash__(self) -> int:  # values may be dicts (label maps): hash what is printed
        return hash((self.path, self.type, render_value(self.value), self.detail, self.rule, self.severity))


class Errors:
    """Accumulates findings in order; one method per field.Error constructor."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def invalid(self, path: Path, value: Any, detail: str, rule: str) -> None:
        self.items.append(Finding(path, INVALID, value, detail, rule))

    def invalid_each(self, path: Path, value: Any, details: tuple[str, ...] | list[str], rule: str) -> None:
        for detail in details:
            self.items.append(Finding(path, INVALID, value, detail, rule))

    def required(self, path: Path, detail: str, rule: str) -> None:
        self.items.append(Finding(path, REQUIRED, "", detail, rule))

    def forbidden(self, path: Path, detail: str, rule: str) -> None:
        self.items.append(Finding(path, FORBIDDEN, "", detail, rule))

    def duplicate(self, path: Path, value: Any, rule: str) -> None:
        self.items.append(Finding(path, DUPLICATE, value, "", rule))

    def not_found(self, path: Path, value: Any, rule: str, detail: str = "") -> None:
        self.items.append(Finding(path, NOT_FOUND, value, detail, rule))

    def unsupported(self, path: Path, value: Any, supported: tuple[str, ...], rule: str) -> None:
        detail = "supported values: " + ", ".join(go_quote(s) for s in supported) if supported else ""
        self.items.append(Finding(path, UNSUPPORTED, value, detail, rule))

    def too_long(self, path: Path, max_bytes: int, rule: str) -> None:
        unit = "byte" if max_bytes == 1 else "bytes"
        self.items.append(Finding(path, TOO_LONG, "", f"may not be more than {max_bytes} {unit}", rule))
