"""A `kapply serve` running in a background thread, for tests and benchmarks.

    with serving(cluster, tmp_path) as server:
        urllib.request.urlopen(server.url + "/version")

The server is the real one (uvicorn, the cluster thread, the watch hub) on 127.0.0.1 and a free
port; leaving the block stops it as SIGTERM would.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kapply.serve.server import ServeOptions, serve


@dataclass
class Running:
    url: str = ""
    kubeconfig: Path = Path()
    output: io.StringIO = field(default_factory=io.StringIO)
    stop: Callable[[], None] = lambda: None
    error: BaseException | None = None


@contextmanager
def serving(cluster: Any, directory: Path, secure: bool = False, timeout: float = 30.0) -> Iterator[Running]:
    """Serve `cluster` on 127.0.0.1:0 with its kubeconfig in `directory`; stop on exit."""
    running = Running(kubeconfig=directory / "kubeconfig")
    ready = threading.Event()

    def on_ready(url: str, stop: Callable[[], None]) -> None:
        running.url, running.stop = url, stop
        ready.set()

    def main() -> None:
        try:
            serve(
                cluster,
                ServeOptions(
                    cluster.name, "127.0.0.1", 0, running.kubeconfig, secure, directory / "credentials"
                ),
                running.output,
                on_ready,
            )
        except BaseException as exc:  # handed to the test
            running.error = exc
            ready.set()

    thread = threading.Thread(target=main, name="kapply-serve", daemon=True)
    thread.start()
    if not ready.wait(timeout) or running.error is not None:
        raise RuntimeError(f"the server did not start: {running.error!r}")
    try:
        yield running
    finally:
        running.stop()
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError("the server did not stop")
