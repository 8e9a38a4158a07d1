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


CONFIGMAPS = """apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, labels: {app: web}}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config, labels: {app: db}}
data: {b: "2"}
"""


def test_kubectl_create_get_select_and_delete(served: Served) -> None:
    assert served.ok("create", "-f", "-", input=CONFIGMAPS).split("\n")[:2] == [
        "configmap/web-config created",
        "configmap/db-config created",
    ]
    assert served.ok("get", "cm", "-l", "app=web", "-o", "name") == "configmap/web-config\n"
    assert (
        served.ok("get", "cm", "--field-selector", "metadata.name=db-config", "-o", "name")
        == "configmap/db-config\n"
    )
    dup = served.kubectl("create", "-f", "-", input=CONFIGMAPS)
    assert (
        dup.code == 1
        and 'Error from server (AlreadyExists): error when creating "STDIN": configmaps '
        '"web-config" already exists'
        in dup.err
    )
    assert "deployment.apps/web created" in served.ok(
        "create", "deployment", "web", "--image=nginx:1.27", "--replicas=0"
    )
    assert served.ok("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}") == "0"
    assert served.ok("delete", "cm", "-l", "app=web") == 'configmap "web-config" deleted\n'
    assert served.ok("get", "cm", "-o", "name").split() == [
        "configmap/db-config",
        "configmap/kube-root-ca.crt",
    ] or served.ok("get", "cm", "-o", "name").split() == ["configmap/db-config"]


def test_kubectl_explain_reads_the_openapi_descriptions(served: Served) -> None:
    out = served.ok("explain", "deployment.spec.replicas")
    assert out.split("\n")[:5] == [
        "GROUP:      apps",
        "KIND:       Deployment",
        "VERSION:    v1",
        "",
        "FIELD: replicas <integer>",
    ]
    assert "Number of desired pods." in out
    fields = served.ok("explain", "pods.spec.containers")
    assert "FIELD: containers <[]Container>" in fields and "image\t<string>" in fields


def test_kubectl_validation_is_the_servers(served: Served) -> None:
    bad = served.kubectl(
        "create", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbogus: 1\n"
    )
    assert bad.code == 1
    assert bad.err.strip() == (
        'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version '
        '"v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"'
    )
    warned = served.kubectl(
        "create",
        "--validate=warn",
        "-f",
        "-",
        input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbogus: 1\n",
    )
    assert warned.code == 0 and 'Warning: unknown field "bogus"' in warned.err


APP = Path(__file__).resolve().parents[2] / "manifests"


def test_kubectl_get_prints_what_kapply_get_prints(tmp_path: Path) -> None:
    server = Served(
        tmp_path,
        cluster="demo",
        setup=(
            "cluster",
            "create",
            "demo",
            "--nodes",
            "2",
            "--manual-clock",
            "--lb-pool",
            "192.168.49.100-192.168.49.110",
        ),
    )
    try:
        assert server.kapply("apply", str(APP), "--cluster", "demo").code == 0
        assert server.kapply("cluster", "advance", "5s", "--cluster", "demo").code == 0
        assert "Running" in server.ok("get", "pods")
        for args in (
            ["pods"],
            ["pods", "-o", "wide"],
            ["deploy", "-o", "wide"],
            ["svc"],
            ["svc", "-o", "wide"],
            ["pods", "-A"],
            ["pods", "--show-labels"],
            ["nodes", "-o", "wide"],
            ["rs"],
            ["ns"],
            ["events"],
            ["deploy,svc"],
            ["cm", "-A"],
        ):
            expected = server.kapply("get", *args, "--cluster", "demo")
            got = server.kubectl("get", *args)
            assert (got.out, got.code) == (expected.out, expected.code), args
    finally:
        server.stop()


def test_kubectl_over_tls_with_the_token(tmp_path: Path) -> None:
    server = Served(tmp_path, extra=("--tls",))
    try:
        assert server.url.startswith("https://127.0.0.1:") and "(TLS, bearer token)" in server.line
        assert "minikube" in server.ok("get", "nodes")
        doc = yaml.safe_load(server.kubeconfig.read_text())
        token = doc["users"][0]["user"]["token"]
        assert token not in server.output()
        denied = server.kubectl("get", "nodes", "--token", "wrong")
        assert denied.code == 1 and "Unauthorized" in denied.err
    finally:
        server.stop()
