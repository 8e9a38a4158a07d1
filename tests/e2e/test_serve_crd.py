"""Custom resources through `kapply serve`, judged by real kubectl: `kubectl apply` a CRD, then its
custom resources; `kubectl get crontabs` prints the CRD's additionalPrinterColumns (server-side
Table), short names and discovery work, deleting the CRD deletes them (skipped without kubectl)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.kubectl import Served

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "crontab"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path)
    yield server
    server.stop()


def test_kubectl_applies_a_crd_and_gets_its_resources(served: Served) -> None:
    assert served.ok("apply", "-f", str(EXAMPLES / "crd.yaml")) == \
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n"
    assert "condition met" in served.ok("wait", "--for=condition=Established",
                                        "crd/crontabs.stable.example.com", "--timeout=30s")
    assert served.ok("apply", "-f", str(EXAMPLES / "crontab.yaml")) == \
        "crontab.stable.example.com/my-new-cron-object created\n"
    header, row = served.ok("get", "crontabs").splitlines()
    assert header.split() == ["NAME", "SPEC", "REPLICAS", "AGE"]
    assert row.split()[:7] == ["my-new-cron-object", "*", "*", "*", "*", "*/5", "1"]
    assert served.ok("get", "ct", "-o", "name") == "crontab.stable.example.com/my-new-cron-object\n"
    assert served.ok("get", "crontab", "my-new-cron-object", "-o", "jsonpath={.spec.replicas}") == "1"
    listed = served.ok("api-resources", "--api-group=stable.example.com")
    resources = [line.split() for line in listed.splitlines()]
    assert ["crontabs", "ct", "stable.example.com/v1", "true", "CronTab"] in resources
    refused = served.kubectl("apply", "-f", "-", input="apiVersion: stable.example.com/v1\nkind: CronTab\n"
                             "metadata:\n  name: bad\nspec:\n  cronSpec: '* * * * *'\n  replicas: 20\n")
    assert refused.code == 1
    assert "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10" \
        in refused.err
    explained = served.ok("explain", "crontab.spec")
    assert "KIND:       CronTab" in explained and "replicas\t<integer>" in explained
    assert "deleted" in served.ok("delete", "crd", "crontabs.stable.example.com")
    gone = served.kubectl("get", "crontabs")
    assert gone.code == 1


def test_kubectl_drain_waits_for_a_disruption_budget(tmp_path: Path) -> None:
    served = Served(tmp_path, setup=("cluster", "create", "default", "--nodes", "2"))
    try:
        deployment = (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
            "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
            "    spec:\n      terminationGracePeriodSeconds: 1\n      containers:\n      - name: c\n"
            "        image: nginx\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n"
            "  name: web\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {app: web}\n")
        served.ok("apply", "-f", "-", input=deployment)
        served.ok("rollout", "status", "deployment/web", "--timeout=60s")
        served.ok("wait", "--for=jsonpath={.status.disruptionsAllowed}=1", "pdb/web", "--timeout=30s")
        nodes = served.ok("get", "pods", "-o", "jsonpath={.items[*].spec.nodeName}").split()
        busiest = max(set(nodes), key=nodes.count)
        assert nodes.count(busiest) == 2
        drained = served.kubectl("drain", busiest, "--grace-period=1", "--timeout=90s", timeout=120)
        assert drained.code == 0, drained.err
        assert "Cannot evict pod as it would violate the pod's disruption budget." in drained.err
        assert "(will retry after 5s)" in drained.err
        assert f"node/{busiest} drained" in drained.out
    finally:
        served.stop()
