"""WATCH through the running server: initial state, resume, 410 Expired, bookmarks, timeouts,
selectors, many watchers, and changes made without any request (timers, other processes)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.clock import SystemClock
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.testing import new_test_cluster
from kapply.serve.testing import Running, serving
from tests.serve.conftest import Client

CM = "/api/v1/namespaces/default/configmaps"


def cm(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}}


class Stream:
    def __init__(self, url: str, accept: str = "application/json") -> None:
        req = urllib.request.Request(url, headers={"Accept": accept})
        self.resp = urllib.request.urlopen(req, timeout=10)

    def next(self) -> dict[str, Any]:
        line = self.resp.readline()
        assert line, "the stream ended"
        return json.loads(line)

    def ended(self) -> bool:
        return self.resp.readline() == b""

    def close(self) -> None:
        self.resp.close()


@contextmanager
def watching(server: Running, path: str, accept: str = "application/json") -> Iterator[Stream]:
    stream = Stream(server.url + path, accept)
    try:
        yield stream
    finally:
        stream.close()


def brief(event: dict[str, Any]) -> tuple[str, str]:
    return event["type"], event["object"]["metadata"].get("name", "")


def test_a_watch_without_version_starts_with_the_current_objects(server: Running, client: Client) -> None:
    client.request("POST", CM, body=cm("before"))
    with watching(server, f"{CM}?watch=1") as stream:
        assert brief(stream.next()) == ("ADDED", "before")
        client.request("POST", CM, body=cm("after"))
        assert brief(stream.next()) == ("ADDED", "after")
        client.request("DELETE", f"{CM}/before")
        event = stream.next()
        assert brief(event) == ("DELETED", "before")


def test_a_watch_resumes_after_a_resource_version(server: Running, client: Client) -> None:
    first = client.request("POST", CM, body=cm("a")).json
    client.request("POST", CM, body=cm("b"))
    obj = client.get(f"{CM}/a").json
    obj["data"] = {"x": "1"}
    client.request("PUT", f"{CM}/a", body=obj)
    with watching(
        server, f"{CM}?watch=true&resourceVersion={first['metadata']['resourceVersion']}"
    ) as stream:
        assert [brief(stream.next()) for _ in range(2)] == [("ADDED", "b"), ("MODIFIED", "a")]


def test_a_too_old_resource_version_is_410_expired(server: Running, other: SimCluster) -> None:
    with other.store.transaction():
        other.store.set_meta({"changelog_floor": 5})
    with watching(server, f"{CM}?watch=1&resourceVersion=2") as stream:
        event = stream.next()
        assert event["type"] == "ERROR"
        assert event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"
        assert event["object"]["message"] == "too old resource version: 2 (5)"
        assert stream.ended()


def test_timeout_ends_the_stream_after_a_bookmark(server: Running, client: Client) -> None:
    rv = client.get(CM).json["metadata"]["resourceVersion"]
    start = time.monotonic()
    with watching(
        server, f"{CM}?watch=1&resourceVersion={rv}&timeoutSeconds=2&allowWatchBookmarks=true"
    ) as s:
        event = s.next()
        assert event["type"] == "BOOKMARK"
        assert event["object"] == {
            "kind": "ConfigMap",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": rv},
        }
        assert s.ended()
    assert 1.5 < time.monotonic() - start < 5


def test_send_initial_events_ends_them_with_an_annotated_bookmark(server: Running, client: Client) -> None:
    client.request("POST", CM, body=cm("a"))
    path = f"{CM}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
    with watching(server, path) as stream:
        assert brief(stream.next()) == ("ADDED", "a")
        end = stream.next()
        assert end["type"] == "BOOKMARK"
        assert end["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    refused = Client(server.url).get(f"{CM}?watch=1&sendInitialEvents=true")
    assert refused.status == 422


def test_selector_watches_see_objects_leave_and_enter(server: Running, client: Client) -> None:
    client.request("POST", CM, body=cm("a", app="web"))
    with watching(server, f"{CM}?watch=1&labelSelector=app%3Dweb") as stream:
        assert brief(stream.next()) == ("ADDED", "a")
        obj = client.get(f"{CM}/a").json
        obj["metadata"]["labels"] = {"app": "db"}
        obj = client.request("PUT", f"{CM}/a", body=obj).json
        assert brief(stream.next()) == ("DELETED", "a")
        obj["metadata"]["labels"] = {"app": "web"}
        client.request("PUT", f"{CM}/a", body=obj)
        assert brief(stream.next()) == ("ADDED", "a")


def test_a_named_watch_and_the_watch_prefix(server: Running, client: Client) -> None:
    client.request("POST", CM, body=cm("a"))
    client.request("POST", CM, body=cm("b"))
    with watching(server, "/api/v1/watch/namespaces/default/configmaps/b") as stream:
        assert brief(stream.next()) == ("ADDED", "b")
        client.request("DELETE", f"{CM}/a")
        client.request("DELETE", f"{CM}/b")
        assert brief(stream.next()) == ("DELETED", "b")


def test_many_watchers_each_get_every_event(server: Running, client: Client) -> None:
    streams = [Stream(f"{server.url}{CM}?watch=1") for _ in range(20)]
    try:
        client.request("POST", CM, body=cm("x"))
        assert all(brief(s.next()) == ("ADDED", "x") for s in streams)
    finally:
        for s in streams:
            s.close()


def test_table_watch_events_are_one_row_tables(server: Running, client: Client) -> None:
    client.request("POST", CM, body=cm("a"))
    with watching(server, f"{CM}?watch=1", accept="application/json;as=Table;v=v1;g=meta.k8s.io") as stream:
        event = stream.next()
        assert event["type"] == "ADDED" and event["object"]["kind"] == "Table"
        assert event["object"]["rows"][0]["cells"][:2] == ["a", "0"]


def test_another_processes_write_reaches_the_watchers(server: Running, other: SimCluster) -> None:
    with watching(server, f"{CM}?watch=1") as stream:
        start = time.monotonic()
        other.create(cm("from-elsewhere"))
        assert brief(stream.next()) == ("ADDED", "from-elsewhere")
        assert time.monotonic() - start < 1.0


@pytest.fixture
def realtime(tmp_path: Path) -> Iterator[Running]:
    cluster = new_test_cluster(tmp_path, clock=SystemClock(), manual_clock=False, pod_startup=0.3)
    with serving(cluster, tmp_path) as running:
        yield running


def test_timers_fire_without_requests(realtime: Running) -> None:
    client = Client(realtime.url)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    client.request("POST", "/api/v1/namespaces/default/pods", body=pod)
    with watching(
        realtime, "/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3Dp"
    ) as stream:
        deadline = time.monotonic() + 10
        phase = ""
        while phase != "Running" and time.monotonic() < deadline:
            phase = stream.next()["object"].get("status", {}).get("phase", "")
        assert phase == "Running"
