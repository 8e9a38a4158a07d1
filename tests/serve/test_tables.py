"""Server-side printing: Tables with the columns `kapply get` prints."""

from __future__ import annotations

from kapply.cluster.sim.cluster import SimCluster
from kapply.model.columns import columns_for
from tests.serve.conftest import Client

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def test_a_list_as_a_table_has_kapply_gets_columns(client: Client, other: SimCluster) -> None:
    table = client.get("/api/v1/nodes", accept=TABLE).json
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    names = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert names[:5] == [("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0), ("Version", 0)]
    assert names[5:] == [
        ("Internal-IP", 1),
        ("External-IP", 1),
        ("OS-Image", 1),
        ("Kernel-Version", 1),
        ("Container-Runtime", 1),
    ]
    assert table["columnDefinitions"][0]["format"] == "name"
    node = other.get("Node", "", "minikube")
    cols = columns_for("Node")
    assert table["rows"][0]["cells"] == cols.row(node, other.now()) + cols.wide(node, other.now())
    assert table["rows"][0]["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": node["metadata"],
    }
    assert table["metadata"]["resourceVersion"] == other.resource_version()


def test_include_object_and_older_table_versions(client: Client) -> None:
    whole = client.get("/api/v1/nodes/minikube?includeObject=Object", accept=TABLE).json
    assert whole["rows"][0]["object"]["kind"] == "Node" and len(whole["rows"]) == 1
    bare = client.get("/api/v1/nodes?includeObject=None", accept=TABLE).json
    assert "object" not in bare["rows"][0]
    assert client.get("/api/v1/nodes?includeObject=All", accept=TABLE).status == 400
    old = client.get("/api/v1/nodes", accept="application/json;as=Table;v=v1beta1;g=meta.k8s.io").json
    assert old["apiVersion"] == "meta.k8s.io/v1beta1"


def test_kinds_without_columns_get_name_and_age(client: Client) -> None:
    table = client.get("/apis/scheduling.k8s.io/v1/priorityclasses", accept=TABLE).json
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Age"]


def test_kinds_the_api_server_prints_by_its_default_table_get_created_at(client: Client) -> None:
    for path in ("/apis/rbac.authorization.k8s.io/v1/clusterroles",
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"):
        table = client.get(path, accept=TABLE).json
        assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Created At"]


def test_writes_answer_with_the_object_even_when_a_table_is_asked(client: Client) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    created = client.request("POST", "/api/v1/namespaces/default/configmaps", body=body, accept=TABLE)
    assert created.status == 201 and created.json["kind"] == "ConfigMap"


def test_endpoints_requests_carry_the_deprecation_warning(client: Client) -> None:
    answer = client.get("/api/v1/namespaces/default/endpoints")
    assert (
        answer.headers["Warning"] == '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 '
        'EndpointSlice"'
    )
    assert "Warning" not in client.get("/api/v1/namespaces/default/services").headers
