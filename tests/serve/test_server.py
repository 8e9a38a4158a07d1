"""The server's lifecycle and socket: the port, a clean stop, no Nagle delay on answers."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.parse

import pytest

from kapply.errors import UsageError
from kapply.serve.server import _listen
from kapply.serve.testing import Running


def test_the_listening_socket_sends_answers_at_once() -> None:
    sock = _listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY on such connections only
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        sock.close()


def test_sequential_requests_on_one_connection_do_not_wait_for_delayed_acks(server: Running) -> None:
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(server.url).netloc, timeout=10)
    start = time.perf_counter()
    for _ in range(20):
        conn.request("GET", "/api/v1/namespaces/default/configmaps")
        assert conn.getresponse().read()
    conn.close()
    assert time.perf_counter() - start < 0.6  # 40 ms each with Nagle and delayed ACKs: 0.8 s


def test_a_taken_port_is_a_usage_error() -> None:
    taken = _listen("127.0.0.1", 0)
    try:
        with pytest.raises(UsageError, match=r"cannot listen on 127\.0\.0\.1"):
            _listen("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()
