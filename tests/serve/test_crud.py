"""get / list / create / update / delete / deletecollection through the running server."""

from __future__ import annotations

import pytest

from kapply.cluster.sim.cluster import SimCluster
from tests.serve.conftest import Client

CM = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"


def cm(name: str, **labels: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": labels},
        "data": {"k": "v"},
    }


def pod(name: str, node: str = "minikube", grace: int = 30) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "nodeName": node,
            "terminationGracePeriodSeconds": grace,
            "containers": [{"name": "c", "image": "nginx"}],
        },
    }


def names(doc: dict) -> list[str]:
    return [i["metadata"]["name"] for i in doc["items"]]


def test_create_get_and_list(client: Client) -> None:
    created = client.request("POST", CM, body=cm("a", app="web"))
    assert created.status == 201
    obj = created.json
    assert obj["metadata"]["namespace"] == "default" and obj["metadata"]["uid"]
    assert client.get(f"{CM}/a").json == obj
    listed = client.get(CM).json
    assert listed["kind"] == "ConfigMapList" and listed["apiVersion"] == "v1"
    assert (
        names(listed) == ["a"] and listed["metadata"]["resourceVersion"] >= obj["metadata"]["resourceVersion"]
    )
    assert client.request("POST", CM, body=cm("a")).json["reason"] == "AlreadyExists"
    assert "a" in names(client.get("/api/v1/configmaps").json)  # across namespaces


def test_the_namespace_of_the_url_wins_and_must_agree(client: Client) -> None:
    body = cm("x")
    body["metadata"]["namespace"] = "kube-system"
    answer = client.request("POST", CM, body=body)
    assert answer.status == 400 and "does not match the namespace" in answer.json["message"]
    answer = client.request("POST", "/api/v1/namespaces/nope/configmaps", body=cm("x"))
    assert answer.status == 404 and answer.json["details"] == {"name": "nope", "kind": "namespaces"}


def test_label_and_field_selectors(client: Client) -> None:
    for name, app in (("a", "web"), ("b", "db"), ("c", "web")):
        client.request("POST", CM, body=cm(name, app=app))
    assert names(client.get(f"{CM}?labelSelector=app%3Dweb").json) == ["a", "c"]
    assert names(client.get(f"{CM}?labelSelector=app+in+(db)").json) == ["b"]
    assert names(client.get(f"{CM}?fieldSelector=metadata.name!%3Da").json) == ["b", "c"]
    bad = client.get(f"{CM}?fieldSelector=spec.nodeName%3Dx")
    assert (bad.status, bad.json["message"]) == (400, "field label not supported: spec.nodeName")
    assert client.get(f"{CM}?labelSelector=app%3D%3D%3D").status == 400


def test_pod_and_event_field_selectors(client: Client, other: SimCluster) -> None:
    client.request("POST", PODS, body=pod("p1"))
    client.request("POST", PODS, body=pod("p2", node="elsewhere"))
    assert names(client.get(f"{PODS}?fieldSelector=spec.nodeName%3Dminikube").json) == ["p1"]
    assert names(client.get(f"{PODS}?fieldSelector=status.phase%3DPending").json) == ["p1", "p2"]
    other.advance_until_idle()
    events = client.get(
        "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dp1,involvedObject.kind%3DPod"
    ).json["items"]
    assert events and {e["involvedObject"]["name"] for e in events} == {"p1"}


def test_pages_with_limit_and_continue(client: Client) -> None:
    for i in range(5):
        client.request("POST", CM, body=cm(f"c{i}"))
    first = client.get(f"{CM}?limit=2").json
    assert names(first) == ["c0", "c1"] and first["metadata"]["remainingItemCount"] == 3
    token = first["metadata"]["continue"]
    second = client.get(f"{CM}?limit=2&continue={token}").json
    assert names(second) == ["c2", "c3"]
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    last = client.get(f"{CM}?limit=2&continue={second['metadata']['continue']}").json
    assert names(last) == ["c4"] and "continue" not in last["metadata"]
    bad = client.get(f"{CM}?limit=2&continue=nonsense")
    assert bad.status == 400 and "continue key is not valid" in bad.json["message"]
    assert client.get(f"{CM}?limit=-1").status == 400
    assert client.get(f"{CM}?limit=x").status == 400


def test_resource_version_exact_reads(client: Client) -> None:
    rv = client.get(CM).json["metadata"]["resourceVersion"]
    assert client.get(f"{CM}?resourceVersion={rv}&resourceVersionMatch=Exact").status == 200
    client.request("POST", CM, body=cm("later"))
    stale = client.get(f"{CM}?resourceVersion={rv}&resourceVersionMatch=Exact")
    assert (stale.status, stale.json["reason"]) == (410, "Expired")
    assert client.get(f"{CM}?resourceVersion={rv}").status == 200  # NotOlderThan: the current state
    assert client.get(f"{CM}?resourceVersionMatch=Sometimes").status == 400


