"""`kapply service url` and Services through the real kapply command (in-process)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., Any]

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: %s
  selector: {app: web}
  ports: [{port: 8080, targetPort: http}]
"""


def _deploy(run_cli: Run, tmp_path: Path, type_: str, *create: str) -> None:
    res = run_cli("cluster", "create", "demo", "--manual-clock", *create)
    assert res.exit_code == 0, res.stderr
    (tmp_path / "app.yaml").write_text(APP % type_)
    res = run_cli("apply", str(tmp_path / "app.yaml"), "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    assert run_cli("cluster", "advance", "--until-idle", "--cluster", "demo").exit_code == 0


def test_load_balancer_url_and_backing_pods(run_cli: Run, tmp_path: Path) -> None:
    _deploy(run_cli, tmp_path, "LoadBalancer", "--nodes", "3", "--lb-pool", "192.168.49.100-192.168.49.120")
    res = run_cli("service", "url", "web", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "http://192.168.49.100:8080"
    assert lines[1] == ""
    assert lines[2] == "3/3 backing pods ready:"
    assert lines[3].split() == ["POD", "IP", "NODE", "READY"]
    rows = [line.split() for line in lines[4:]]
    assert len(rows) == 3
    for name, ip, _, ready in rows:
        assert re.fullmatch(r"web-[0-9a-z]+-[0-9a-z]{5}", name)
        assert ip.startswith("10.244.") and ready == "true"
    assert {r[2] for r in rows} == {"minikube", "minikube-m02", "minikube-m03"}


def test_node_port_url_on_node_ip(run_cli: Run, tmp_path: Path) -> None:
    _deploy(run_cli, tmp_path, "NodePort")
    res = run_cli("service", "url", "web", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    match = re.fullmatch(r"http://192\.168\.49\.2:(\d+)", res.stdout.splitlines()[0])
    assert match and 30000 <= int(match.group(1)) <= 32767


def test_pending_load_balancer_falls_back_to_node_port(run_cli: Run, tmp_path: Path) -> None:
    _deploy(run_cli, tmp_path, "LoadBalancer")
    res = run_cli("service", "url", "web", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    assert re.fullmatch(r"http://192\.168\.49\.2:3\d{4}", res.stdout.splitlines()[0])
    assert "<pending>" in res.stderr


def test_cluster_ip_url_with_note(run_cli: Run, tmp_path: Path) -> None:
    _deploy(run_cli, tmp_path, "ClusterIP")
    res = run_cli("service", "url", "web", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    assert re.fullmatch(r"http://10\.(9[6-9]|10\d|11[01])\.\d+\.\d+:8080", res.stdout.splitlines()[0])
    assert res.stderr == 'note: service "web" is of type ClusterIP: reachable only from inside the cluster\n'


def test_missing_service(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("cluster", "create", "demo", "--manual-clock").exit_code == 0
    res = run_cli("service", "url", "nope", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == 'error: services "nope" not found\n'


def test_load_balancer_as_get_shows_it(run_cli: Run, tmp_path: Path) -> None:
    _deploy(run_cli, tmp_path, "LoadBalancer", "--nodes", "3", "--lb-pool", "192.168.49.100-192.168.49.120")
    svc = run_cli("get", "svc", "web", "--cluster", "demo")
    assert svc.exit_code == 0, svc.stderr
    header, row = svc.stdout.splitlines()
    assert header.split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    name, type_, cluster_ip, external_ip, ports, _ = row.split()
    assert (name, type_, external_ip) == ("web", "LoadBalancer", "192.168.49.100")
    assert ipaddress.ip_address(cluster_ip) in ipaddress.ip_network("10.96.0.0/12")
    match = re.fullmatch(r"8080:(\d+)/TCP", ports)
    assert match and 30000 <= int(match.group(1)) <= 32767
    eps = run_cli("get", "endpoints", "web", "--cluster", "demo")
    assert eps.exit_code == 0, eps.stderr
    addresses = eps.stdout.splitlines()[1].split()[1].split(",")
    assert len(addresses) == 3 and all(re.fullmatch(r"10\.244\.\d+\.\d+:8080", a) for a in addresses)


NODE_PORT_SVC = """\
apiVersion: v1
kind: Service
metadata: {name: %s, namespace: default}
spec:
  type: NodePort
  selector: {app: %s}
  ports: [{port: 80, nodePort: %d}]
"""


def test_node_port_collision_and_range_refused(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("cluster", "create", "demo", "--manual-clock").exit_code == 0
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "svc.yaml").write_text(NODE_PORT_SVC % ("a", "a", 30080))
    assert run_cli("apply", str(tmp_path / "a"), "--cluster", "demo").exit_code == 0
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "svc.yaml").write_text(NODE_PORT_SVC % ("b", "b", 30080))
    res = run_cli("apply", str(tmp_path / "b"), "--cluster", "demo")
    assert res.exit_code != 0
    assert ('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
            "provided port is already allocated") in res.stderr
    (tmp_path / "b" / "svc.yaml").write_text(NODE_PORT_SVC % ("b", "b", 8080))
    res = run_cli("apply", str(tmp_path / "b"), "--cluster", "demo")
    assert res.exit_code != 0  # refused before reaching the cluster, in the API server's words
    assert ("spec.ports[0].nodePort: Invalid value: 8080: provided port is not in "
            "the valid range. The range of valid ports is 30000-32767") in res.stderr


ROLLING = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 4
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: %s
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, initialDelaySeconds: 5}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"""


def test_rolling_update_keeps_ready_endpoints_second_by_second(run_cli: Run, tmp_path: Path) -> None:
    import json

    assert run_cli("cluster", "create", "demo", "--nodes", "2", "--manual-clock").exit_code == 0
    manifest = tmp_path / "app.yaml"
    manifest.write_text(ROLLING % "nginx:1.27")
    assert run_cli("apply", str(manifest), "--cluster", "demo").exit_code == 0
    assert run_cli("cluster", "advance", "--until-idle", "--cluster", "demo").exit_code == 0
    manifest.write_text(ROLLING % "nginx:1.28")
    assert run_cli("apply", str(manifest), "--cluster", "demo").exit_code == 0
    seen = []
    for _ in range(120):
        eps = json.loads(run_cli("get", "endpoints", "web", "-o", "json", "--cluster", "demo").stdout)
        seen.append(sum(len(s.get("addresses") or ()) for s in eps.get("subsets") or ()))
        status = run_cli("rollout", "status", "deployment/web", "--no-watch", "--cluster", "demo").stdout
        if "successfully rolled out" in status:
            break
        assert run_cli("cluster", "advance", "1s", "--cluster", "demo").exit_code == 0
    else:
        raise AssertionError(f"rollout did not finish; ready endpoints seen: {seen}")
    assert min(seen) >= 4 - 1, seen
    assert seen[-1] == 4 and len(seen) > 5
