"""`kapply logs` through the real command: simulated logs, kubectl's pod choice and errors."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hello_cluster import Run, advance, hello_cluster, pod_names, write_manifests


def test_logs_of_a_pod_and_its_tail(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    name = pod_names(run_cli)[0]
    res = run_cli("logs", name, "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].endswith(f"Starting hello-node (image hello-node:v1) in pod {name}")
    assert lines[-1].endswith("Listening on port 3000")
    tail = run_cli("logs", name, "--tail", "1", "--cluster", "demo")
    assert tail.stdout == lines[-1] + "\n"
    assert run_cli("logs", name, "--tail", "0", "--cluster", "demo").stdout == ""
    assert run_cli("logs", f"pod/{name}", "-c", "hello-node", "--cluster", "demo").stdout == res.stdout


def test_logs_of_a_deployment_uses_one_of_its_pods(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("logs", "deploy/hello-node", "--cluster", "demo")
    assert res.exit_code == 0
    chosen = res.stderr.removeprefix("Found 3 pods, using pod/").strip()
    assert chosen in pod_names(run_cli)
    assert f"in pod {chosen}\n" in res.stdout


def test_logs_errors_are_the_api_servers(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    name = pod_names(run_cli)[0]
    res = run_cli("logs", name, "--previous", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == ('Error from server (BadRequest): previous terminated container "hello-node" '
                          f'in pod "{name}" not found\n')
    res = run_cli("logs", name, "-c", "sidecar", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (1, f"error: container sidecar is not valid for pod {name}\n")
    res = run_cli("logs", "nope", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (1, 'Error from server (NotFound): pods "nope" not found\n')


def test_logs_of_a_crashing_container(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("cluster", "create", "demo", "--nodes", "1", "--manual-clock").exit_code == 0
    res = run_cli("image", "fail", "crashy:v1", "--reason", "CrashLoopBackOff", "--cluster", "demo")
    assert res.exit_code == 0

    folder = write_manifests(tmp_path / "m", replicas=1, image="crashy:v1")
    assert run_cli("apply", str(folder), "--cluster", "demo").exit_code == 0
    advance(run_cli, "2m")
    name = pod_names(run_cli)[0]
    previous = run_cli("logs", name, "-p", "--cluster", "demo")
    assert previous.exit_code == 0, previous.stderr
    assert "Process exited with code" in previous.stdout


def test_logs_of_a_pod_that_cannot_pull_its_image(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("cluster", "create", "demo", "--nodes", "1", "--manual-clock").exit_code == 0
    assert run_cli("image", "fail", "broken:v1", "--cluster", "demo").exit_code == 0
    folder = write_manifests(tmp_path / "m", replicas=1, image="broken:v1")
    assert run_cli("apply", str(folder), "--cluster", "demo").exit_code == 0
    advance(run_cli, "1m")
    name = pod_names(run_cli)[0]
    res = run_cli("logs", name, "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == ('Error from server (BadRequest): container "hello-node" in pod '
                          f'"{name}" is waiting to start: trying and failing to pull image\n')
