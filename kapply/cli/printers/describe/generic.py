"""The describer for every kind without its own: kubectl's genericDescriber.

Name, Namespace, Labels and Annotations, then the whole object (apiVersion, kind, the rest of
metadata, spec, status...) as indented `Smart Label:  value` lines, keys sorted, as kubectl's
printUnstructuredContent does (`creationTimestamp` -> `Creation Timestamp`, `uid` -> `UID`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    describe_events,
    go_value,
    labels_multiline,
    meta,
)

_SKIP = frozenset({".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
                   ".metadata.annotations"})
_ACRONYMS = frozenset({"API", "URL", "UID", "OSB", "GUID"})
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^A-Za-z0-9]+")


def smart_label(field: str) -> str:
    """smartLabelFor: `apiVersion` -> `API Version`; fields with other than letters and `-` verbatim."""
    if not field or any(not (ch.isalpha() or ch == "-") for ch in field):
        return field
    parts = []
    for part in _CAMEL.findall(field):
        if part == "_":
            continue
        parts.append(part.upper() if part.upper() in _ACRONYMS else part[:1].upper() + part[1:])
    return " ".join(parts)


def _content(w: PrefixWriter, level: int, content: Mapping[str, Any], prefix: str) -> None:
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in _SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _content(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_value(value)}\n")


def describe_generic(obj: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                     now: float) -> str:
    """kubectl describe for kinds without a dedicated describer."""
    w = PrefixWriter()
    md = meta(obj)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    _content(w, 0, obj, "")
    describe_events(w, events, now)
    return w.render()
