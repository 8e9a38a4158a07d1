"""A plan with a CRD and its custom resources, on a target without transactions (a real cluster's
shape): the custom resources' dry run waits for the CRD, they are written once it is Established,
and a CRD that never establishes fails its custom resources by name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kapply.apply.applier import await_established, execute
from kapply.apply.reconcile import PlanOptions, plan_objects
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import ClusterError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "crontab"


class NoTransactions:
    """The embedded cluster behind the plain Cluster protocol and Discovery only."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.name = inner.name

    def __getattr__(self, name: str) -> Any:
        if name in ("session", "advance", "next_due", "settings"):
            raise AttributeError(name)
        return getattr(self._inner, name)

    def served_kinds(self) -> Any:
        return self._inner.served_kinds()


def test_custom_resources_follow_their_crd_on_a_target_without_transactions(tmp_path: Path) -> None:
    cluster = NoTransactions(new_test_cluster(tmp_path))
    objs = [yaml.safe_load((EXAMPLES / f).read_text()) for f in ("crontab.yaml", "crd.yaml")]
    plan, inventory = plan_objects(cluster, objs, None, PlanOptions())
    assert [c.key.kind for c in plan.changes] == ["CustomResourceDefinition", "CronTab"]
    report = execute(cluster, plan, inventory)
    assert [o.line() for o in report.outcomes] == [
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created",
        "crontab.stable.example.com/my-new-cron-object created",
    ]
    assert cluster.get("CronTab", "default", "my-new-cron-object", group="stable.example.com")


def test_a_crd_that_never_establishes_is_named(tmp_path: Path) -> None:
    class Stuck:
        def get(self, kind: str, namespace: str, name: str, **_: Any) -> dict[str, Any]:
            return {"status": {"conditions": [{"type": "Established", "status": "False"}]}}

    slept: list[float] = []
    never = re.escape("customresourcedefinition crontabs.stable.example.com was not established within 0s")
    with pytest.raises(ClusterError, match=never):
        await_established(Stuck(), ["crontabs.stable.example.com"], timeout=0, sleep=slept.append)
