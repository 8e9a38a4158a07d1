"""Server-side apply and field managers through the running server (the engine is the cluster's)."""

from __future__ import annotations

from tests.serve.conftest import Client

DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
APPLY = "application/apply-patch+yaml"
CONFIG = b"""apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"""


def managers(obj: dict) -> list[tuple[str, str]]:
    return [(m["manager"], m["operation"]) for m in obj["metadata"].get("managedFields") or ()]


def test_apply_creates_then_updates_with_managed_fields(client: Client) -> None:
    created = client.request("PATCH", f"{DEPLOYS}/web?fieldManager=me", body=CONFIG % 2, content_type=APPLY)
    assert created.status == 201
    assert managers(created.json) == [("me", "Apply")]
    assert created.json["metadata"]["managedFields"][0]["fieldsType"] == "FieldsV1"
    again = client.request("PATCH", f"{DEPLOYS}/web?fieldManager=me", body=CONFIG % 3, content_type=APPLY)
    assert again.status == 200 and again.json["spec"]["replicas"] == 3


def test_a_conflict_names_the_manager_and_field_and_force_takes_over(client: Client) -> None:
    client.request("PATCH", f"{DEPLOYS}/web?fieldManager=me", body=CONFIG % 2, content_type=APPLY)
    clash = client.request("PATCH", f"{DEPLOYS}/web?fieldManager=you", body=CONFIG % 5, content_type=APPLY)
    assert clash.status == 409 and clash.json["reason"] == "Conflict"
    assert clash.json["message"] == 'Apply failed with 1 conflict: conflict with "me": .spec.replicas'
    assert clash.json["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "me"', "field": ".spec.replicas"}
    ]
    forced = client.request(
        "PATCH", f"{DEPLOYS}/web?fieldManager=you&force=true", body=CONFIG % 5, content_type=APPLY
    )
    assert forced.status == 200 and forced.json["spec"]["replicas"] == 5


def test_apply_needs_a_field_manager_and_force_is_for_apply_only(client: Client) -> None:
    missing = client.request("PATCH", f"{DEPLOYS}/web", body=CONFIG % 1, content_type=APPLY)
    assert missing.status == 422 and "fieldManager: Required value" in missing.json["message"]
    client.request("PATCH", f"{DEPLOYS}/web?fieldManager=me", body=CONFIG % 1, content_type=APPLY)
    forced = client.request(
        "PATCH",
        f"{DEPLOYS}/web?force=true",
        body={"spec": {"replicas": 2}},
        content_type="application/merge-patch+json",
    )
    assert forced.status == 422 and "may not be specified for non-apply patch" in forced.json["message"]


def test_other_writes_record_update_entries_for_their_manager(client: Client) -> None:
    client.request("PATCH", f"{DEPLOYS}/web?fieldManager=me", body=CONFIG % 1, content_type=APPLY)
    patched = client.request(
        "PATCH",
        f"{DEPLOYS}/web",
        body={"spec": {"replicas": 4}},
        content_type="application/merge-patch+json",
        headers={"User-Agent": "kubectl/v1.32.4"},
    )
    assert ("kubectl", "Update") in managers(patched.json)
    named = client.request(
        "PATCH",
        f"{DEPLOYS}/web?fieldManager=scaler",
        body={"spec": {"replicas": 5}},
        content_type="application/merge-patch+json",
    )
    assert ("scaler", "Update") in managers(named.json)


def test_json_patch(client: Client) -> None:
    client.request("PATCH", f"{DEPLOYS}/web?fieldManager=me", body=CONFIG % 1, content_type=APPLY)
    ops = [
        {"op": "replace", "path": "/spec/replicas", "value": 6},
        {"op": "add", "path": "/metadata/labels", "value": {"a": "b"}},
    ]
    patched = client.request("PATCH", f"{DEPLOYS}/web", body=ops, content_type="application/json-patch+json")
    assert patched.json["spec"]["replicas"] == 6 and patched.json["metadata"]["labels"] == {"a": "b"}
    failed = client.request(
        "PATCH",
        f"{DEPLOYS}/web",
        body=[{"op": "test", "path": "/spec/replicas", "value": 1}],
        content_type="application/json-patch+json",
    )
    assert failed.status == 422
    malformed = client.request(
        "PATCH", f"{DEPLOYS}/web", body={"op": "x"}, content_type="application/json-patch+json"
    )
    assert malformed.status == 400
