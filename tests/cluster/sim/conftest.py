"""Fixtures for embedded-cluster tests: a fresh cluster on a manual, fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.testing import new_test_cluster


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path)
