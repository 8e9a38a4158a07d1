"""Discovery documents and the fixed paths (/version, health), through the running server."""

from __future__ import annotations

import pytest

from tests.serve.conftest import Client

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList,application/json"


def test_version_is_kubernetes_1_34(client: Client) -> None:
    doc = client.get("/version").json
    assert (doc["major"], doc["minor"]) == ("1", "34")
    assert doc["gitVersion"].startswith("v1.34.")


@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz", "/readyz/ping"])
def test_health_endpoints_answer_ok(client: Client, path: str) -> None:
    answer = client.get(path, accept="*/*")
    assert (answer.status, answer.body) == (200, b"ok")


def test_verbose_health_lists_the_checks(client: Client) -> None:
    text = client.get("/readyz?verbose", accept="*/*").body.decode()
    assert "[+]ping ok" in text and text.endswith("readyz check passed\n")


def test_legacy_discovery(client: Client) -> None:
    assert client.get("/api").json["versions"] == ["v1"]
    groups = {g["name"]: g for g in client.get("/apis").json["groups"]}
    assert groups["apps"]["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    assert groups["autoscaling"]["versions"] == [{"groupVersion": "autoscaling/v2", "version": "v2"}]
    assert "events.k8s.io" not in groups  # core/v1 Events only
    assert client.get("/apis/apps").json["name"] == "apps"
    core = {r["name"]: r for r in client.get("/api/v1").json["resources"]}
    assert core["pods"] == {
        "name": "pods",
        "singularName": "pod",
        "namespaced": True,
        "kind": "Pod",
        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        "shortNames": ["po"],
        "categories": ["all"],
    }
    assert core["pods/eviction"] == {
        "name": "pods/eviction",
        "singularName": "",
        "namespaced": True,
        "group": "policy",
        "version": "v1",
        "kind": "Eviction",
        "verbs": ["create"],
    }
    assert core["pods/log"]["verbs"] == ["get"]
    assert "deletecollection" not in core["namespaces"]["verbs"]
    apps = {r["name"]: r for r in client.get("/apis/apps/v1").json["resources"]}
    assert (
        apps["deployments/scale"]["kind"] == "Scale" and apps["deployments/scale"]["group"] == "autoscaling"
    )
    assert apps["deployments"]["shortNames"] == ["deploy"]


@pytest.mark.parametrize("path", ["/apis/nope", "/apis/apps/v9", "/api/v2"])
def test_unknown_groups_and_versions_are_404(client: Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status == 404 and answer.json["reason"] == "NotFound"


@pytest.mark.parametrize("version", ["v2", "v2beta1"])
def test_aggregated_discovery(client: Client, version: str) -> None:
    answer = client.get("/apis", accept=AGGREGATED.format(v=version))
    assert (
        answer.headers["Content-Type"]
        == f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
    )
    doc = answer.json
    assert doc["apiVersion"] == f"apidiscovery.k8s.io/{version}"
    groups = {item["metadata"]["name"]: item for item in doc["items"]}
    deploy = next(r for r in groups["apps"]["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deploy["scope"] == "Namespaced" and deploy["singularResource"] == "deployment"
    assert {s["subresource"]: s["responseKind"]["kind"] for s in deploy["subresources"]} == {
        "scale": "Scale",
        "status": "Deployment",
    }
    core = client.get("/api", accept=AGGREGATED.format(v=version)).json["items"]
    assert len(core) == 1 and "name" not in core[0]["metadata"]
    nodes = next(r for r in core[0]["versions"][0]["resources"] if r["resource"] == "nodes")
    assert nodes["scope"] == "Cluster" and nodes["shortNames"] == ["no"]


def test_plain_json_gets_legacy_discovery(client: Client) -> None:
    assert client.get("/api", accept="application/json").json["kind"] == "APIVersions"
