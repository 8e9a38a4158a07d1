"""The kind registry is the one place for what a kind is: every fact it states agrees with the
tables that act on it (defaulting, printing, readiness, the scale table, the controllers that write
statuses, the admission rules), and every fact it states is one Kubernetes has (the shipped
schemas say where a pod template is). A new kind that lacks one of them fails here; the README's
"Adding a kind" says what to add."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.apply import kstatus
from kapply.apply.readiness import RULES as READINESS
from kapply.cluster.sim.controllers import ACTS_ON
from kapply.cluster.sim.defaults import DEFAULTERS
from kapply.model.columns import COLUMNS, columns_for
from kapply.model.columns_more import MORE_COLUMNS
from kapply.model.kinds import REGISTRY, KindInfo
from kapply.model.scale import SCALABLE
from kapply.validate.rules import _KIND_CHECKS
from kapply.validate.schema import default_validator

KINDS = [pytest.param(info, id=f"{info.group or 'core'}/{info.kind}") for info in REGISTRY]
PRINTERS = ("columns", "default", "generic")
SUBRESOURCES = ("eviction", "log", "scale", "status")
POD_TEMPLATE = "io.k8s.api.core.v1.PodTemplateSpec"


@pytest.mark.parametrize("info", KINDS)
def test_defaults_are_where_the_registry_says(info: KindInfo) -> None:
    if info.group == "events.k8s.io":
        return  # stored as core Events
    assert info.defaults == (info.kind in DEFAULTERS)


@pytest.mark.parametrize("info", KINDS)
def test_printer(info: KindInfo) -> None:
    assert info.printer in PRINTERS
    own = info.kind in COLUMNS or info.kind in MORE_COLUMNS
    assert own == (info.printer == "columns")
    if info.printer == "default":
        assert columns_for(info.kind).headers == ("NAME", "CREATED AT")


@pytest.mark.parametrize("info", KINDS)
def test_readiness_rule(info: KindInfo) -> None:
    assert info.readiness in READINESS
    assert (info.readiness == "kstatus") == (info.kind in kstatus.RULES)


@pytest.mark.parametrize("info", KINDS)
def test_subresources(info: KindInfo) -> None:
    assert set(info.subresources) <= set(SUBRESOURCES)
    assert ("scale" in info.subresources) == ((info.group, info.kind) in SCALABLE)
    if info.kind in ACTS_ON:  # a controller writes its status: it has one
        assert info.status or info.kind in ("Namespace", "Node")


@pytest.mark.parametrize("info", KINDS)
def test_resets_status_only_with_a_status(info: KindInfo) -> None:
    assert not info.resets_status or info.status


def _resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = ""
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = definitions.get(name, {})
    return name, schema


def _schema_at(info: KindInfo, path: str) -> str:
    schemas = default_validator().builtin
    ref = schemas.lookup(info.api_version, info.kind)
    assert ref is not None, f"no schema for {info.api_version} {info.kind}"
    name, schema = _resolve(ref.schema, schemas.definitions)
    for part in path.split("."):
        _, schema = _resolve(schema, schemas.definitions)
        schema = (schema.get("properties") or {}).get(part, {})
        name, schema = _resolve(schema, schemas.definitions)
    return name


@pytest.mark.parametrize("info", KINDS)
def test_pod_template_paths_are_where_the_schema_has_one(info: KindInfo) -> None:
    if info.pod_template:
        assert _schema_at(info, info.pod_template) == POD_TEMPLATE
    elif default_validator().builtin.lookup(info.api_version, info.kind) is not None:
        assert _schema_at(info, "spec.template") != POD_TEMPLATE, "a pod template the registry does not name"


def test_every_kind_with_admission_rules_is_registered() -> None:
    for group, kind in _KIND_CHECKS:
        assert REGISTRY.lookup_kind(group, kind) is not None, (group, kind)


def test_every_kind_a_controller_acts_on_is_registered() -> None:
    assert {info.kind for info in REGISTRY} >= ACTS_ON
