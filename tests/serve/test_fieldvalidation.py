"""fieldValidation=Strict|Warn|Ignore on creates, updates and patches, as the API server decodes."""

from __future__ import annotations

import pytest

from tests.serve.conftest import Client

CM = "/api/v1/namespaces/default/configmaps"
BODY = (
    b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labelz": {}}, "data": {"a": "1"}}'
)
DUP = b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}, "data": {"a": "1"}, \
    "data": {"b": "2"}}'


def test_strict_refuses_unknown_and_duplicate_fields(client: Client) -> None:
    answer = client.request("POST", f"{CM}?fieldValidation=Strict", body=BODY)
    assert answer.status == 400 and answer.json["reason"] == "BadRequest"
    assert answer.json["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding '
        'error: unknown field "metadata.labelz"'
    )
    dup = client.request("POST", f"{CM}?fieldValidation=Strict", body=DUP)
    assert dup.status == 400 and 'duplicate field "data"' in dup.json["message"]


@pytest.mark.parametrize("directive", ["Warn", ""])
def test_warn_drops_them_and_says_so(client: Client, directive: str) -> None:
    query = f"?fieldValidation={directive}" if directive else ""  # Warn is the default
    answer = client.request("POST", f"{CM}{query}", body=BODY)
    assert answer.status == 201 and "labelz" not in answer.json["metadata"]
    assert answer.headers["Warning"] == '299 - "unknown field \\"metadata.labelz\\""'


def test_ignore_drops_them_silently(client: Client) -> None:
    answer = client.request("POST", f"{CM}?fieldValidation=Ignore", body=DUP)
    assert answer.status == 201 and answer.json["data"] == {"b": "2"} and "Warning" not in answer.headers


def test_patches_are_checked_too(client: Client) -> None:
    client.request("POST", CM, body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p"}})
    patch = {"metadata": {"labels": {"a": "b"}}, "dataz": {"x": "y"}}
    strict = client.request(
        "PATCH", f"{CM}/p?fieldValidation=Strict", body=patch, content_type="application/merge-patch+json"
    )
    assert strict.status == 400 and 'unknown field "dataz"' in strict.json["message"]
    warned = client.request(
        "PATCH", f"{CM}/p", body=patch, content_type="application/strategic-merge-patch+json"
    )
    assert (
        warned.status == 200
        and warned.json["metadata"]["labels"] == {"a": "b"}
        and "dataz" not in warned.json
    )
    assert "unknown field" in warned.headers["Warning"]


def test_semantic_errors_are_422_whatever_the_directive(client: Client) -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Not_A_Name"}}
    answer = client.request("POST", f"{CM}?fieldValidation=Ignore", body=bad)
    assert answer.status == 422 and answer.json["details"]["causes"][0]["field"] == "metadata.name"


def test_an_unknown_directive_is_a_bad_request(client: Client) -> None:
    assert client.request("POST", f"{CM}?fieldValidation=Loose", body=BODY).status == 400
