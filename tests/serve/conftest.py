"""Fixtures for `kapply serve`: a real server (uvicorn, cluster thread, hub) on 127.0.0.1:0 in a
background thread, and a small HTTP client for it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.store import Store
from kapply.cluster.sim.testing import new_test_cluster
from kapply.serve.testing import Running, serving


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    def __init__(self, url: str, token: str = "") -> None:
        self.url = url
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> Answer:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        req.add_header("Accept", accept)
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return Answer(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.headers, exc.read())

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path)


@pytest.fixture
def other(cluster: SimCluster) -> Iterator[SimCluster]:
    """Another process's handle on the served cluster's file (the served one belongs to the
    server's cluster thread: a test never touches it while serving)."""
    handle = SimCluster(cluster.name, Store.open(cluster.store.path), cluster.clock)
    yield handle
    handle.close()


@pytest.fixture
def server(cluster: SimCluster, tmp_path: Path) -> Iterator[Running]:
    with serving(cluster, tmp_path) as running:
        yield running


@pytest.fixture
def client(server: Running) -> Client:
    return Client(server.url)
