"""Custom resources through `kapply serve`: discovery of an established CRD's kind (legacy and
aggregated), CRUD in any served version (conversion None), status and scale subresources at the
CRD's paths, a server-side Table of its printer columns, a watch that names the group."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from kapply.cluster.sim.cluster import SimCluster
from tests.serve.conftest import Client

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "crontab"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
CRONTABS = "/apis/stable.example.com/v1/namespaces/default/crontabs"


def crd() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "crd.yaml").read_text())


def crontab() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "crontab.yaml").read_text())


def test_a_crd_posted_is_discovered_and_its_resources_served(client: Client) -> None:
    assert client.request("POST", CRDS, body=crd()).status == 201
    groups = client.get("/apis").json
    v1 = {"groupVersion": "stable.example.com/v1", "version": "v1"}
    assert {"name": "stable.example.com", "versions": [v1], "preferredVersion": v1} in groups["groups"]
    listed = {r["name"]: r for r in client.get("/apis/stable.example.com/v1").json["resources"]}
    assert listed["crontabs"]["shortNames"] == ["ct"] and listed["crontabs"]["namespaced"] is True
    assert listed["crontabs"]["kind"] == "CronTab" and {"crontabs/status", "crontabs/scale"} <= set(listed)
    created = client.request("POST", CRONTABS, body=crontab())
    assert created.status == 201 and created.json["spec"]["replicas"] == 1
    got = client.get(f"{CRONTABS}/my-new-cron-object").json
    assert got["apiVersion"] == "stable.example.com/v1" and got["spec"]["cronSpec"] == "* * * * */5"
    items = client.get(CRONTABS).json
    assert items["kind"] == "CronTabList" and [i["metadata"]["name"] for i in items["items"]] == [
        "my-new-cron-object"]
    bad = dict(crontab(), metadata={"name": "bad"}, spec={"cronSpec": "x"})
    refused = client.request("POST", CRONTABS, body=bad)
    assert refused.status == 422 and refused.json["details"]["causes"][0]["field"] == "spec.cronSpec"
    assert client.request("DELETE", f"{CRONTABS}/my-new-cron-object").status == 200
    assert client.get(f"{CRONTABS}/my-new-cron-object").status == 404


def test_status_and_scale_follow_the_crds_paths(client: Client) -> None:
    client.request("POST", CRDS, body=crd())
    client.request("POST", CRONTABS, body=crontab())
    status = client.request("PATCH", f"{CRONTABS}/my-new-cron-object/status",
                            body={"status": {"replicas": 1, "labelSelector": "app=cron"}},
                            content_type="application/merge-patch+json")
    assert status.status == 200 and status.json["status"]["replicas"] == 1
    scale = client.get(f"{CRONTABS}/my-new-cron-object/scale").json
    assert scale["spec"] == {"replicas": 1} and scale["status"] == {"replicas": 1, "selector": "app=cron"}
    patched = client.request("PATCH", f"{CRONTABS}/my-new-cron-object/scale", body={"spec": {"replicas": 3}},
                             content_type="application/merge-patch+json").json
    assert patched["spec"] == {"replicas": 3}
    assert client.get(f"{CRONTABS}/my-new-cron-object").json["spec"]["replicas"] == 3


def test_a_table_prints_the_printer_columns(client: Client) -> None:
    client.request("POST", CRDS, body=crd())
    client.request("POST", CRONTABS, body=crontab())
    table = client.get(CRONTABS, accept="application/json;as=Table;v=v1;g=meta.k8s.io").json
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Spec", "Replicas", "Age"]
    assert [c["type"] for c in table["columnDefinitions"]] == ["string", "string", "integer", "date"]
    assert table["rows"][0]["cells"][:3] == ["my-new-cron-object", "* * * * */5", "1"]


def test_every_served_version_answers_in_its_own_apiversion(client: Client) -> None:
    two = crd()
    beta = copy.deepcopy(two["spec"]["versions"][0]) | {"name": "v1beta1", "storage": False}
    two["spec"]["versions"].append(beta)
    client.request("POST", CRDS, body=two)
    client.request("POST", CRONTABS, body=crontab())
    old = client.get("/apis/stable.example.com/v1beta1/namespaces/default/crontabs/my-new-cron-object").json
    assert old["apiVersion"] == "stable.example.com/v1beta1"
    assert old["spec"]["image"] == "my-awesome-cron-image"


def test_a_crd_written_by_another_process_is_served(client: Client, other: SimCluster) -> None:
    other.create(crd())
    other.create(crontab())
    client.get("/api")  # the server picks up the other process's changes as it runs
    found = client.get(CRONTABS)
    assert found.status == 200 and len(found.json["items"]) == 1


def test_openapi_publishes_the_crds_schema(client: Client) -> None:
    client.request("POST", CRDS, body=crd())
    index = client.get("/openapi/v3").json["paths"]
    assert "apis/stable.example.com/v1" in index
    doc = client.get(index["apis/stable.example.com/v1"]["serverRelativeURL"]).json
    schema = doc["components"]["schemas"]["com.example.stable.v1.CronTab"]
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "stable.example.com", "kind": "CronTab",
                                                          "version": "v1"}]
    assert schema["properties"]["spec"]["properties"]["replicas"] == {"type": "integer", "minimum": 1,
                                                                      "maximum": 10, "default": 1}
    assert "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}" in doc["paths"]
