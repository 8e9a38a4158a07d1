"""JSON patch (RFC 6902): add, remove, replace, move, copy, test on a JSON document.

The API server applies `application/json-patch+json` bodies with evanphx/json-patch (v4); its
error texts are reproduced (`add operation does not apply: doc is missing path: "/spec/x":
missing value`), and a failing operation is a 422 as the API server answers. A malformed patch
(not a list of operations, an unknown op) is a 400. Pure: returns a new document.
"""

from __future__ import annotations

import copy
from typing import Any

from kapply.errors import BadRequestError, InvalidError

MAX_OPERATIONS = 10000  # the API server's maxJSONPatchOperations


class PatchFailed(InvalidError):
    """An operation did not apply (HTTP 422, as `NewGenericServerResponse(422, ...)`)."""


def _decode(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise BadRequestError(f"invalid JSON pointer {pointer!r}: must start with /")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _index(key: str, size: int, *, append: bool) -> int:
    if append and key == "-":
        return size
    try:
        idx = int(key)
    except ValueError:
        raise PatchFailed(f"value was not a proper array index: '{key}'") from None
    if idx < 0 or idx > size or (idx == size and not append):
        raise PatchFailed(f"Unable to access invalid index: {idx}: invalid index referenced")
    return idx


def _parent(doc: Any, parts: list[str]) -> Any:
    """The container holding the last part, or None when the path does not exist."""
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list):
            try:
                idx = int(part)
            except ValueError:
                return None
            if not 0 <= idx < len(node):
                return None
            node = node[idx]
        else:
            return None
    return node if isinstance(node, dict | list) else None


def _get(doc: Any, parts: list[str]) -> tuple[bool, Any]:
    if not parts:
        return True, doc
    parent = _parent(doc, parts)
    key = parts[-1]
    if isinstance(parent, dict):
        return (key in parent), parent.get(key)
    if isinstance(parent, list):
        try:
            idx = int(key)
        except ValueError:
            return False, None
        if 0 <= idx < len(parent):
            return True, parent[idx]
    return False, None


def _add(doc: Any, path: str, value: Any, op: str = "add") -> Any:
    parts = _decode(path)
    if not parts:
        return value
    parent = _parent(doc, parts)
    if parent is None:
        raise PatchFailed(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    key = parts[-1]
    if isinstance(parent, dict):
        parent[key] = value
    else:
        parent.insert(_index(key, len(parent), append=True), value)
    return doc


def _remove(doc: Any, path: str, op: str = "remove") -> tuple[Any, Any]:
    parts = _decode(path)
    parent = _parent(doc, parts) if parts else None
    if parent is None:
        raise PatchFailed(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    key = parts[-1]
    if isinstance(parent, dict):
        if key not in parent:
            raise PatchFailed(f"error in {op} for path: '{path}': Unable to remove nonexistent key: "
                              f"{key}: missing value")
        return doc, parent.pop(key)
    idx = _index(key, len(parent), append=False)
    return doc, parent.pop(idx)


def json_patch(doc: Any, operations: Any) -> Any:
    """Apply RFC 6902 `operations` to a copy of `doc`."""
    if not isinstance(operations, list):
        raise BadRequestError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    if len(operations) > MAX_OPERATIONS:
        raise BadRequestError(f"The allowed maximum operations in a JSON patch is {MAX_OPERATIONS}, "
                              f"got {len(operations)}")
    doc = copy.deepcopy(doc)
    for operation in operations:
        if not isinstance(operation, dict):
            raise BadRequestError("json: cannot unmarshal array into Go value of type jsonpatch.Operation")
        op = operation.get("op")
        path = operation.get("path")
        if not isinstance(path, str):
            raise PatchFailed(f"{op} operation failed to decode path: missing value")
        if op in ("add", "replace", "test") and "value" not in operation:
            raise PatchFailed("operation, missing value field: missing value")
        value = copy.deepcopy(operation.get("value"))
        if op == "add":
            doc = _add(doc, path, value)
        elif op == "remove":
            doc, _ = _remove(doc, path)
        elif op == "replace":
            parts = _decode(path)
            if not parts:
                doc = value
                continue
            found, _ = _get(doc, parts)
            if not found:
                raise PatchFailed(f"replace operation does not apply: doc is missing key: {path}: "
                                  "missing value")
            parent = _parent(doc, parts)
            if isinstance(parent, dict):
                parent[parts[-1]] = value
            else:
                parent[int(parts[-1])] = value
        elif op in ("move", "copy"):
            source = operation.get("from")
            if not isinstance(source, str):
                raise PatchFailed(f"{op} operation failed to decode from: missing value")
            found, moved = _get(doc, _decode(source))
            if not found:
                raise PatchFailed(f"{op} operation does not apply: doc is missing from path: {source}: "
                                  "missing value")
            if op == "move":
                doc, moved = _remove(doc, source, "move")
            doc = _add(doc, path, copy.deepcopy(moved), op)
        elif op == "test":
            found, current = _get(doc, _decode(path))
            if not found and value is not None:
                raise PatchFailed(f"test operation does not apply: is missing path: {path}: missing value")
            if found and not _json_equal(current, value):
                raise PatchFailed(f"testing value {path} failed: test failed")
        else:
            raise BadRequestError(f"Unexpected kind: {op}")
    return doc


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
