"""Shared by the watch tests: an embedded cluster on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.testing import new_test_cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Any]:
    c = new_test_cluster(tmp_path / "state", nodes=1)
    yield c
    c.close()
