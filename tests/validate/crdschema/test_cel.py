"""CEL rules through cel-python: the Kubernetes subset kapply evaluates, what it reports, and what it
leaves unevaluated (with a warning). Rule shapes from the Kubernetes documentation's validation-rules
examples (tasks/extend-kubernetes/custom-resources/custom-resource-definitions)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.crdschema.cel import not_evaluated, parse_errors, validate_rules


def rules(*entries: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "object", "x-kubernetes-validations": list(entries), "properties": props}


SPEC = {
    "minReplicas": {"type": "integer"}, "replicas": {"type": "integer"}, "maxReplicas": {"type": "integer"},
    "name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}}, "ratio": {"type": "number"},
}
OK = {"minReplicas": 1, "replicas": 3, "maxReplicas": 5, "name": "web-1", "tags": ["a", "b"],
      "labels": {"team": "x"}, "ratio": 1}


@pytest.mark.parametrize("rule", [
    "self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas",
    "has(self.name) && self.name.matches('^[a-z]+-[0-9]+$')",
    "self.tags.all(t, size(t) == 1)",
    "self.tags.exists(t, t == 'b') && !self.tags.exists_one(t, t == 'z')",
    "'team' in self.labels && self.labels.all(k, k.startsWith('t'))",
    "self.tags.map(t, t + '!').size() == 2 && self.tags.filter(t, t == 'a').size() == 1",
    "self.name.lowerAscii() == self.name && self.name.split('-').size() == 2",
    "self.tags.join(',') == 'a,b' && self.tags.isSorted()",
    "self.ratio == 1.0",  # a number field's integral value is a double, as Kubernetes types it
    "!has(self.missing)",
    "self.replicas < 10 ? true : false",
])
def test_rules_that_hold(rule: str) -> None:
    assert validate_rules(OK, None, rules({"rule": rule}, **SPEC), "spec") == []


def test_a_failed_rule_reports_its_message_or_the_rule() -> None:
    schema = rules({"rule": "self.replicas <= self.maxReplicas", "message": "replicas must not exceed max"},
                   {"rule": "self.minReplicas < self.replicas"}, **SPEC)
    bad = dict(OK, replicas=9, minReplicas=9)
    assert validate_rules(bad, None, schema, "spec") == [
        ("spec", 'Invalid value: "object": replicas must not exceed max'),
        ("spec", 'Invalid value: "object": failed rule: self.minReplicas < self.replicas'),
    ]


def test_reason_and_field_path_shape_the_error() -> None:
    schema = rules({"rule": "has(self.name)", "reason": "FieldValueRequired", "fieldPath": ".name",
                    "message": "a name is required"}, **SPEC)
    assert validate_rules({}, None, schema, "spec") == [("spec.name", "Required value: a name is required")]


def test_a_root_rule_prints_the_empty_path() -> None:
    assert validate_rules({"a": 1}, None, rules({"rule": "self.a == 2"}), "") == [
        ("<nil>", 'Invalid value: "object": failed rule: self.a == 2')]


def test_transition_rules_compare_with_the_old_value_on_updates_only() -> None:
    schema = rules({"rule": "self.replicas >= oldSelf.replicas", "message": "no scaling down"}, **SPEC)
    assert validate_rules(dict(OK, replicas=1), None, schema, "spec") == []  # create: no old value
    assert validate_rules(dict(OK, replicas=1), OK, schema, "spec") == [
        ("spec", 'Invalid value: "object": no scaling down')]


def test_rules_on_items_and_nested_fields() -> None:
    schema = {"type": "object", "properties": {"ports": {"type": "array", "items": rules(
        {"rule": "self.port > 1024", "message": "unprivileged ports only"}, port={"type": "integer"})}}}
    assert validate_rules({"ports": [{"port": 8080}, {"port": 80}]}, None, schema, "spec") == [
        ("spec.ports[1]", 'Invalid value: "object": unprivileged ports only')]


def test_a_runtime_error_is_an_invalid_value() -> None:
    found = validate_rules({}, None, rules({"rule": "self.replicas > 1"}), "spec")
    assert len(found) == 1 and found[0][1].startswith(
        'Invalid value: "object": failed rule: self.replicas > 1: ')


def test_functions_outside_the_evaluated_subset_are_warned_about_and_pass() -> None:
    schema = rules({"rule": "quantity(self.size).isLessThan(quantity('1Gi'))"}, size={"type": "string"})
    assert validate_rules({"size": "2Gi"}, None, schema, "spec") == []
    assert not_evaluated(schema) == [
        'x-kubernetes-validations rule "quantity(self.size).isLessThan(quantity(\'1Gi\'))" is not '
        "evaluated by the embedded cluster (it calls isLessThan, quantity)"]


def test_a_rule_that_does_not_parse_is_found() -> None:
    schema = {"type": "object", "properties": {"spec": rules({"rule": "self.replicas >"})}}
    [(path, rule, error)] = parse_errors(schema)
    assert path == "properties[spec].x-kubernetes-validations[0].rule" and rule == "self.replicas >" and error
