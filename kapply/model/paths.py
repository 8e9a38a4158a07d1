"""Field paths as Kubernetes prints them: `spec.containers[0].image`, `labels[app.kubernetes.io/name]`.

One renderer for every layer (diagnostics, plan changes, the embedded API server's errors), so a
field is spelled the same wherever kapply names it.
"""

from __future__ import annotations

from collections.abc import Iterable

FieldPath = tuple[str | int, ...]

_PLAIN_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-$")


def format_path(path: Iterable[str | int]) -> str:
    """Render a field path the way Kubernetes' field.Path does.

    Map keys that are not plain field names (label keys such as `app.kubernetes.io/name`) render
    in brackets, as `field.Path.Key` does: `metadata.labels[app.kubernetes.io/name]`.
    """
    parts: list[str] = []
    for element in path:
        if isinstance(element, int):
            parts.append(f"[{element}]")
        elif element and all(c in _PLAIN_KEY_CHARS for c in element):
            parts.append(f".{element}" if parts else element)
        else:
            parts.append(f"[{element}]")
    return "".join(parts)
