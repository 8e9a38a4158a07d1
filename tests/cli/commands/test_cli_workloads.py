"""StatefulSets, DaemonSets, Jobs and CronJobs through the real command: `image run`,
`apply --wait` (kstatus messages; a kind nothing acts on is reported at once), `rollout
status|history|undo` for StatefulSets and DaemonSets as kubectl prints them, `get` columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., Any]

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
"""

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: web}
  maxReplicas: 3
"""

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
"""


def _setup(run_cli: Run, tmp_path: Path, *docs: str) -> Path:
    assert run_cli("cluster", "create", "demo", "--nodes", "2", "--manual-clock").exit_code == 0
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "all.yaml").write_text("---\n".join(docs))
    return folder


def test_image_run_sets_and_lists_run_times(run_cli: Run) -> None:
    assert run_cli("cluster", "create", "demo", "--manual-clock").exit_code == 0
    res = run_cli("image", "run", "perl:5.34", "--duration", "30s", "--exit-code", "3", "--cluster", "demo")
    assert res.exit_code == 0 and res.stdout == 'image "perl:5.34" now runs for 30s and exits with code 3\n'
    listed = run_cli("image", "list", "--cluster", "demo")
    assert listed.stdout.splitlines() == ["IMAGE       RUNS FOR   EXIT CODE", "perl:5.34   30s        3"]
    bad = run_cli("image", "run", "perl", "--duration", "1s", "--exit-code", "256", "--cluster", "demo")
    assert bad.exit_code == 2 and "must be between 0 and 255" in bad.stderr
    assert run_cli("image", "ok", "perl:5.34", "--cluster", "demo").stdout == 'image "perl:5.34" ok\n'


def test_apply_wait_follows_kstatus_and_reports_inert_kinds(run_cli: Run, tmp_path: Path) -> None:
    folder = _setup(run_cli, tmp_path, STATEFULSET, JOB, HPA, INGRESS)
    res = run_cli("apply", str(folder), "--wait", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "✓ statefulset.apps/web: Partition rollout complete. updated: 2" in lines
    assert "✓ job.batch/pi: Job in progress. success:0, active: 1, failed: 0" in lines
    assert "✓ horizontalpodautoscaler.autoscaling/web: Resource is current" in lines  # kstatus' default
    assert ("- ingress.networking.k8s.io/web: not acted on: this cluster runs no controller for "
            "Ingress objects") in lines
    assert lines[-1] == "3 of 4 objects ready, 1 not acted on by this cluster"


def test_a_failing_job_fails_the_wait(run_cli: Run, tmp_path: Path) -> None:
    folder = _setup(run_cli, tmp_path, JOB)
    assert run_cli("image", "run", "perl:5.34", "--duration", "3s", "--exit-code", "1",
                   "--cluster", "demo").exit_code == 0
    res = run_cli("apply", str(folder), "--wait", "--cluster", "demo")
    assert res.exit_code == 0  # kstatus: a running Job is Current
    run_cli("cluster", "advance", "1m", "--cluster", "demo")
    again = run_cli("apply", str(folder), "--wait", "--cluster", "demo")
    assert again.exit_code == 1
    assert "✗ job.batch/pi: Job Failed. failed: 1/1" in again.stdout
    jobs = run_cli("get", "jobs", "--cluster", "demo").stdout.splitlines()
    assert jobs[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert jobs[1].split()[:3] == ["pi", "Failed", "0/1"]


def test_rollout_of_a_stateful_set(run_cli: Run, tmp_path: Path) -> None:
    folder = _setup(run_cli, tmp_path, STATEFULSET)
    assert run_cli("apply", str(folder), "--wait", "--cluster", "demo").exit_code == 0
    (folder / "all.yaml").write_text(STATEFULSET.replace("nginx:1.25", "nginx:1.26"))
    assert run_cli("apply", str(folder), "--cluster", "demo").exit_code == 0
    status = run_cli("rollout", "status", "statefulset/web", "--cluster", "demo")
    assert status.exit_code == 0
    assert status.stdout.splitlines()[-1] == "partitioned roll out complete: 2 new pods have been updated..."
    history = run_cli("rollout", "history", "sts/web", "--cluster", "demo")
    assert history.stdout == ("statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n"
                              "2         <none>\n\n")
    undo = run_cli("rollout", "undo", "sts/web", "--cluster", "demo")
    assert undo.stdout == "statefulset.apps/web rolled back\n"
    missing = run_cli("rollout", "undo", "sts/web", "--to-revision", "7", "--cluster", "demo")
    assert missing.exit_code == 1 and "unable to find specified revision 7 in history" in missing.stderr
    paused = run_cli("rollout", "pause", "sts/web", "--cluster", "demo")
    assert paused.exit_code == 2 and "pause is not supported for StatefulSet.apps" in paused.stderr
    pods = run_cli("get", "pods", "--cluster", "demo").stdout
    assert "web-0" in pods and "web-1" in pods
