"""Custom-resource validation messages: kube-openapi's texts (pkg/validation/errors/schema.go)
behind apiextensions' field errors (kubeOpenAPIResultToFieldErrors)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.crdschema.openapi import validate

INT = {"type": "integer"}


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


CASES = [
    (obj(n=INT), {"n": "3"}, [("n", 'Invalid value: "string": n in body must be of type integer: "string"')]),
    (obj(n=INT), {"n": 3.0}, []),  # an integral number decodes as an integer
    (obj(n=INT), {"n": 2.5}, [("n", 'Invalid value: "number": n in body must be of type integer: "number"')]),
    (obj(n={"type": "number"}), {"n": 2}, []),
    (obj(b={"type": "boolean"}), {"b": "true"},
     [("b", 'Invalid value: "string": b in body must be of type boolean: "string"')]),
    (obj(p={"x-kubernetes-int-or-string": True}), {"p": "http"}, []),
    (obj(p={"x-kubernetes-int-or-string": True}), {"p": 80}, []),
    (obj(p={"x-kubernetes-int-or-string": True}), {"p": True},
     [("p", 'Invalid value: "boolean": p in body must be of type integer,string: "boolean"')]),
    (obj(s={"type": "string", "nullable": True}), {"s": None}, []),
    ({"type": "object", "required": ["a", "b"], "properties": {"a": INT}}, {"a": 1},
     [("b", "Required value")]),
    (obj(e={"type": "string", "enum": ["Always", "Never"]}), {"e": "Sometimes"},
     [("e", 'Unsupported value: "Sometimes": supported values: "Always", "Never"')]),
    (obj(e={"type": "integer", "enum": [1, 2]}), {"e": 3},
     [("e", "Unsupported value: 3: supported values: 1, 2")]),
    (obj(s={"type": "string", "maxLength": 3}), {"s": "abcd"},
     [("s", "Too long: may not be more than 3 bytes")]),
    (obj(s={"type": "string", "minLength": 2}), {"s": "a"},
     [("s", 'Invalid value: "a": s in body should be at least 2 chars long')]),
    (obj(s={"type": "string", "pattern": "^[a-z]+$"}), {"s": "A1"},
     [("s", "Invalid value: \"A1\": s in body should match '^[a-z]+$'")]),
    (obj(n={"type": "integer", "maximum": 10, "exclusiveMaximum": True}), {"n": 10},
     [("n", "Invalid value: 10: n in body should be less than 10")]),
    (obj(n={"type": "number", "minimum": 0.5}), {"n": 0.25},
     [("n", "Invalid value: 0.25: n in body should be greater than or equal to 0.5")]),
    (obj(n={"type": "integer", "multipleOf": 5}), {"n": 7},
     [("n", "Invalid value: 7: n in body should be a multiple of 5")]),
    (obj(l={"type": "array", "items": INT, "maxItems": 2}), {"l": [1, 2, 3]},
     [("l", "Too many: 3: must have at most 2 items")]),
    (obj(l={"type": "array", "items": INT, "minItems": 1}), {"l": []},
     [("l", "Invalid value: 0: l in body should have at least 1 items")]),
    (obj(l={"type": "array", "items": {"type": "string"}}), {"l": ["a", 1]},
     [("l[1]", 'Invalid value: "integer": l[1] in body must be of type string: "integer"')]),
    (obj(l={"type": "array", "items": INT, "x-kubernetes-list-type": "set"}), {"l": [1, 2, 1]},
     [("l[2]", "Duplicate value: 1")]),
    (obj(l={"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
            "items": obj(name={"type": "string"})}), {"l": [{"name": "a"}, {"name": "a"}]},
     [("l[1]", 'Duplicate value: map[string]interface {}{"name":"a"}')]),
    (obj(m={"type": "object", "additionalProperties": INT}), {"m": {"a": 1, "b": "x"}},
     [("m.b", 'Invalid value: "string": m.b in body must be of type integer: "string"')]),
    (obj(t={"type": "string", "format": "date-time"}), {"t": "yesterday"},
     [("t", 'Invalid value: "yesterday": t in body must be of type date-time: "yesterday"')]),
    (obj(t={"type": "string", "format": "date-time"}), {"t": "2025-08-27T10:00:00Z"}, []),
    (obj(u={"type": "string", "format": "uuid"}), {"u": "nope"},
     [("u", 'Invalid value: "nope": u in body must be of type uuid: "nope"')]),
    (obj(n={"type": "integer", "oneOf": [{"minimum": 5}, {"maximum": 3}]}), {"n": 4},
     [("n", 'Invalid value: 4: "n" must validate one and only one schema (oneOf)')]),
]


@pytest.mark.parametrize(("schema", "value", "expected"), CASES)
def test_messages(schema: dict[str, Any], value: Any, expected: list[tuple[str, str]]) -> None:
    assert validate(value, schema) == expected
