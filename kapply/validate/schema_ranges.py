"""Integer ranges: what the API server's JSON decoder refuses that the schemas only hint at.

The OpenAPI schemas mark Go's `int32`/`int64` fields with `format: int32|int64`, a format neither
fastjsonschema nor jsonschema asserts (formats are annotations in the drafts they implement). The
API server does enforce them: it decodes the body into Go structs, and a number that does not fit
(`replicas: 3000000000`) fails decoding with encoding/json's message, which the API server returns
as a 400 (sigs.k8s.io/json, decode.go, `UnmarshalTypeError`):

    Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number
    3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32

`with_int_ranges` gives every such field `minimum`/`maximum` (and IntOrString, whose integer is an
int32, the same), so both validators refuse out-of-range values; `decode_message` words the refusal
as the decoder does: the Go struct holding the field, the JSON field path from the root (struct
fields only: no list indexes, no map keys), the number as kubectl sends it in JSON.
"""

from __future__ import annotations

from typing import Any

from kapply.model.gonum import go_json_number
from kapply.validate.decoding import resolve

INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


def _has_integer(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    return types == "integer" or (isinstance(types, list) and "integer" in types)


def with_int_ranges(schema: Any) -> Any:
    """A copy of `schema` where integer fields of format int32/int64 carry their range as bounds."""
    if isinstance(schema, list):
        return [with_int_ranges(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: with_int_ranges(value) for key, value in schema.items()}
    fmt = out.get("format")
    bounds = INT_RANGES.get(fmt) if isinstance(fmt, str) else None
    if bounds is not None and _has_integer(out):
        low, high = bounds
        out["minimum"] = max(low, out["minimum"]) if isinstance(out.get("minimum"), int | float) else low
        out["maximum"] = min(high, out["maximum"]) if isinstance(out.get("maximum"), int | float) else high
    return out


def ranged_definitions(definitions: dict[str, Any]) -> dict[str, Any]:
    """The built-in definitions with int ranges; IntOrString's integer is an int32 (intstr.IntVal)."""
    out = with_int_ranges(definitions)
    int_or_string = out.get(INT_OR_STRING)
    if isinstance(int_or_string, dict):
        low, high = INT_RANGES["int32"]
        out[INT_OR_STRING] = {**int_or_string, "format": "int32", "minimum": low, "maximum": high}
    return out


def is_range_error(keyword: str, schema: Any, bound: Any) -> str | None:
    """The Go integer type when a minimum/maximum error is one of the bounds added above."""
    if keyword not in ("minimum", "maximum") or not isinstance(schema, dict):
        return None
    fmt = schema.get("format")
    bounds = INT_RANGES.get(fmt) if isinstance(fmt, str) else None
    if bounds is None or bound != bounds[0 if keyword == "minimum" else 1]:
        return None
    return fmt


def go_field(root: dict[str, Any], kind: str, path: tuple[str | int, ...]) -> tuple[str, str]:
    """(Go struct, JSON field path) of the value at `path`, as encoding/json's error context has them."""
    definitions = root.get("$defs", {})
    node, owner, struct, fields = root, kind, kind, []
    for element in path:
        node, definition = resolve(node, definitions)
        owner = definition.rsplit(".", 1)[-1] if definition else owner
        properties = node.get("properties", {})
        if isinstance(element, str) and element in properties:
            struct = owner
            fields.append(element)
            node = properties[element]
        elif isinstance(element, int):
            node = node.get("items", {})
        else:
            extra = node.get("additionalProperties")
            node = extra if isinstance(extra, dict) else {}
    return struct, ".".join(fields)


def decode_message(root: dict[str, Any], kind: str, path: tuple[str | int, ...], value: Any,
                   go_type: str) -> str:
    """`json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas ...`."""
    struct, field = go_field(root, kind, path)
    return (f"json: cannot unmarshal number {go_json_number(value)} into Go struct field "
            f"{struct}.{field} of type {go_type}")


def api_decode_error(kind: str, api_version: str, message: str) -> str:
    """The API server's 400 around a decode error (handlers' transformDecodeError)."""
    version = api_version.rpartition("/")[2]
    return f'{kind} in version "{version}" cannot be handled as a {kind}: {message}'
