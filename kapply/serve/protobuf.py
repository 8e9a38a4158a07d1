"""Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) decoded to JSON objects.

kubectl's typed clients send them (`kubectl create deployment`, `kubectl drain`'s evictions). The
envelope is the magic `k8s\\x00` and a `runtime.Unknown` (TypeMeta, raw bytes); the raw bytes are
the object in protobuf's wire format, whose field numbers and Go types come from the table
`scripts/gen_protobuf.py` extracted from k8s.io/api's struct tags (`protobuf.json.gz`). The
result is what the same object's JSON would be: a field the Go JSON encoder omits when empty
(`omitempty`, not a pointer) is dropped when its value is empty, a pointer field keeps its zero
(`replicas: 0`), times become RFC 3339 strings, quantities and int-or-strings their JSON forms,
`[]byte` base64. Answers are always JSON (clients ask for protobuf *or* JSON).
"""

from __future__ import annotations

import base64
import gzip
import json
import struct
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from kapply.serve.status import bad_request

MAGIC = b"k8s\x00"
TABLE = Path(__file__).with_name("protobuf.json.gz")
_EMPTY = ("", 0, False)


@cache
def _types() -> dict[str, dict[int, tuple[str, str, str]]]:
    raw = json.loads(gzip.decompress(TABLE.read_bytes()))["types"]
    return {name: {num: (js, code, flags) for num, js, code, flags in fields} for name, fields in raw.items()}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def fields(data: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) of one message: ints for varint / fixed, bytes for the rest."""
    out, pos = [], 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > len(data):
            raise ValueError("truncated field")
        out.append((number, wire, value))
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _go_duration(nanos: int) -> str:
    """time.Duration's String(): 1h2m3.5s, 150ms, 0s."""
    if nanos == 0:
        return "0s"
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return f"{sign}{nanos / size:g}{unit}"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = f"{rest / 1e9:.9f}".rstrip("0").rstrip(".")
    text = (f"{hours}h{minutes}m" if hours else f"{minutes}m" if minutes else "") + f"{seconds}s"
    return sign + text


def _special(code: str, data: bytes) -> Any:
    parts = {n: v for n, _, v in fields(data)}
    if code in ("time", "microtime"):
        seconds, nanos = _signed(parts.get(1, 0)), parts.get(2, 0)
        if not seconds and not nanos:
            return None
        moment = datetime.fromtimestamp(seconds, UTC)
        if code == "time":
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    if code == "duration":
        return _go_duration(_signed(parts.get(1, 0)))
    if code == "quantity":
        return parts.get(1, b"").decode()
    if code == "intorstring":
        return parts.get(3, b"").decode() if parts.get(1, 0) == 1 else _signed(parts.get(2, 0))
    raw = parts.get(1, b"")
    return json.loads(raw) if raw else None  # raw, fieldsv1: JSON inside


def _scalar(code: str, wire: int, value: Any) -> Any:
    if code.startswith("msg:"):
        return message(code[4:], value)
    if code in ("string",):
        return value.decode() if isinstance(value, bytes) else str(value)
    if code == "bytes":
        return base64.b64encode(value).decode()
    if code == "bool":
        return bool(value)
    if code in ("int32", "int64"):
        return _signed(value) if isinstance(value, int) else struct.unpack("<q", value.ljust(8, b"\0"))[0]
    if code == "float64":
        return struct.unpack("<d", value)[0] if isinstance(value, bytes) else float(value)
    return _special(code, value)


def _packed(code: str, data: bytes) -> list[Any]:
    values, pos = [], 0
    while pos < len(data):
        value, pos = _varint(data, pos)
        values.append(_scalar(code, 0, value))
    return values


def _map_entry(code: str, data: bytes) -> tuple[Any, Any]:
    _, key_code, value_code = code.split(":", 2)
    parts = {n: (w, v) for n, w, v in fields(data)}
    key = _scalar(key_code, *parts[1]) if 1 in parts else ""
    repeated = value_code.endswith("[]")
    value_code = value_code.removesuffix("[]")
    if repeated:
        values = [_scalar(value_code, w, v) for n, w, v in fields(data) if n == 2]
        return key, values
    if 2 not in parts:
        return key, "" if value_code in ("string", "bytes") else None
    return key, _scalar(value_code, *parts[2])


def message(name: str, data: bytes) -> dict[str, Any]:
    """One message of type `name` ("apps/v1.DeploymentSpec") as its JSON object."""
    spec = _types().get(name)
    if spec is None:
        raise ValueError(f"no protobuf description of {name}")
    out: dict[str, Any] = {}
    seen: dict[str, tuple[str, str]] = {}
    for number, wire, value in fields(data):
        entry = spec.get(number)
        if entry is None:
            continue  # a field this version does not know: dropped, as a strict decoder would not see it
        js, code, flags = entry
        if code.startswith("map:"):
            key, item = _map_entry(code, value)
            out.setdefault(js, {})[key] = item
        elif "r" in flags:
            if wire == 2 and code in ("int32", "int64", "bool"):
                out.setdefault(js, []).extend(_packed(code, value))
            else:
                out.setdefault(js, []).append(_scalar(code, wire, value))
        elif "i" in flags:
            out.update(_scalar(code, wire, value))
            continue
        else:
            out[js] = _scalar(code, wire, value)
        seen[js] = (flags, code)
    for js, (field_flags, field_code) in seen.items():
        if "p" not in field_flags and (
            out[js] is None or ("o" in field_flags and _empty(out[js], field_code))
        ):
            del out[js]
    return out


def _empty(value: Any, code: str) -> bool:
    """encoding/json's omitempty: false, 0, "", empty slices and maps; a struct is never empty."""
    if code.startswith("msg:") and isinstance(value, dict):
        return False
    if isinstance(value, (list, dict)):
        return not value
    return any(value == e and type(value) is type(e) for e in _EMPTY)


def package_of(api_version: str) -> str:
    """`apps/v1` -> `apps/v1`, `v1` -> `core/v1`: the table's package names."""
    return api_version if "/" in api_version else f"core/{api_version}"


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf request body as the JSON object it stands for; 400 when it is not one."""
    if not body.startswith(MAGIC):
        raise bad_request("the protobuf body does not start with the Kubernetes magic number")
    try:
        envelope = {n: v for n, _, v in fields(body[len(MAGIC) :])}
        type_meta = {n: v for n, _, v in fields(envelope.get(1, b""))}
        api_version = type_meta.get(1, b"").decode()
        kind = type_meta.get(2, b"").decode()
        if not kind:
            raise ValueError("no kind in the envelope")
        obj = message(f"{package_of(api_version)}.{kind}", envelope.get(2, b""))
    except (ValueError, KeyError, UnicodeDecodeError, struct.error) as exc:
        raise bad_request(f"error decoding the protobuf body: {exc}") from None
    return {"apiVersion": api_version, "kind": kind, **obj}
