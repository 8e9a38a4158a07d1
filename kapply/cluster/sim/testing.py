"""Helpers for tests of the embedded cluster: a fresh cluster on a fake clock.

    cluster = new_test_cluster(tmp_path, nodes=3)
    cluster.create({...})
    cluster.advance(5)          # everything due in the next 5 virtual seconds runs, in order
    cluster.advance_until_idle()

`cluster.clock` is the FakeClock (wall time); with the default manual clock only `advance`
moves virtual time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.home import create_cluster
from kapply.cluster.sim.settings import ClusterSettings


def new_test_cluster(tmp_path: Path, name: str = "test", clock: FakeClock | None = None,
                     **settings: Any) -> SimCluster:
    """A new cluster under `tmp_path` with a manual clock (time moves only with advance)."""
    clock = clock or FakeClock()
    settings.setdefault("manual_clock", True)
    return create_cluster(name, ClusterSettings(**settings), home=tmp_path, clock=clock)
