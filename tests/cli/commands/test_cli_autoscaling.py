"""`kapply load`, `kapply top` and the autoscaler and storage views, through the command: kubectl
top's columns and units (kubectl pkg/metricsutil/metrics_printer.go), its errors, and get/describe
of HPAs and claims after the controllers acted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., Any]

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources: {requests: {cpu: 200m, memory: 64Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
"""


def _cluster(run_cli: Run, tmp_path: Path, docs: str = APP) -> None:
    assert run_cli("cluster", "create", "demo", "--nodes", "2", "--manual-clock").exit_code == 0
    (tmp_path / "app.yaml").write_text(docs)
    assert run_cli("apply", str(tmp_path / "app.yaml"), "--cluster", "demo").exit_code == 0


def test_load_set_list_clear(run_cli: Run, tmp_path: Path) -> None:
    _cluster(run_cli, tmp_path)
    res = run_cli("load", "set", "deploy/web", "--cpu", "400m", "--memory", "256Mi", "--cluster", "demo")
    assert (res.exit_code, res.stdout) == (0, "deployment/web now uses cpu 400m, memory 256Mi per pod\n")
    res = run_cli("load", "set", "deploy/web", "--cpu", "400m", "--memory", "256Mi", "--cluster", "demo")
    assert res.stdout == "deployment/web already uses cpu 400m, memory 256Mi per pod\n"
    listed = run_cli("load", "list", "--cluster", "demo").stdout.splitlines()
    assert listed == ["TARGET           NAMESPACE   CPU    MEMORY   PER",
                      "deployment/web   default     400m   256Mi    pod"]
    cleared = run_cli("load", "clear", "deploy/web", "--cluster", "demo")
    assert cleared.stdout == "deployment/web load cleared\n"
    assert run_cli("load", "list", "--cluster", "demo").stderr == "No loads set (every pod idles)\n"


def test_load_refuses_what_it_cannot_apply(run_cli: Run, tmp_path: Path) -> None:
    _cluster(run_cli, tmp_path)
    missing = run_cli("load", "set", "deploy/nope", "--cpu", "1", "--cluster", "demo")
    assert missing.exit_code != 0 and missing.stderr == 'error: deployments.apps "nope" not found\n'
    bad = run_cli("load", "set", "deploy/web", "--cpu", "fast", "--cluster", "demo")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: invalid --cpu 'fast': quantities must match")
    node = run_cli("load", "set", "node/minikube", "--cpu", "1", "--cluster", "demo")
    assert node.exit_code == 2 and "Node objects have no pods" in node.stderr
    neither = run_cli("load", "set", "deploy/web", "--cluster", "demo")
    assert neither.exit_code == 2 and "give --cpu, --memory or both" in neither.stderr


def test_top_pods_and_nodes_in_kubectls_units(run_cli: Run, tmp_path: Path) -> None:
    _cluster(run_cli, tmp_path)
    early = run_cli("top", "pods", "--cluster", "demo")
    assert (early.exit_code, early.stderr) == (1, "error: metrics not available yet\n")
    run_cli("load", "set", "deploy/web", "--cpu", "150m", "--memory", "100Mi", "--cluster", "demo")
    run_cli("cluster", "advance", "20s", "--cluster", "demo")
    pods = run_cli("top", "pods", "--cluster", "demo").stdout.splitlines()
    assert pods[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert pods[0].endswith("MEMORY(bytes)   ")  # every cell tab-terminated: kubectl's trailing padding
    assert pods[1].split() == [pods[1].split()[0], "150m", "100Mi"]
    wide = run_cli("top", "pods", "-A", "--containers", "--sum", "--cluster", "demo").stdout.splitlines()
    assert wide[0].split() == ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert wide[-2].split() == ["________", "________"] and wide[-1].split() == ["150m", "100Mi"]
    nodes = run_cli("top", "nodes", "--cluster", "demo").stdout.splitlines()
    assert nodes[0].split() == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    used = next(line.split() for line in nodes[1:] if "150m" in line)
    assert used[1:] == ["150m", "3%", "100Mi", "1%"]  # of 4 CPU and 8Gi allocatable
    run_cli("node", "fail", "minikube-m02", "--cluster", "demo")
    run_cli("cluster", "advance", "60s", "--cluster", "demo")
    last = run_cli("top", "nodes", "--cluster", "demo").stdout.splitlines()[-1]
    assert last.split() == ["minikube-m02", "<unknown>", "<unknown>", "<unknown>", "<unknown>"]
    assert run_cli("top", "pods", "--sort-by", "disk", "--cluster", "demo").stderr == \
        "error: --sort-by accepts only cpu or memory\n"


def test_get_and_describe_an_autoscaler_that_scaled(run_cli: Run, tmp_path: Path) -> None:
    _cluster(run_cli, tmp_path)
    before = run_cli("get", "hpa", "--cluster", "demo").stdout.splitlines()
    assert before[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert "cpu: <unknown>/50%" in before[1]
    run_cli("load", "set", "deploy/web", "--cpu", "500m", "--cluster", "demo")
    run_cli("cluster", "advance", "30s", "--cluster", "demo")
    row = run_cli("get", "hpa", "--cluster", "demo").stdout.splitlines()[1]
    assert row.split()[:7] == ["web", "Deployment/web", "cpu:", "250%/50%", "1", "10", "1"]
    page = run_cli("describe", "hpa", "web", "--cluster", "demo").stdout
    assert "  resource cpu on pods  (as a percentage of request):  250% (500m) / 50%\n" in page
    assert "Deployment pods:                                       1 current / 4 desired\n" in page
    assert "  AbleToScale     True    SucceededRescale  the HPA controller was able to update the target " \
           "scale to 4" in page
    assert "horizontal-pod-autoscaler  New size: 4; reason: cpu resource utilization (percentage of " \
           "request) above target" in page
    assert run_cli("get", "deploy", "web", "--cluster", "demo").stdout.splitlines()[1].split()[1] == "1/4"


def test_apply_wait_on_a_claim_waits_for_bound(run_cli: Run, tmp_path: Path) -> None:
    claim = ("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
             "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n")
    assert run_cli("cluster", "create", "demo", "--manual-clock").exit_code == 0
    (tmp_path / "pvc.yaml").write_text(claim)
    res = run_cli("apply", str(tmp_path / "pvc.yaml"), "--wait", "--cluster", "demo")
    assert res.exit_code == 0 and "✓ persistentvolumeclaim/data: PVC is Bound" in res.stdout.splitlines()
    rows = run_cli("get", "pvc", "--cluster", "demo").stdout.splitlines()
    assert rows[1].split()[:2] == ["data", "Bound"] and rows[1].split()[3:6] == ["1Gi", "RWO", "standard"]
    classes = run_cli("get", "storageclass", "--cluster", "demo").stdout.splitlines()
    assert classes[1].split()[:6] == ["standard", "(default)", "k8s.io/minikube-hostpath", "Delete",
                                      "Immediate", "false"]
    assert run_cli("delete", "pvc", "data", "--cluster", "demo").exit_code == 0  # nothing mounts it
    assert run_cli("get", "pv", "--cluster", "demo").stderr == "No resources found\n"
