"""A CronTab CRD (the Kubernetes documentation's, from examples/crontab) and helpers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "crontab"


@pytest.fixture
def crontab_crd() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "crd.yaml").read_text()))


@pytest.fixture
def crontab() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "crontab.yaml").read_text()))
