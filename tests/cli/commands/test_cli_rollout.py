"""`kapply rollout ...` through the real command (in-process), on a manual-clock cluster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kapply.cluster.sim import open_cluster
from kapply.errors import NotFoundError

Run = Callable[..., Any]

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  progressDeadlineSeconds: 60
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: IMAGE
"""


@pytest.fixture
def deploy(run_cli: Run, tmp_path: Path) -> Callable[[str], None]:
    """Create or update the web Deployment with an image (creating the `demo` cluster first).

    Through the Python API, so these tests depend on the rollout command alone, not on `apply`.
    """
    res = run_cli("cluster", "create", "demo", "--nodes", "3", "--manual-clock")
    assert res.exit_code == 0, res.stderr

    def apply(image: str) -> None:
        manifest = yaml.safe_load(MANIFEST.replace("IMAGE", image))
        sim = open_cluster("demo")
        try:
            live = sim.get("Deployment", "default", "web")
            live["spec"]["template"] = manifest["spec"]["template"]
            sim.update(live)
        except NotFoundError:
            sim.create(manifest)
        finally:
            sim.close()

    return apply


def rollout(run_cli: Run, *args: str) -> Any:
    return run_cli("rollout", *args, "--cluster", "demo")


def test_status_follows_a_rollout_to_the_end(run_cli: Run, deploy: Callable[[str], None]) -> None:
    deploy("nginx:1.25")
    first = rollout(run_cli, "status", "deployment/web")
    assert first.exit_code == 0
    assert first.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    deploy("nginx:1.26")
    res = rollout(run_cli, "status", "deploy", "web")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines() == [
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
        'deployment "web" successfully rolled out',
    ]
    history = rollout(run_cli, "history", "deployment/web")
    assert history.stdout == ("deployment.apps/web \nREVISION  CHANGE-CAUSE\n"
                              "1         <none>\n2         <none>\n\n")
    detail = rollout(run_cli, "history", "deployment/web", "--revision", "1")
    assert detail.stdout.startswith(
        "deployment.apps/web with revision #1\nPod Template:\n  Labels:\tapp=web\n")
    assert "    Image:\tnginx:1.25\n" in detail.stdout
    missing = rollout(run_cli, "history", "deployment/web", "--revision", "7")
    assert (missing.exit_code, missing.stderr) == (1, "error: unable to find the specified revision\n")
    negative = rollout(run_cli, "history", "deployment/web", "--revision", "-1")  # kubectl's Validate
    assert (negative.exit_code, negative.stderr) == (2, "error: revision must be a positive integer: -1\n")


def test_failing_image_exceeds_deadline_and_undo_recovers(run_cli: Run,
                                                           deploy: Callable[[str], None]) -> None:
    deploy("nginx:1.25")
    rollout(run_cli, "status", "deployment/web")
    assert run_cli("image", "fail", "nginx:broken", "--cluster", "demo").exit_code == 0
    deploy("nginx:broken")
    res = rollout(run_cli, "status", "deployment/web")
    assert res.exit_code == 1
    assert res.stderr == 'error: deployment "web" exceeded its progress deadline\n'
    undo = rollout(run_cli, "undo", "deployment/web")
    assert (undo.exit_code, undo.stdout) == (0, "deployment.apps/web rolled back\n")
    assert rollout(run_cli, "status", "deployment/web").stdout.splitlines()[-1] == (
        'deployment "web" successfully rolled out')
    pods = run_cli("get", "pods", "--cluster", "demo").stdout
    assert "ImagePull" not in pods and pods.count("Running") == 3
    history = rollout(run_cli, "history", "deployment/web").stdout.splitlines()
    assert [line.split()[0] for line in history[2:] if line] == ["2", "3"]
    skipped = rollout(run_cli, "undo", "deployment/web", "--to-revision", "3")
    assert skipped.stdout == ("deployment.apps/web skipped rollback "
                              "(current template already matches revision 3)\n")
    unknown = rollout(run_cli, "undo", "deployment/web", "--to-revision", "9")
    assert (unknown.exit_code, unknown.stderr) == (
        1, "error: unable to find specified revision 9 in history\n")


def test_pause_resume_restart(run_cli: Run, deploy: Callable[[str], None]) -> None:
    deploy("nginx:1.25")
    rollout(run_cli, "status", "deployment/web")
    assert rollout(run_cli, "pause", "deployment/web").stdout == "deployment.apps/web paused\n"
    again = rollout(run_cli, "pause", "deployment/web")
    assert (again.exit_code, again.stderr) == (1, 'error: deployments.apps "web" is already paused\n')
    blocked = rollout(run_cli, "restart", "deployment/web")
    assert blocked.stderr == ('error: deployments.apps "web" can\'t restart paused deployment '
                              "(run rollout resume first)\n")
    paused_undo = rollout(run_cli, "undo", "deployment/web")
    assert paused_undo.exit_code == 1 and "cannot rollback a paused deployment" in paused_undo.stderr
    assert rollout(run_cli, "resume", "deployment/web").stdout == "deployment.apps/web resumed\n"
    not_paused = rollout(run_cli, "resume", "deployment/web")
    assert not_paused.stderr == 'error: deployments.apps "web" is not paused\n'
    assert rollout(run_cli, "restart", "deployment/web").stdout == "deployment.apps/web restarted\n"
    once = rollout(run_cli, "status", "deployment/web", "--no-watch")
    assert (once.exit_code, once.stdout) == (
        0, 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n')
    timed = rollout(run_cli, "status", "deployment/web", "--timeout", "2s")
    assert (timed.exit_code, timed.stderr) == (1, "error: timed out waiting for the condition\n")
    done = rollout(run_cli, "status", "deployment/web")
    assert done.exit_code == 0 and done.stdout.endswith('deployment "web" successfully rolled out\n')
    assert len(rollout(run_cli, "history", "deployment/web").stdout.splitlines()) == 5  # 2 revisions


def test_only_deployments(run_cli: Run, deploy: Callable[[str], None]) -> None:
    deploy("nginx:1.25")
    res = rollout(run_cli, "status", "rs/web")
    assert (res.exit_code, res.stderr) == (
        2, "error: no status viewer has been implemented for ReplicaSet.apps\n")
    missing = rollout(run_cli, "status", "deployment/nope")
    assert missing.exit_code == 1 and missing.stderr == 'error: deployments.apps "nope" not found\n'
