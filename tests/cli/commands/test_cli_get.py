"""`kapply get` through the in-process CLI against a real embedded cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

APP = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
"""


@pytest.fixture
def cluster(run_cli, tmp_path: Path):
    (tmp_path / "app.yaml").write_text(APP)
    assert run_cli("cluster", "create", "default", "--nodes", "2", "--manual-clock").exit_code == 0
    assert run_cli("apply", str(tmp_path / "app.yaml")).exit_code == 0
    assert run_cli("cluster", "advance", "30s").exit_code == 0
    return run_cli


def test_names_across_namespaces(cluster) -> None:
    res = cluster("get", "pods", "-A", "-o", "name")
    lines = res.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith("pod/web-") for line in lines)
    assert cluster("get", "deploy", "-n", "shop", "-o", "name").stdout == "deployment.apps/web\n"
    assert cluster("get", "deploy", "-l", "tier=front", "-n", "shop", "-o", "name").stdout == \
        "deployment.apps/web\n"
    assert cluster("get", "deploy", "-l", "tier=back", "-n", "shop", "-o", "name").stdout == ""


def test_tables_as_kubectl(cluster) -> None:
    out = cluster("get", "svc", "-n", "shop").stdout.splitlines()
    assert out[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert out[1].split()[:5] == ["web", "NodePort", out[1].split()[2], "<none>", "80:30080/TCP"]
    wide = cluster("get", "pods", "-n", "shop", "-o", "wide").stdout.splitlines()
    assert wide[0].split()[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    assert all(line.split()[2] == "Running" and line.split()[5].startswith("10.244.") for line in wide[1:])
    every = cluster("get", "deploy,svc", "-A").stdout
    assert "NAMESPACE" in every and "deployment.apps/web" in every and "service/web" in every


def test_json_list_and_single(cluster) -> None:
    many = json.loads(cluster("get", "deploy", "-n", "shop", "-o", "json").stdout)
    assert many["kind"] == "List" and many["items"][0]["metadata"]["name"] == "web"
    one = json.loads(cluster("get", "deploy/web", "-n", "shop", "-o", "json").stdout)
    assert one["kind"] == "Deployment" and one["status"]["readyReplicas"] == 2


def test_managed_fields_only_on_request(cluster) -> None:
    """As kubectl: -o json|yaml hide metadata.managedFields unless --show-managed-fields."""
    plain = json.loads(cluster("get", "deploy/web", "-n", "shop", "-o", "json").stdout)
    assert "managedFields" not in plain["metadata"]
    shown = json.loads(cluster("get", "deploy/web", "-n", "shop", "-o", "json",
                               "--show-managed-fields").stdout)
    entries = shown["metadata"]["managedFields"]
    assert [(e["manager"], e["operation"]) for e in entries] == [("kapply", "Update")]
    assert "f:replicas" in entries[0]["fieldsV1"]["f:spec"]


def test_missing_and_unknown(cluster) -> None:
    res = cluster("get", "deploy/nope", "-n", "shop")
    assert res.exit_code == 1
    assert 'deployments.apps "nope" not found' in res.stderr
    res = cluster("get", "widgets")
    assert res.exit_code == 1  # as kubectl
    assert 'the server doesn\'t have a resource type "widgets"' in res.stderr
    res = cluster("get", "pods", "-n", "empty")
    assert res.exit_code == 0 and "No resources found in empty namespace." in res.stderr


def test_missing_name_prints_only_the_error(cluster) -> None:
    # kubectl prints "No resources found" only when there was no error
    res = cluster("get", "deploy", "nope", "-n", "shop")
    assert res.exit_code == 1
    assert res.stderr == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    res = cluster("get", "deploy", "nope", "-n", "shop", "-o", "json")
    assert (res.exit_code, res.stdout) == (1, "")


def test_nothing_found_outside_one_namespace(cluster) -> None:
    # kubectl: cluster-scoped kinds and -A say "No resources found", with no namespace and no period
    assert cluster("get", "pods", "-A", "-l", "app=none").stderr == "No resources found\n"
    assert cluster("get", "nodes", "-l", "app=none").stderr == "No resources found\n"
    assert cluster("get", "pods", "-l", "app=none", "-n", "shop").stderr == \
        "No resources found in shop namespace.\n"


@pytest.mark.parametrize(("selector", "message"), [
    ("app in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
    ("app=a=b", "found '=', expected: ',' or 'end of string'"),
    ("app=a b", "found 'b', expected: ',' or 'end of string'"),
    ("a/b/c=x", 'unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key must consist'),
    ("app=" + "x" * 64, 'unable to parse requirement: values[0][app]: Invalid value: "' + "x" * 64
     + '": must be no more than 63 characters'),
])
def test_invalid_label_selectors_are_refused(cluster, selector: str, message: str) -> None:
    # kubectl refuses them (labels.Parse); matching nothing would hide the typo
    for args in (("get", "pods", "-l", selector), ("delete", "pods", "-l", selector)):
        res = cluster(*args, "-n", "shop")
        assert res.exit_code == 2 and res.stderr.startswith("error: " + message), res.stderr
    assert len(cluster("get", "pods", "-n", "shop", "-o", "name").stdout.splitlines()) == 2
