"""kubectl's get habits: templates, sorting, selectors, label columns, headers, watch, exit statuses."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.commands.test_cli_get import APP
from tests.cli.commands.test_cli_get import cluster as cluster  # the shop app, running


def test_jsonpath_as_kubectl(cluster) -> None:
    names = cluster("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].metadata.name}").stdout
    assert len(names.split(" ")) == 2 and not names.endswith("\n")  # kubectl adds no newline
    lines = cluster("get", "pods", "-n", "shop", "-o",
                    'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}').stdout
    assert [line.split("\t")[1] for line in lines.splitlines()] == ["Running", "Running"]
    one = cluster("get", "deploy/web", "-n", "shop", "-o", "jsonpath={.spec.replicas}")
    assert one.stdout == "2"
    chosen = cluster("get", "nodes", "-o", 'jsonpath={.items[?(@.metadata.name=="minikube")].metadata.name}')
    assert chosen.stdout == "minikube"
    bad = cluster("get", "pods", "-o", "jsonpath={.items[*")
    assert bad.exit_code == 2 and "error parsing jsonpath {.items[*, unterminated array" in bad.stderr
    no_template = cluster("get", "pods", "-o", "jsonpath")
    assert no_template.exit_code == 2
    assert "jsonpath format specified but no template given" in no_template.stderr


def test_jsonpath_file(cluster, tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("{.metadata.name} has {.spec.replicas}")
    res = cluster("get", "deploy/web", "-n", "shop", "-o", f"jsonpath-file={tmp_path / 't.txt'}")
    assert res.stdout == "web has 2"


def test_custom_columns(cluster, tmp_path: Path) -> None:
    res = cluster("get", "pods", "-n", "shop", "-o",
                  "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image,GONE:.spec.nothing")
    rows = [line.split() for line in res.stdout.splitlines()]
    assert rows[0] == ["NAME", "IMAGE", "GONE"]
    assert [row[1:] for row in rows[1:]] == [["nginx:1.27", "<none>"]] * 2
    headless = cluster("get", "svc", "web", "-n", "shop", "--no-headers",
                       "-o", "custom-columns=P:spec.ports[*].port")
    assert headless.stdout == "80\n"
    (tmp_path / "cols").write_text("NAME   REPLICAS\n.metadata.name   {.spec.replicas}\n")
    filed = cluster("get", "deploy", "-n", "shop", "-o", f"custom-columns-file={tmp_path / 'cols'}")
    assert [line.split() for line in filed.stdout.splitlines()] == [["NAME", "REPLICAS"], ["web", "2"]]
    bad = cluster("get", "pods", "-o", "custom-columns=NAME")
    assert bad.exit_code == 2 and "expected <header>:<json-path-expr>" in bad.stderr


def test_sort_by_field_selector_and_label_columns(cluster) -> None:
    nodes = cluster("get", "nodes", "--sort-by", "{.metadata.name}", "-o", "name").stdout.splitlines()
    assert nodes == sorted(nodes) and len(nodes) == 2
    backwards = cluster("get", "pods", "-A", "--sort-by", ".metadata.creationTimestamp", "-o", "name").stdout
    assert len(backwards.splitlines()) == 2
    running = cluster("get", "pods", "-n", "shop", "--field-selector", "status.phase=Running", "-o", "name")
    assert len(running.stdout.splitlines()) == 2
    none = cluster("get", "pods", "-n", "shop", "--field-selector", "status.phase!=Running")
    assert none.stdout == "" and "No resources found in shop namespace." in none.stderr
    unsupported = cluster("get", "pods", "--field-selector", "spec.bogus=1")
    assert unsupported.exit_code != 0 and "field label not supported: spec.bogus" in unsupported.stderr
    table = cluster("get", "pods", "-n", "shop", "-L", "app,pod-template-hash", "-L", "missing")
    table = table.stdout.splitlines()
    assert table[0].split()[-3:] == ["APP", "POD-TEMPLATE-HASH", "MISSING"]
    assert table[1].split()[5] == "web"


def test_no_headers(cluster) -> None:
    lines = cluster("get", "deploy", "-n", "shop", "--no-headers").stdout.splitlines()
    assert len(lines) == 1 and lines[0].split()[:2] == ["web", "2/2"]
    wide = cluster("get", "pods", "-n", "shop", "-o", "wide", "--no-headers").stdout.splitlines()
    assert len(wide) == 2 and not any("NAME" in line for line in wide)


def test_yaml_as_kubectl_prints_it(cluster) -> None:
    text = cluster("get", "svc", "web", "-n", "shop", "-o", "yaml").stdout
    assert text.startswith("apiVersion: v1\nkind: Service\nmetadata:\n")
    assert '  creationTimestamp: "' in text and '  resourceVersion: "' in text  # go-yaml quotes these
    listed = cluster("get", "svc", "-n", "shop", "-o", "yaml").stdout
    assert listed.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n")
    assert listed.endswith('kind: List\nmetadata:\n  resourceVersion: ""\n')


def test_missing_objects_and_types_exit_1(cluster) -> None:
    assert cluster("get", "deploy", "nope", "-n", "shop").exit_code == 1
    unknown = cluster("get", "gizmos")
    assert unknown.exit_code == 1
    assert unknown.stderr == 'error: the server doesn\'t have a resource type "gizmos"\n'
    several = cluster("get", "pods,svc", "-w")
    assert several.exit_code == 2 and "watch is only supported on individual resources" in several.stderr


def test_watch_without_changes_ends_at_the_request_timeout(cluster) -> None:
    began = time.monotonic()
    res = cluster("get", "deploy", "-n", "shop", "-w", "--request-timeout", "0.5s")
    assert res.exit_code == 0 and res.stdout.splitlines()[0].split()[0] == "NAME"
    assert time.monotonic() - began < 5


@pytest.mark.e2e
def test_watch_streams_changes_as_rows(run_kapply, kapply_home: Path, tmp_path: Path) -> None:
    import os

    from tests.conftest import _kapply_bin

    (tmp_path / "app.yaml").write_text(APP)
    assert run_kapply("cluster", "create", "default", "--manual-clock").exit_code == 0
    assert run_kapply("apply", str(tmp_path / "app.yaml")).exit_code == 0
    env = dict(os.environ, KAPPLY_HOME=str(kapply_home), NO_COLOR="1")
    command = [_kapply_bin(), "get", "deploy", "-n", "shop", "-w", "--request-timeout", "20s"]
    watcher = subprocess.Popen(command,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = watcher.stdout.readline()  # the header: the listing is done, the watch has begun
        assert first.split()[0] == "NAME"
        assert run_kapply("scale", "deploy/web", "-n", "shop", "--replicas", "3").exit_code == 0
        rows = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = watcher.stdout.readline()
            rows.append(line.split())
            if line.split()[:2] == ["web", "0/3"] or line.split()[1:2] == ["0/3"]:
                break
        assert any(row[:2] == ["web", "0/3"] for row in rows), rows
    finally:
        watcher.kill()
        watcher.wait()
