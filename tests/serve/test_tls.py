"""TLS and the bearer token (what any non-loopback --address gets; --tls asks for it on loopback)."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kapply.cluster.sim.cluster import SimCluster
from kapply.serve.testing import Running, serving
from kapply.serve.tls import ensure_credentials, is_loopback


@pytest.fixture
def secure(cluster: SimCluster, tmp_path: Path) -> Iterator[Running]:
    with serving(cluster, tmp_path, secure=True) as running:
        yield running


def context(server: Running) -> tuple[ssl.SSLContext, str]:
    doc = yaml.safe_load(server.kubeconfig.read_text())
    ca = base64.b64decode(doc["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
    return ssl.create_default_context(cadata=ca), doc["users"][0]["user"]["token"]


def get(server: Running, path: str, token: str | None, ctx: ssl.SSLContext) -> tuple[int, dict]:
    req = urllib.request.Request(server.url + path)
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_requests_need_the_token_over_verified_tls(secure: Running) -> None:
    assert secure.url.startswith("https://127.0.0.1:")
    ctx, token = context(secure)
    assert len(token) == 64
    assert get(secure, "/api/v1/nodes", token, ctx)[0] == 200
    for wrong in (None, "nope", token[:-1]):
        status, body = get(secure, "/api/v1/nodes", wrong, ctx)
        assert (status, body) == (
            401,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": "Unauthorized",
                "reason": "Unauthorized",
                "code": 401,
            },
        )
    assert token not in secure.output.getvalue()
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(secure.url + "/version", context=ssl.create_default_context(), timeout=10)


def test_credentials_are_kept_and_the_certificate_follows_the_address(tmp_path: Path) -> None:
    first = ensure_credentials(tmp_path, "127.0.0.1")
    cert = first.cert_file.read_bytes()
    again = ensure_credentials(tmp_path, "127.0.0.1")
    assert (again.token, again.ca_pem, again.cert_file.read_bytes()) == (first.token, first.ca_pem, cert)
    moved = ensure_credentials(tmp_path, "10.1.2.3")
    assert moved.ca_pem == first.ca_pem and moved.cert_file.read_bytes() != cert
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("example.com", False),
    ],
)
def test_what_counts_as_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