def test_update_and_its_conflicts(client: Client) -> None:
    obj = client.request("POST", CM, body=cm("u")).json
    obj["data"] = {"k": "w"}
    updated = client.request("PUT", f"{CM}/u", body=obj)
    assert updated.status == 200 and updated.json["data"] == {"k": "w"}
    stale = client.request("PUT", f"{CM}/u", body=obj)  # obj still has the old resourceVersion
    assert stale.status == 409 and stale.json["reason"] == "Conflict"
    assert "the object has been modified" in stale.json["message"]
    renamed = dict(updated.json, metadata=dict(updated.json["metadata"], name="other"))
    assert client.request("PUT", f"{CM}/u", body=renamed).status == 400
    unconditional = dict(updated.json, metadata={"name": "u"}, data={"k": "x"})
    assert client.request("PUT", f"{CM}/u", body=unconditional).json["data"] == {"k": "x"}
    assert client.request("PUT", f"{CM}/missing", body=cm("missing")).status == 404


def test_dry_run_writes_nothing(client: Client) -> None:
    dry = client.request("POST", f"{CM}?dryRun=All", body=cm("ghost"))
    assert dry.status == 201 and dry.json["metadata"]["name"] == "ghost"
    assert client.get(f"{CM}/ghost").status == 404
    bad = client.request("POST", f"{CM}?dryRun=Some", body=cm("ghost"))
    assert bad.status == 422 and 'Unsupported value: "Some"' in bad.json["message"]
    client.request("POST", CM, body=cm("real"))
    assert client.request("DELETE", f"{CM}/real?dryRun=All").status == 200
    assert client.get(f"{CM}/real").status == 200


def test_delete_answers_and_grace_periods(client: Client) -> None:
    client.request("POST", CM, body=cm("gone"))
    answer = client.request("DELETE", f"{CM}/gone").json
    assert answer["kind"] == "Status" and answer["status"] == "Success"
    assert answer["details"]["name"] == "gone" and answer["details"]["kind"] == "configmaps"
    assert client.request("DELETE", f"{CM}/gone").status == 404
    client.request("POST", PODS, body=pod("slow"))
    terminating = client.request("DELETE", f"{PODS}/slow")
    assert terminating.status == 200 and terminating.json["metadata"]["deletionGracePeriodSeconds"] == 30
    client.request("POST", PODS, body=pod("quick"))
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}
    now = client.request("DELETE", f"{PODS}/quick", body=body)
    assert now.status == 200 and now.json["kind"] == "Pod"
    assert client.get(f"{PODS}/quick").status == 404


def test_delete_preconditions(client: Client) -> None:
    obj = client.request("POST", CM, body=cm("p")).json
    wrong = {"preconditions": {"uid": "not-it"}}
    answer = client.request("DELETE", f"{CM}/p", body=wrong)
    assert (
        answer.status == 409 and "Precondition failed: UID in precondition: not-it" in answer.json["message"]
    )
    right = {
        "preconditions": {
            "uid": obj["metadata"]["uid"],
            "resourceVersion": obj["metadata"]["resourceVersion"],
        }
    }
    assert client.request("DELETE", f"{CM}/p", body=right).status == 200


@pytest.mark.parametrize(("policy", "child_left"), [("Background", False), ("Orphan", True)])
def test_propagation_policies(client: Client, policy: str, child_left: bool) -> None:
    owner = client.request("POST", CM, body=cm("owner")).json
    child = cm("child")
    child["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    ]
    client.request("POST", CM, body=child)
    client.request("DELETE", f"{CM}/owner?propagationPolicy={policy}")
    left = client.get(f"{CM}/child")
    assert (left.status == 200) is child_left
    if child_left:
        assert "ownerReferences" not in left.json["metadata"]


def test_foreground_deletion_waits_for_dependents(client: Client, other: SimCluster) -> None:
    owner = client.request("POST", CM, body=cm("owner")).json
    dependent = pod("dep", grace=5)
    dependent["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    ]
    client.request("POST", PODS, body=dependent)
    answer = client.request("DELETE", f"{CM}/owner", body={"propagationPolicy": "Foreground"})
    assert answer.status == 200 and answer.json["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert client.get(f"{CM}/owner").json["metadata"]["deletionTimestamp"]
    other.advance(6)
    assert client.get(f"{CM}/owner").status == 404


def test_deletecollection(client: Client) -> None:
    for name, app in (("a", "web"), ("b", "web"), ("c", "db")):
        client.request("POST", CM, body=cm(name, app=app))
    answer = client.request("DELETE", f"{CM}?labelSelector=app%3Dweb")
    assert (
        answer.status == 200 and answer.json["kind"] == "ConfigMapList" and names(answer.json) == ["a", "b"]
    )
    assert names(client.get(CM).json) == ["c"]


def test_metadata_only_and_yaml_answers(client: Client) -> None:
    client.request("POST", CM, body=cm("m", app="web"))
    partial = client.get(CM, accept="application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io").json
    assert partial["kind"] == "PartialObjectMetadataList"
    assert partial["items"][0] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": client.get(f"{CM}/m").json["metadata"],
    }
    text = client.get(f"{CM}/m", accept="application/yaml")
    assert text.headers["Content-Type"] == "application/yaml" and b"kind: ConfigMap" in text.body
