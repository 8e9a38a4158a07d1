"""`kapply events` through the real command."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hello_cluster import Run, advance, hello_cluster, write_manifests


def test_events_oldest_first_with_objects(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("events", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert re.match(r"LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$", lines[0])
    reasons = [line.split()[2] for line in lines[1:]]
    # the Deployment scales before its ReplicaSet creates pods, which are scheduled before they start
    order = [reasons.index(r) for r in ("ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Started")]
    assert order == sorted(order)
    assert re.search(r"\n30s\s+Normal\s+ScalingReplicaSet\s+Deployment/hello-node\s+Scaled up replica set "
                     r"hello-node-\w+ from 0 to 3\n", res.stdout)


def test_events_for_one_object_and_all_namespaces(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("events", "--for", "deploy/hello-node", "--cluster", "demo")
    assert [line.split()[3] for line in res.stdout.splitlines()[1:]] == ["Deployment/hello-node"]
    res = run_cli("events", "--for", "deploy/hello-node", "--no-headers", "--cluster", "demo")
    assert res.stdout.split()[3] == "Deployment/hello-node"
    res = run_cli("events", "-A", "--cluster", "demo")
    assert res.stdout.startswith("NAMESPACE   LAST SEEN")
    assert all(line.startswith("default ") for line in res.stdout.splitlines()[1:])


def test_warning_events_of_a_failing_rollout(run_cli: Run, tmp_path: Path) -> None:
    folder = hello_cluster(run_cli, tmp_path)
    assert run_cli("image", "fail", "hello-node:v2", "--cluster", "demo").exit_code == 0
    write_manifests(folder, image="hello-node:v2")
    assert run_cli("apply", str(folder), "--cluster", "demo").exit_code == 0
    advance(run_cli, "1m")
    res = run_cli("events", "--types", "Warning", "--cluster", "demo")
    assert res.exit_code == 0
    rows = res.stdout.splitlines()[1:]
    assert rows and all(row.split()[1] == "Warning" for row in rows if "(x" not in row)
    assert any("Failed" in row and "hello-node:v2" in row for row in rows)
    assert run_cli("events", "--types", "Normal,warning", "--cluster", "demo").stdout.count("\n") > len(rows)


def test_events_output_json_and_errors(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("events", "-o", "json", "--for", "deployment/hello-node", "--cluster", "demo")
    doc = json.loads(res.stdout)
    assert (doc["apiVersion"], doc["kind"]) == ("v1", "EventList")
    assert [e["reason"] for e in doc["items"]] == ["ScalingReplicaSet"]
    res = run_cli("events", "-n", "kube-public", "--cluster", "demo")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "", "No events found in kube-public namespace.\n")
    res = run_cli("events", "-o", "json", "-n", "kube-public", "--cluster", "demo")
    assert (res.stdout, res.stderr) == ("", "No events found in kube-public namespace.\n")
    res = run_cli("events", "--for", "hello-node", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (2, "error: --for must be in resource/name form\n")
    res = run_cli("events", "--types", "Critical", "--cluster", "demo")
    assert res.exit_code == 2
    assert res.stderr == "error: valid --types are Normal or Warning\n"
