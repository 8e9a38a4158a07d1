"""What the kubectl-style commands (describe, events, logs, scale, delete) share.

kubectl reports an API error as `Error from server (NotFound): pods "x" not found` and keeps going
with the other arguments, exiting 1 at the end; `server_error` renders that line. `open_sim`
opens the embedded cluster for one command and closes it afterwards.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kapply.errors import ClusterError


@contextmanager
def open_sim(name: str) -> Iterator[Any]:
    """The embedded cluster `name`, caught up to now, closed when the command ends."""
    from kapply.cluster.sim import open_cluster

    sim = open_cluster(name)
    try:
        yield sim
    finally:
        sim.close()


def server_error(exc: ClusterError) -> str:
    """kubectl's line for an API error: `Error from server (Reason): message`."""
    return f"Error from server ({exc.reason}): {exc}"


def report(exc: ClusterError) -> None:
    sys.stderr.write(server_error(exc) + "\n")


def namespace_of(namespace: str | None) -> str:
    return namespace or "default"


def qualified(info: Any) -> str:
    """`deployment.apps`, `pod`: the kind as kubectl names it in `scaled` / `deleted` lines."""
    return f"{info.singular}.{info.group}" if info.group else info.singular
