"""The semantic rules see only what the schema accepted, decoded as the API server decodes it.

The first table is the class of input that crashed rules before (`internal error`, exit 3): a value
of the wrong type where a rule reads one. Each now gets the schema's diagnostic, once, and nothing
else about that value.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kapply.validate.accepted import check_object, rule_view
from kapply.validate.decoding import decoded, zero_value
from kapply.validate.schema import default_validator


def deployment() -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{
                                      "name": "web", "image": "nginx",
                                      "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
                                      "volumes": [{"name": "v", "emptyDir": {}}]}}}}


def service() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}


def secret() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "Opaque"}


def at(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    cursor: Any = out
    for key in keys[:-1]:
        cursor = cursor[key]
    cursor[keys[-1]] = value
    return out


TPL = "spec.template.spec"


@pytest.mark.parametrize(("obj", "field", "expected"), [
    (at(deployment(), "spec.selector.matchLabels", "app=web"), "spec.selector.matchLabels", "object"),
    (at(deployment(), "spec.selector.matchLabels", 7), "spec.selector.matchLabels", "object"),
    (at(deployment(), f"{TPL}.volumes.0.name", ["v"]), f"{TPL}.volumes[0].name", "string"),
    (at(deployment(), f"{TPL}.volumes.0.name", {"v": 1}), f"{TPL}.volumes[0].name", "string"),
    (at(deployment(), f"{TPL}.containers.0.volumeMounts.0.name", ["v"]),
     f"{TPL}.containers[0].volumeMounts[0].name", "string"),
    (at(service(), "spec.ports.0.port", {"n": 80}), "spec.ports[0].port", "integer"),
    (at(service(), "spec.ports.0.port", []), "spec.ports[0].port", "integer"),
    (at(secret(), "type", ["Opaque"]), "type", "string"),
    (at(secret(), "type", {}), "type", "string"),
])
def test_a_value_of_the_wrong_type_is_the_schemas_error_alone(obj: dict[str, Any], field: str,
                                                              expected: str) -> None:
    checked = check_object(obj, default_validator())
    messages = [f"{'.'.join(map(str, i.path))}: {i.message}" for i in checked.issues] + \
        [str(f) for f in checked.findings if f.severity == "error"]
    assert len(messages) == 1, messages
    assert f"{field.replace('[', '.').replace(']', '')}: " in messages[0]
    assert f"must be of type {expected}" in messages[0]


def test_rules_run_when_every_value_is_well_typed() -> None:
    # an unknown field (dropped from the rules' view) and a bad name: both reported
    obj = at(at(service(), "spec.portz", 1), "metadata.name", "Bad_Name")
    checked = check_object(obj, default_validator())
    assert [i.message for i in checked.issues] == ['unknown field "spec.portz"']
    assert [f.rule for f in checked.findings] == ["name-format"]
    # an ill-typed value: the schema's word only, as the API server's decoder stops there
    checked = check_object(at(obj, "spec.ports.0.port", "eighty"), default_validator())
    assert len(checked.issues) == 2 and checked.findings == []


def test_an_out_of_range_int_is_refused_and_hidden_from_the_rules() -> None:
    checked = check_object(at(deployment(), "spec.replicas", 2**31), default_validator())
    assert [(i.rule, i.message) for i in checked.issues] == [("decode", (
        "json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas "
        "of type int32"))]
    assert checked.findings == []


def test_the_view_drops_unknown_fields_and_decodes() -> None:
    obj = {"apiVersion": "v1", "kind": "Service", "spec": {"portz": 1, "ports": [{"port": 8.0}], "x": None}}
    view = rule_view(obj, [("spec", "portz")], default_validator())
    assert view == {"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 8}]}}
    assert obj["spec"]["portz"] == 1 and obj["spec"]["ports"] == [{"port": 8.0}]  # the document untouched


def test_decoding_as_go_does() -> None:
    schemas = default_validator()
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "labels": {"x": None}},
           "spec": {"ports": [None, {"port": 80.0, "name": None}], "selector": None, "clusterIPs": [None]}}
    assert schemas.decoded(obj) == {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "labels": {"x": ""}},
        "spec": {"ports": [{}, {"port": 80}], "clusterIPs": [""]}}
    plain = service()
    assert schemas.decoded(plain) is plain  # nothing to decode: no copy
    assert decoded({"a": 1.5, "b": None}, {"properties": {"a": {"type": "integer"}}}, {}) == {"a": 1.5}
    assert [zero_value(s) for s in ({"type": ["object", "null"]}, {"type": "string"}, {"type": "boolean"},
                                    {"oneOf": [{"type": "string"}, {"type": "integer"}]}, {})] == \
        [{}, "", False, 0, None]
