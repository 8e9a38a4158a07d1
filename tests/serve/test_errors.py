"""Status bodies for every failure, as the API server words them; nothing a client sends hurts
the server."""

from __future__ import annotations

import socket
import urllib.parse

import pytest

from kapply.errors import AlreadyExistsError, ConflictError, InvalidError, NotFoundError, UsageError
from kapply.serve.status import cause_type, from_error
from kapply.serve.testing import Running
from tests.serve.conftest import Client

CM = "/api/v1/namespaces/default/configmaps"


def cm(name: str = "x") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}


@pytest.mark.parametrize(
    ("error", "code", "reason", "details"),
    [
        (
            NotFoundError('deployments.apps "web" not found'),
            404,
            "NotFound",
            {"name": "web", "group": "apps", "kind": "deployments"},
        ),
        (AlreadyExistsError('pods "p" already exists'), 409, "AlreadyExists", {"name": "p", "kind": "pods"}),
        (
            ConflictError(
                'Operation cannot be fulfilled on services "s": the object has been modified; please '
                "apply your changes to the latest version and try again"
            ),
            409,
            "Conflict",
            {"name": "s", "kind": "services"},
        ),
        (UsageError("field label not supported: spec.foo"), 400, "BadRequest", None),
        (
            NotFoundError('namespaces "nope" not found'),
            404,
            "NotFound",
            {"name": "nope", "kind": "namespaces"},
        ),
    ],
)
def test_cluster_errors_become_statuses(
    error: Exception, code: int, reason: str, details: dict | None
) -> None:
    api = from_error(error)  # type: ignore[arg-type]
    assert (api.code, api.reason, api.message) == (code, reason, str(error))
    assert api.body()["details" if details else "code"] == (details or code)


def test_invalid_has_kind_and_field_causes() -> None:
    api = from_error(
        InvalidError(
            'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be '
            "greater than or equal to 0",
            [("spec.replicas", "Invalid value: -1: must be greater than or equal to 0")],
        )
    )
    assert api.code == 422
    assert api.details == {
        "name": "web",
        "group": "apps",
        "kind": "Deployment",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": "Invalid value: -1: must be greater than or equal to 0",
                "field": "spec.replicas",
            }
        ],
    }


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("Required value", "FieldValueRequired"),
        ('Unsupported value: "x": supported values: "a"', "FieldValueNotSupported"),
        ('Duplicate value: "a"', "FieldValueDuplicate"),
        ("Forbidden: no", "FieldValueForbidden"),
        ("Too long: may not be longer than 63", "FieldValueTooLong"),
        ('Invalid value: "x": no', "FieldValueInvalid"),
    ],
)
def test_cause_types_follow_the_error_type(message: str, cause: str) -> None:
    assert cause_type(message) == cause


@pytest.mark.parametrize(
    ("method", "path", "code", "reason"),
    [
        ("GET", "/nowhere", 404, "NotFound"),
        ("GET", "/api/v1/bogus", 404, "NotFound"),
        ("GET", "/api/v1/pods/some-name", 404, "NotFound"),
        ("GET", "/api/v1/namespaces/default/pods/p/nosuchsub", 404, "NotFound"),
        ("GET", "/apis/apps/v1/namespaces/default/deployments/x/log", 404, "NotFound"),
        ("PUT", CM, 405, "MethodNotAllowed"),
        ("POST", "/api/v1/configmaps", 405, "MethodNotAllowed"),
        ("DELETE", "/api/v1/namespaces", 405, "MethodNotAllowed"),
        ("GET", "/api/v1/namespaces/default/configmaps/x/status", 404, "NotFound"),
    ],
)
def test_bad_paths_and_methods(client: Client, method: str, path: str, code: int, reason: str) -> None:
    answer = client.request(method, path, body=b"{}" if method in ("PUT", "POST") else None)
    assert answer.status == code
    assert answer.json["kind"] == "Status" and answer.json["reason"] == reason and answer.json["code"] == code


def test_not_acceptable(client: Client) -> None:
    answer = client.get("/api/v1/nodes", accept="application/vnd.kubernetes.protobuf")
    assert (answer.status, answer.json["reason"]) == (406, "NotAcceptable")
    assert (
        client.get("/api/v1/nodes", accept="application/vnd.kubernetes.protobuf,application/json").status
        == 200
    )


@pytest.mark.parametrize(
    ("body", "content_type", "code", "text"),
    [
        (b"{bad", "application/json", 400, "error decoding"),
        (b"", "application/json", 400, "needs a body"),
        (b"[1, 2]", "application/json", 400, "unrecognized"),
        (
            b'{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}',
            "application/json",
            400,
            "unrecognized (must be of type ConfigMap)",
        ),
        (
            b'{"kind": "ConfigMap", "metadata": {"name": "s"}}',  # apiVersion from the URL
            "application/json",
            201,
            "",
        ),
        (
            b'{"apiVersion": "apps/v1", "kind": "ConfigMap", "metadata": {"name": "u"}}',
            "application/json",
            400,
            "does not match the expected API version (v1)",
        ),
        (b"{}", "text/plain", 415, "unknown format"),
        (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n", "application/yaml", 201, ""),
        (b"a: [", "application/yaml", 400, "YAML"),
    ],
)
def test_malformed_bodies(client: Client, body: bytes, content_type: str, code: int, text: str) -> None:
    answer = client.request("POST", CM, body=body, content_type=content_type)
    assert answer.status == code, answer.body
    assert text in (answer.json.get("message") or "")


def _raw(server: Running, head: bytes, chunks: list[bytes]) -> bytes:
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head)
        try:
            for chunk in chunks:
                conn.sendall(chunk)
        except OSError:  # the server answered and closed before the whole body was sent
            pass
        answer = b""
        while b"}" not in answer:  # the head and the JSON Status may come in separate segments
            data = conn.recv(65536)
            if not data:
                break
            answer += data
        return answer


def test_a_body_over_3_mib_is_refused(server: Running) -> None:
    size = 3 * 1024 * 1024 + 1
    declared = _raw(
        server,
        b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size,
        [b" " * size],
    )
    assert declared.startswith(b"HTTP/1.1 413 ") and b'"reason":"RequestEntityTooLarge"' in declared
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    streamed = _raw(
        server,
        b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        [chunk] * 60 + [b"0\r\n\r\n"],
    )
    assert streamed.startswith(b"HTTP/1.1 413 ")


def test_a_vanished_or_slow_client_does_not_block_others(server: Running, client: Client) -> None:
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    slow = socket.create_connection((host, int(port)))
    slow.sendall(
        b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
        b"Content-Type: application/json\r\n\r\n{"
    )  # and never the rest
    gone = socket.create_connection((host, int(port)))
    gone.sendall(b"GET /api/v1/nodes?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    gone.close()
    try:
        assert client.get("/api/v1/nodes").status == 200
        assert client.request("POST", CM, body=cm()).status == 201
    finally:
        slow.close()
    assert client.get("/version").status == 200
