"""kubectl's logs habits: -l, --prefix, --timestamps, --since, and -f following while the cluster runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hello_cluster import Run, advance, hello_cluster, pod_names


def test_logs_of_every_pod_a_selector_matches(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("logs", "-l", "app=hello-node", "--prefix", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    names = pod_names(run_cli)
    prefixes = {line.split(" ", 1)[0] for line in res.stdout.splitlines()}
    assert prefixes == {f"[pod/{n}/hello-node]" for n in names}
    assert len(res.stdout.splitlines()) == 2 * len(names)
    nothing = run_cli("logs", "-l", "app=nothing", "--cluster", "demo")
    assert nothing.stderr == "No resources found in default namespace.\n"
    both = run_cli("logs", names[0], "-l", "app=hello-node", "--cluster", "demo")
    assert both.exit_code == 2 and "only a selector (-l) or a POD name is allowed" in both.stderr
    neither = run_cli("logs", "--cluster", "demo")
    assert neither.exit_code == 2 and "POD or TYPE/NAME is a required argument" in neither.stderr
    limited = run_cli("logs", "-l", "app=hello-node", "-f", "--max-log-requests", "2", "--cluster", "demo")
    assert limited.exit_code == 2 and "you are attempting to follow 3 log streams" in limited.stderr


def test_timestamps_and_since(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    name = pod_names(run_cli)[0]
    plain = run_cli("logs", name, "--cluster", "demo").stdout.splitlines()
    stamped = run_cli("logs", name, "--timestamps", "--cluster", "demo").stdout.splitlines()
    assert stamped == [f"{line.split(' ', 1)[0]} {line}" for line in plain]
    assert run_cli("logs", name, "--since", "1h", "--cluster", "demo").stdout.splitlines() == plain
    advance(run_cli, "10m")
    assert run_cli("logs", name, "--since", "5m", "--cluster", "demo").stdout == ""
    assert run_cli("logs", name, "--since", "soon", "--cluster", "demo").exit_code == 2


def test_follow_stops_at_the_request_timeout(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    began = time.monotonic()
    res = run_cli("logs", "deploy/hello-node", "-f", "--request-timeout", "0.6s", "--cluster", "demo")
    assert res.exit_code == 0 and "Listening on port 3000" in res.stdout
    assert time.monotonic() - began < 5


@pytest.mark.e2e
def test_follow_ends_when_the_pod_is_gone(run_kapply, kapply_home: Path, tmp_path: Path) -> None:
    from tests.conftest import _kapply_bin

    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\nspec:\n"
                                       "  containers:\n  - name: app\n    image: busybox:1\n")
    assert run_kapply("cluster", "create", "default", "--pod-startup", "0s").exit_code == 0
    assert run_kapply("apply", str(tmp_path / "pod.yaml"), "--wait", "--timeout", "30s").exit_code == 0
    env = dict(os.environ, KAPPLY_HOME=str(kapply_home), NO_COLOR="1")
    follower = subprocess.Popen([_kapply_bin(), "logs", "solo", "-f", "--request-timeout", "60s"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert "Starting busybox" in follower.stdout.readline()
        assert "Listening on port 8080" in follower.stdout.readline()  # printed, and now following
        began = time.monotonic()
        assert run_kapply("delete", "pod", "solo").exit_code == 0
        follower.wait(timeout=50)
        assert follower.returncode == 0 and time.monotonic() - began < 45
    finally:
        follower.kill()
        follower.wait()
