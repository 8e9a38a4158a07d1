"""A running hello-node app on a 3-node manual-clock cluster, set up through the kapply command.

Shared by the describe / events / logs / scale / delete CLI tests: `kapply cluster create demo
--nodes 3 --manual-clock`, `kapply apply <dir>` (Deployment + LoadBalancer Service), then
`kapply cluster advance 30s` so every pod is Running and Ready.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., Any]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello-node
  labels: {app: hello-node}
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: hello-node}
  template:
    metadata:
      labels: {app: hello-node}
    spec:
      containers:
      - name: hello-node
        image: IMAGE
        ports:
        - containerPort: 3000
        resources:
          requests: {cpu: 250m, memory: 64Mi}
          limits: {cpu: 500m, memory: 128Mi}
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: hello-node
spec:
  type: LoadBalancer
  selector: {app: hello-node}
  ports:
  - port: 8080
    targetPort: 3000
"""


def write_manifests(folder: Path, replicas: int = 3, image: str = "hello-node:v1") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    deployment = DEPLOYMENT.replace("REPLICAS", str(replicas)).replace("IMAGE", image)
    (folder / "deployment.yaml").write_text(deployment)
    (folder / "service.yaml").write_text(SERVICE)
    return folder


def hello_cluster(run_cli: Run, tmp_path: Path, replicas: int = 3, image: str = "hello-node:v1") -> Path:
    """Create the cluster, apply the app, advance 30s; returns the manifests folder."""
    res = run_cli("cluster", "create", "demo", "--nodes", "3", "--manual-clock")
    assert res.exit_code == 0, res.stderr
    folder = write_manifests(tmp_path / "manifests", replicas, image)
    res = run_cli("apply", str(folder), "--cluster", "demo")
    assert res.exit_code == 0, res.stdout + res.stderr
    advance(run_cli, "30s")
    return folder


def advance(run_cli: Run, duration: str) -> None:
    res = run_cli("cluster", "advance", duration, "--cluster", "demo")
    assert res.exit_code == 0, res.stderr


def pod_names(run_cli: Run) -> list[str]:
    res = run_cli("get", "pods", "-o", "name", "--cluster", "demo")
    return [line.removeprefix("pod/") for line in res.stdout.splitlines()]
