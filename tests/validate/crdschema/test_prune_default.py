"""Pruning and defaulting of structural schemas (apiextensions-apiserver pkg/apiserver/schema/pruning
and defaulting), the cases of their algorithm_test.go tables that apply here."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.crdschema.defaulting import apply_defaults
from kapply.validate.crdschema.prune import prune

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {"type": "object", "properties": {
            "a": {"type": "string", "default": "A"},
            "nested": {"type": "object", "default": {},
                       "properties": {"b": {"type": "integer", "default": 2}}},
            "list": {"type": "array", "items": {"type": "object", "properties": {
                "c": {"type": "string", "default": "C"}}}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                     "properties": {"typed": {"type": "object", "properties": {"x": {"type": "string"}}}}},
            "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "y": {"type": "string"}}}},
            "embedded": {"type": "object", "x-kubernetes-embedded-resource": True,
                         "x-kubernetes-preserve-unknown-fields": True},
            "port": {"x-kubernetes-int-or-string": True},
            "nullable": {"type": "string", "nullable": True},
            "plain": {"type": "string"},
        }},
    },
}


@pytest.mark.parametrize(("spec", "pruned", "kept"), [
    ({"unknown": 1}, ["spec.unknown"], {}),
    ({"free": {"anything": 1, "typed": {"x": "1", "z": 2}}}, ["spec.free.typed.z"],
     {"free": {"anything": 1, "typed": {"x": "1"}}}),
    ({"map": {"k": {"y": "1", "z": 2}}}, ["spec.map.k.z"], {"map": {"k": {"y": "1"}}}),
    ({"list": [{"c": "x", "d": 1}]}, ["spec.list[0].d"], {"list": [{"c": "x"}]}),
    ({"embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}}, [],
     {"embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}}),
    ({"port": {"weird": 1}}, [], {"port": {"weird": 1}}),
])
def test_prune(spec: dict[str, Any], pruned: list[str], kept: dict[str, Any]) -> None:
    obj = {"apiVersion": "x.io/v1", "kind": "X", "metadata": {"name": "n"}, "spec": spec, "status": {"s": 1}}
    assert prune(obj, SCHEMA) == [*pruned, "status"]  # the schema declares no status
    assert obj["spec"] == kept
    assert obj["metadata"] == {"name": "n"}  # the root keeps its type and object meta


@pytest.mark.parametrize(("spec", "defaulted"), [
    ({}, {"a": "A", "nested": {"b": 2}}),  # a default's own defaults apply
    ({"a": "mine", "nested": {"b": 5}}, {"a": "mine", "nested": {"b": 5}}),
    ({"a": None}, {"a": "A", "nested": {"b": 2}}),  # null where null is not allowed takes the default
    ({"plain": None, "nullable": None}, {"a": "A", "nested": {"b": 2}, "nullable": None}),
    ({"list": [{}, {"c": "x"}]}, {"a": "A", "nested": {"b": 2}, "list": [{"c": "C"}, {"c": "x"}]}),
])
def test_defaults(spec: dict[str, Any], defaulted: dict[str, Any]) -> None:
    obj = {"spec": spec}
    apply_defaults(obj, SCHEMA)
    assert obj["spec"] == defaulted
