"""`kapply serve` judged by real kubectl: discovery, version, reads (skipped without kubectl)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.e2e.kubectl import Served, kubectl_binaries

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path)
    yield server
    server.stop()


def test_serve_prints_one_line_and_writes_the_kubeconfig(served: Served) -> None:
    assert served.line == (
        f"serving cluster 'default' at {served.url}; kubeconfig {served.kubeconfig}, context kapply-default\n"
    )
    doc = yaml.safe_load(served.kubeconfig.read_text())
    assert doc["current-context"] == "kapply-default"
    assert doc["clusters"] == [{"name": "kapply-default", "cluster": {"server": served.url}}]


def test_kubectl_sees_the_cluster(served: Served) -> None:
    assert "Server Version: v1.34.0" in served.ok("version")
    nodes = served.ok("get", "nodes")
    assert nodes.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert nodes.splitlines()[1].split()[:3] == ["minikube", "Ready", "control-plane"]
    assert served.ok("get", "ns", "-o", "name").split() == [
        "namespace/default",
        "namespace/kube-node-lease",
        "namespace/kube-public",
        "namespace/kube-system",
    ]
    resources = [line.split() for line in served.ok("api-resources").splitlines()]
    assert ["deployments", "deploy", "apps/v1", "true", "Deployment"] in resources
    assert ["nodes", "no", "v1", "false", "Node"] in resources
    assert served.ok("get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}") == "10.96.0.1"


def test_sigterm_and_sigint_stop_the_server_with_status_0(tmp_path: Path) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        server = Served(tmp_path / sig.name)
        server.ok("get", "nodes")
        assert server.stop(sig) == 0


@pytest.mark.parametrize("version", sorted(v for v in kubectl_binaries() if v != "default"))
def test_every_kubectl_version_lists_and_reads(tmp_path: Path, version: str) -> None:
    server = Served(tmp_path, kubectl=version)
    try:
        assert "minikube" in server.ok("get", "nodes")
        assert server.ok("get", "node", "minikube", "-o", "jsonpath={.metadata.name}") == "minikube"
        missing = server.kubectl("get", "pod", "nope")
        assert missing.code == 1
        assert missing.err.strip() == 'Error from server (NotFound): pods "nope" not found'
    finally:
        server.stop()
