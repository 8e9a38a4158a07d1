"""`kapply serve`'s lifecycle: credentials, the cluster thread, the HTTP server, the kubeconfig,
and a clean stop.

The HTTP stack is uvicorn (an ASGI server, h11 or httptools underneath) running the Starlette app
of `app.py`. Start-up order: TLS material if needed, the cluster thread (which catches the cluster
up and loads it into memory once), the listening socket (`--port 0` takes a free one), then the
kubeconfig entry and the one line saying where it all is. SIGINT or SIGTERM stops accepting
connections, ends every watch stream cleanly, lets the requests in flight finish (every write is
committed before it is answered, so nothing is lost), stops the cluster thread and returns.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import uvicorn

from kapply.errors import UsageError
from kapply.serve import kubeconfig, tls
from kapply.serve.app import State, build_app
from kapply.serve.hub import Hub
from kapply.serve.worker import ClusterWorker

log = logging.getLogger("kapply.serve")
GRACE_SECONDS = 30  # for requests in flight after a stop signal


@dataclass(frozen=True)
class ServeOptions:
    name: str  # the cluster's name: the kubeconfig entries are kapply-NAME
    address: str = "127.0.0.1"
    port: int = 6443
    kubeconfig: Path | None = None  # write only here; None: the file kubectl uses
    secure: bool = False  # TLS and a token even on loopback
    credentials_dir: Path | None = None  # where TLS material lives ($KAPPLY_HOME/serve/NAME)


def _listen(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on such sockets' connections, and
    # without it an answer written in two parts waits 40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {address}:{port}: {exc.strerror or exc}") from None
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def serve(
    cluster: Any,
    options: ServeOptions,
    out: TextIO,
    on_ready: Callable[[str, Callable[[], None]], None] | None = None,
) -> None:
    """Serve `cluster` until SIGINT / SIGTERM, or until the `stop` handed to `on_ready(url, stop)`
    is called (from any thread)."""
    secure = options.secure or not tls.is_loopback(options.address)
    creds = None
    if secure:
        if options.credentials_dir is None:
            raise UsageError("TLS needs a credentials directory")
        creds = tls.ensure_credentials(options.credentials_dir, options.address)
    sock = _listen(options.address, options.port)
    port = sock.getsockname()[1]
    shown = options.address if options.address not in ("0.0.0.0", "::") else socket.gethostname()
    url = f"{'https' if secure else 'http'}://{f'[{shown}]' if ':' in shown else shown}:{port}"

    async def main() -> None:
        loop = asyncio.get_running_loop()
        worker = ClusterWorker(cluster)
        worker.start()
        hub = await asyncio.wrap_future(worker.submit(lambda: Hub(cluster, loop, log.warning)))
        worker.on_change = hub.pump
        state = State(worker, hub, f"{shown}:{port}", creds.token if creds else "")
        config = uvicorn.Config(
            build_app(state),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=GRACE_SECONDS,
            server_header=False,
            ssl_certfile=str(creds.cert_file) if creds else None,
            ssl_keyfile=str(creds.key_file) if creds else None,
        )
        server = _Server(config, lambda: worker.submit(hub.close_all))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.005)
        if server.started:
            entry = kubeconfig.Entry(
                f"kapply-{options.name}",
                url,
                base64.b64encode(creds.ca_pem).decode() if creds else "",
                creds.token if creds else "",
            )
            path = options.kubeconfig or kubeconfig.default_path()
            try:
                kubeconfig.write_entry(path, entry)
            except Exception:
                server.should_exit = True
                await task
                worker.stop()
                raise
            out.write(
                f"serving cluster {options.name!r} at {url}; kubeconfig {path}, context {entry.name}"
                f"{' (TLS, bearer token)' if secure else ''}\n"
            )
            out.flush()
            if on_ready is not None:

                def stop() -> None:
                    loop.call_soon_threadsafe(server.handle_exit, signal.SIGTERM, None)

                on_ready(url, stop)
        try:
            await task
        finally:
            worker.submit(hub.close_all)
            worker.stop()

    asyncio.run(main())


class _Server(uvicorn.Server):
    """uvicorn's Server whose stop signal also ends the watch streams, and which does not re-raise
    the signal afterwards (the command exits 0 after a clean stop)."""

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], Any]) -> None:
        super().__init__(config)
        self._on_stop = on_stop

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True  # a second signal: stop waiting for the requests in flight
        self.should_exit = True
        self._on_stop()
