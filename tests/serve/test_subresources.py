"""Subresources through the running server: status, scale, log (and follow), eviction."""

from __future__ import annotations

import urllib.request

from kapply.cluster.sim.cluster import SimCluster
from kapply.serve.testing import Running
from tests.serve.conftest import Client

PODS = "/api/v1/namespaces/default/pods"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"


def deployment(name: str = "web", replicas: int = 2) -> dict:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def pod(name: str = "p", grace: int = 30) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"terminationGracePeriodSeconds": grace, "containers": [{"name": "c", "image": "nginx"}]},
    }


def test_status_get_update_and_patch(client: Client, other: SimCluster) -> None:
    client.request("POST", DEPLOYS, body=deployment())
    other.advance_until_idle()
    live = client.get(f"{DEPLOYS}/web/status").json
    assert live["kind"] == "Deployment" and live["status"]["readyReplicas"] == 2
    live["spec"]["replicas"] = 9
    live["status"]["observedGeneration"] = 42
    put = client.request("PUT", f"{DEPLOYS}/web/status", body=live).json
    assert put["spec"]["replicas"] == 2 and put["status"]["observedGeneration"] == 42
    patched = client.request(
        "PATCH",
        f"{DEPLOYS}/web/status",
        body={"status": {"observedGeneration": 7}},
        content_type="application/merge-patch+json",
    ).json
    assert patched["status"]["observedGeneration"] == 7
    ops = [
        {"op": "replace", "path": "/status/observedGeneration", "value": 8},
        {"op": "replace", "path": "/spec/replicas", "value": 5},
    ]
    json_patch = client.request(
        "PATCH", f"{DEPLOYS}/web/status", body=ops, content_type="application/json-patch+json"
    )
    assert json_patch.json["status"]["observedGeneration"] == 8 and json_patch.json["spec"]["replicas"] == 2
    apply = client.request(
        "PATCH",
        f"{DEPLOYS}/web/status?fieldManager=me",
        body=b"{}",
        content_type="application/apply-patch+yaml",
    )
    assert apply.status == 415


def test_scale_reads_and_writes_replicas(client: Client, other: SimCluster) -> None:
    client.request("POST", DEPLOYS, body=deployment())
    other.advance_until_idle()
    scale = client.get(f"{DEPLOYS}/web/scale").json
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2} and scale["status"] == {"replicas": 2, "selector": "app=web"}
    merged = client.request(
        "PATCH",
        f"{DEPLOYS}/web/scale",
        body={"spec": {"replicas": 4}},
        content_type="application/merge-patch+json",
    ).json
    assert merged["spec"]["replicas"] == 4
    assert client.get(f"{DEPLOYS}/web").json["spec"]["replicas"] == 4
    scale = client.get(f"{DEPLOYS}/web/scale").json
    scale["spec"]["replicas"] = 1
    assert client.request("PUT", f"{DEPLOYS}/web/scale", body=scale).json["spec"]["replicas"] == 1
    stale = client.request("PUT", f"{DEPLOYS}/web/scale", body=scale)  # its resourceVersion is old now
    assert stale.status == 409
    negative = client.request(
        "PATCH",
        f"{DEPLOYS}/web/scale",
        body={"spec": {"replicas": -1}},
        content_type="application/merge-patch+json",
    )
    assert negative.status == 422 and negative.json["details"]["kind"] == "Scale"
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 3}]
    assert (
        client.request(
            "PATCH", f"{DEPLOYS}/web/scale", body=ops, content_type="application/json-patch+json"
        ).json["spec"]["replicas"]
        == 3
    )
    rc = {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "rc"},
        "spec": {
            "replicas": 1,
            "selector": {"app": "rc"},
            "template": {
                "metadata": {"labels": {"app": "rc"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    client.request("POST", "/api/v1/namespaces/default/replicationcontrollers", body=rc)
    rc_scale = client.get("/api/v1/namespaces/default/replicationcontrollers/rc/scale").json
    assert rc_scale["status"]["selector"] == "app=rc"


def test_logs_with_tail_timestamps_and_errors(client: Client, other: SimCluster) -> None:
    client.request("POST", PODS, body=pod())
    waiting = client.get(f"{PODS}/p/log")
    assert waiting.status == 400 and "is waiting to start" in waiting.json["message"]
    other.advance_until_idle()
    text = client.get(f"{PODS}/p/log", accept="*/*")
    assert text.headers["Content-Type"].startswith("text/plain")
    lines = text.body.decode().splitlines()
    assert "Starting" in lines[0] and len(lines) >= 2
    assert client.get(f"{PODS}/p/log?tailLines=1").body.decode().splitlines() == lines[-1:]
    stamped = client.get(f"{PODS}/p/log?timestamps=true").body.decode().splitlines()[0]
    assert stamped.split(" ", 1)[0].endswith(".000000000Z") and stamped.split(" ", 1)[1] == lines[0]
    assert client.get(f"{PODS}/p/log?container=nope").status == 400
    assert client.get(f"{PODS}/p/log?previous=true").status == 400
    assert client.get(f"{PODS}/p/log?tailLines=-1").status == 422
    assert client.get(f"{PODS}/p/log?limitBytes=5").body == text.body[:5]


def test_log_follow_ends_with_the_pod(client: Client, other: SimCluster, server: Running) -> None:
    client.request("POST", PODS, body=pod(grace=0))
    other.advance_until_idle()
    before = client.get(f"{PODS}/p/log").body.decode()
    with urllib.request.urlopen(f"{server.url}{PODS}/p/log?follow=true", timeout=10) as resp:
        first = resp.readline().decode()
        assert first == before.splitlines(keepends=True)[0]
        client.request("DELETE", f"{PODS}/p?gracePeriodSeconds=0")
        rest = resp.read().decode()  # returns only because the stream ended with the pod
    assert first + rest == before


def test_eviction_deletes_the_pod_gracefully(client: Client, other: SimCluster) -> None:
    client.request("POST", PODS, body=pod(grace=5))
    other.advance_until_idle()
    eviction = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": "p", "namespace": "default"},
    }
    answer = client.request("POST", f"{PODS}/p/eviction", body=eviction)
    assert answer.status == 201 and answer.json == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "code": 201,
    }
    assert client.get(f"{PODS}/p").json["metadata"]["deletionTimestamp"]
    wrong = dict(eviction, metadata={"name": "other"})
    assert client.request("POST", f"{PODS}/p/eviction", body=wrong).status == 400
    assert (
        client.request(
            "POST", f"{PODS}/missing/eviction", body=dict(eviction, metadata={"name": "missing"})
        ).status
        == 404
    )


def test_eviction_a_budget_forbids_is_429_with_its_cause(client: Client, other: SimCluster) -> None:
    labelled = pod(grace=5)
    labelled["metadata"]["labels"] = {"app": "p"}
    client.request("POST", PODS, body=labelled)
    budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"},
              "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "p"}}}}
    client.request("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", body=budget)
    other.advance_until_idle()
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": "p", "namespace": "default"}}
    answer = client.request("POST", f"{PODS}/p/eviction", body=eviction)
    assert answer.status == 429
    assert answer.json["reason"] == "TooManyRequests"
    assert answer.json["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert answer.json["details"]["causes"] == [
        {"reason": "DisruptionBudget",
         "message": "The disruption budget p needs 1 healthy pods and has 1 currently"}]
    status = client.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/p").json["status"]
    assert (status["currentHealthy"], status["desiredHealthy"], status["disruptionsAllowed"]) == (1, 1, 0)
