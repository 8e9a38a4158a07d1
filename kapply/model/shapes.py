"""Typed reads of untrusted JSON-shaped objects: a field that is not of the shape asked for reads
as empty, so rules and controllers walk manifests without a type check at every step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def mapping(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`obj[key]` when it is a mapping, else {}."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def text(obj: Mapping[str, Any], key: str) -> str:
    """`obj[key]` when it is a string, else ""."""
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def sequence(obj: Mapping[str, Any], key: str) -> list[Any]:
    """`obj[key]` when it is a list, else []."""
    value = obj.get(key)
    return value if isinstance(value, list) else []
