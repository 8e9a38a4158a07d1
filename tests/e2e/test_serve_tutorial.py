"""The Hello Minikube tutorial, and what follows it, with the machine's real kubectl against
`kapply serve` (skipped without kubectl).

One story in order, as a user types it: cluster-info, create deployment, get, describe, logs,
expose --type=LoadBalancer, get services, describe service, scale, set image, rollout status /
history / undo, wait, apply (client-side and --server-side), diff, patch (merge, json, strategic),
label, get all, explain, cordon, uncordon, drain, delete, the pods Terminating, then
`No resources found in default namespace.` Each output is checked for what kubectl prints
against a real cluster.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.e2e.kubectl import Served

pytestmark = pytest.mark.e2e

IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53"
CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
data:
  message: hello
"""


def table(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()]


def until(served: Served, args: tuple[str, ...], pattern: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    out = ""
    while time.monotonic() < deadline:
        res = served.kubectl(*args)
        out = res.out + res.err
        if re.search(pattern, out):
            return out
        time.sleep(0.2)
    raise AssertionError(f"kubectl {' '.join(args)} never matched {pattern!r}: {out}")


def test_hello_minikube_with_real_kubectl(tmp_path: Path) -> None:
    s = Served(
        tmp_path,
        cluster="minikube",
        setup=(
            "cluster",
            "create",
            "minikube",
            "--nodes",
            "2",
            "--pod-startup",
            "0.5s",
            "--lb-pool",
            "192.168.49.100-192.168.49.120",
        ),
    )
    try:
        story(s, tmp_path)
    finally:
        assert s.stop() == 0, s.output()


def story(s: Served, tmp_path: Path) -> None:
    info = s.ok("cluster-info")
    assert info.splitlines()[0] == f"Kubernetes control plane is running at {s.url}"

    # Create a Deployment, look at it.
    assert (
        s.ok(
            "create",
            "deployment",
            "hello-node",
            f"--image={IMAGE}",
            "--",
            "/agnhost",
            "netexec",
            "--http-port=8080",
        )
        == "deployment.apps/hello-node created\n"
    )
    assert (
        s.ok("wait", "--for=condition=available", "deployment/hello-node", "--timeout=60s")
        == "deployment.apps/hello-node condition met\n"
    )
    deploys = table(s.ok("get", "deployments"))
    assert deploys[0] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert deploys[1][:4] == ["hello-node", "1/1", "1", "1"]
    pods = table(s.ok("get", "pods"))
    assert pods[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    pod = pods[1][0]
    assert re.fullmatch(r"hello-node-[a-z0-9]{10}-[a-z0-9]{5}", pod) and pods[1][1:4] == [
        "1/1",
        "Running",
        "0",
    ]
    events = s.ok("get", "events")
    assert "ScalingReplicaSet" in events and f"Successfully assigned default/{pod} to" in events
    assert "current-context: kapply-minikube" in s.ok("config", "view")
    described = s.ok("describe", "deployment", "hello-node")
    assert re.search(
        r"Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available \| 0 unavailable", described
    )
    assert f"Image:      {IMAGE}" in described and "Scaled up replica set hello-node-" in described
    log = s.ok("logs", pod)
    assert "Listening on port 8080" in log

    # Expose it.
    assert (
        s.ok("expose", "deployment", "hello-node", "--type=LoadBalancer", "--port=8080")
        == "service/hello-node exposed\n"
    )
    services = until(s, ("get", "services"), r"hello-node\s+LoadBalancer\s+\S+\s+192\.168\.49\.1\d\d")
    rows = {row[0]: row for row in table(services)}
    assert re.fullmatch(r"8080:3\d{4}/TCP", rows["hello-node"][4]) and rows["kubernetes"][1:3] == [
        "ClusterIP",
        "10.96.0.1",
    ]
    described = until(s, ("describe", "service", "hello-node"), r"Endpoints:\s+10\.244\.\d+\.\d+:8080")
    assert re.search(r"LoadBalancer Ingress:\s+192\.168\.49\.1\d\d", described)

    # Scale, update, roll back.
    assert s.ok("scale", "deployment", "hello-node", "--replicas=3") == "deployment.apps/hello-node scaled\n"
    assert s.ok("rollout", "status", "deployment/hello-node", "--timeout=60s").endswith(
        'deployment "hello-node" successfully rolled out\n'
    )
    assert (
        s.ok("set", "image", "deployment/hello-node", f"agnhost={IMAGE[:-4]}2.54")
        == "deployment.apps/hello-node image updated\n"
    )
    status = s.ok("rollout", "status", "deployment/hello-node", "--timeout=60s").splitlines()
    assert status[-1] == 'deployment "hello-node" successfully rolled out'
    assert all(
        line.startswith('Waiting for deployment "hello-node" rollout to finish: ') for line in status[:-1]
    )
    history = s.ok("rollout", "history", "deployment/hello-node")
    assert table(history)[1:] == [["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "<none>"]]
    assert s.ok("rollout", "undo", "deployment/hello-node") == "deployment.apps/hello-node rolled back\n"
    s.ok("rollout", "status", "deployment/hello-node", "--timeout=60s")
    assert (
        s.ok("get", "deployment", "hello-node", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
        == IMAGE
    )

    # Declarative: apply (client-side, then server-side), diff.
    config = tmp_path / "greeting.yaml"
    config.write_text(CONFIG)
    assert s.ok("apply", "-f", str(config)) == "configmap/greeting created\n"
    assert s.ok("apply", "-f", str(config)) == "configmap/greeting unchanged\n"
    config.write_text(CONFIG.replace("hello", "hello again"))
    diff = s.kubectl("diff", "-f", str(config))
    assert diff.code == 1 and "-  message: hello\n" in diff.out and "+  message: hello again\n" in diff.out
    assert s.ok("apply", "--server-side", "-f", str(config)) == "configmap/greeting serverside-applied\n"
    assert s.kubectl("diff", "-f", str(config), "--server-side").code == 0
    managed = s.ok("get", "cm", "greeting", "--show-managed-fields", "-o", "yaml")
    assert "manager: kubectl\n" in managed and "operation: Apply" in managed

    # Patch three ways, label.
    assert (
        s.ok("patch", "configmap", "greeting", "--type=merge", "-p", '{"data":{"extra":"1"}}')
        == "configmap/greeting patched\n"
    )
    assert (
        s.ok("patch", "configmap", "greeting", "--type=json", "-p", '[{"op":"remove","path":"/data/extra"}]')
        == "configmap/greeting patched\n"
    )
    assert (
        s.ok(
            "patch",
            "deployment",
            "hello-node",
            "-p",
            '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":2}}}}',
        )
        == "deployment.apps/hello-node patched\n"
    )
    s.ok("rollout", "status", "deployment/hello-node", "--timeout=60s")
    assert s.ok("get", "cm", "greeting", "-o", "jsonpath={.data}") == '{"message":"hello again"}'
    assert s.ok("label", "deployment", "hello-node", "tier=web") == "deployment.apps/hello-node labeled\n"
    assert s.ok("get", "deploy", "-l", "tier=web", "-o", "name") == "deployment.apps/hello-node\n"

    everything = s.ok("get", "all")
    for kind in (
        "pod/hello-node-",
        "service/hello-node",
        "service/kubernetes",
        "deployment.apps/hello-node",
        "replicaset.apps/hello-node-",
    ):
        assert kind in everything
    explained = s.ok("explain", "deployment.spec.replicas")
    assert "FIELD: replicas <integer>" in explained and "Number of desired pods." in explained

    # Nodes: cordon, uncordon, drain.
    nodes = [row[0] for row in table(s.ok("get", "nodes"))[1:]]
    assert nodes == ["minikube", "minikube-m02"]
    assert s.ok("cordon", "minikube-m02") == "node/minikube-m02 cordoned\n"
    assert "Ready,SchedulingDisabled" in s.ok("get", "node", "minikube-m02")
    assert s.ok("uncordon", "minikube-m02") == "node/minikube-m02 uncordoned\n"
    drained = s.ok("drain", "minikube", "--ignore-daemonsets", "--grace-period=1", "--timeout=60s")
    assert drained.startswith("node/minikube cordoned\n") and drained.endswith("node/minikube drained\n")
    assert re.search(r"pod/hello-node-\S+ evicted", drained)
    placed = s.ok("get", "pods", "-o", "wide")
    assert all(row[6] == "minikube-m02" for row in table(placed)[1:] if row[2] == "Running")
    s.ok("uncordon", "minikube")

    # Clean up, as the tutorial ends.
    assert s.ok("delete", "service", "hello-node") == 'service "hello-node" deleted\n'
    assert (
        s.ok("delete", "deployment", "hello-node", "--wait=false") == 'deployment.apps "hello-node" deleted\n'
    )
    assert "Terminating" in until(s, ("get", "pods"), r"Terminating", timeout=10)
    s.ok("wait", "--for=delete", "pod", "-l", "app=hello-node", "--timeout=60s")
    final = s.kubectl("get", "pods")
    assert (final.code, final.out, final.err) == (0, "", "No resources found in default namespace.\n")
