"""OpenAPI v3 as kubectl reads it: the index, one document per group-version, GVKs, descriptions,
the fieldValidation parameter kubectl's --validate looks for, and OpenAPI 3.0's dialect."""

from __future__ import annotations

import json
from typing import Any

from kapply.serve import openapi
from tests.serve.conftest import Client


def walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_the_index_names_every_group_version_with_a_hash(client: Client) -> None:
    paths = client.get("/openapi/v3").json["paths"]
    assert {"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/discovery.k8s.io/v1"} <= set(paths)
    url = paths["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    answer = client.get(url)
    assert answer.status == 200 and answer.headers["Cache-Control"] == "public, immutable"
    assert answer.json["openapi"] == "3.0.0"
    assert client.get("/openapi/v3/apis/nope/v1").status == 404


def test_kinds_carry_their_group_version_kind_and_descriptions() -> None:
    doc = json.loads(openapi.document("apis/apps/v1") or b"")
    schemas = doc["components"]["schemas"]
    deploy = schemas["io.k8s.api.apps.v1.Deployment"]
    assert deploy["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "version": "v1", "kind": "Deployment"}
    ]
    assert deploy["description"].startswith("Deployment enables declarative updates")
    assert deploy["properties"]["spec"] == {
        "allOf": [{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}],
        "description": "Specification of the desired behavior of the Deployment.",
    }
    assert "enum" not in deploy["properties"]["apiVersion"]
    assert schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["replicas"]["type"] == "integer"
    assert "io.k8s.api.core.v1.PodSpec" in schemas  # every referenced definition is included


def test_documents_are_openapi_3_0() -> None:
    for key in ("api/v1", "apis/apps/v1", "apis/networking.k8s.io/v1"):
        doc = json.loads(openapi.document(key) or b"")
        schemas = doc["components"]["schemas"]
        for node in walk(doc):
            assert not isinstance(node.get("type"), list), node
            assert node.get("additionalProperties") is not False
            ref = node.get("$ref")
            if ref is not None:
                assert len(node) == 1, node  # siblings of a $ref live beside an allOf
                assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_patch_operations_offer_field_validation_for_their_kind() -> None:
    doc = json.loads(openapi.document("api/v1") or b"")
    patch = doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "", "kind": "Pod", "version": "v1"}
    assert {"fieldValidation", "dryRun", "fieldManager", "force"} <= {p["name"] for p in patch["parameters"]}
    assert "/api/v1/nodes/{name}" in doc["paths"]  # cluster-scoped: no namespace
    assert doc["paths"]["/api/v1/namespaces/{namespace}/pods"]["get"]["x-kubernetes-action"] == "list"
