"""`kapply node ...` and `kapply image ...` through the real command (in-process)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kapply.cluster.sim import open_cluster

Run = Callable[..., Any]


def _setup(run_cli: Run, nodes: int = 3) -> None:
    res = run_cli("cluster", "create", "demo", "--nodes", str(nodes), "--manual-clock")
    assert res.exit_code == 0, res.stderr


def _create(obj: dict[str, Any]) -> None:
    sim = open_cluster("demo")
    try:
        sim.create(obj)
    finally:
        sim.close()


def _pods() -> list[dict[str, Any]]:
    sim = open_cluster("demo")
    try:
        return sim.list("Pod", "default")
    finally:
        sim.close()


def _rs(replicas: int) -> dict[str, Any]:
    labels = {"app": "web"}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {
                         "containers": [{"name": "hello-node", "image": "hello-node:v1"}]}}}}


def test_node_list_add_cordon_uncordon(run_cli: Run) -> None:
    _setup(run_cli, nodes=2)
    lines = run_cli("node", "list", "--cluster", "demo").stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert lines[1].split() == ["minikube", "Ready", "control-plane", "0s", "v1.34.0"]
    assert lines[2].split() == ["minikube-m02", "Ready", "<none>", "0s", "v1.34.0"]
    res = run_cli("node", "add", "--cpu", "2", "--memory", "2Gi", "--cluster", "demo")
    assert res.stdout == "node/minikube-m03 created\n"
    run_cli("cluster", "advance", "3m", "--cluster", "demo")
    wide = run_cli("node", "list", "-o", "wide", "--cluster", "demo").stdout.splitlines()
    assert wide[0].split()[:6] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP"]
    assert wide[3].split()[:6] == ["minikube-m03", "Ready", "<none>", "3m", "v1.34.0", "192.168.49.4"]
    assert run_cli("node", "cordon", "minikube-m02", "--cluster", "demo").stdout == \
        "node/minikube-m02 cordoned\n"
    assert run_cli("node", "cordon", "minikube-m02", "--cluster", "demo").stdout == \
        "node/minikube-m02 already cordoned\n"
    listing = run_cli("node", "list", "--cluster", "demo").stdout
    assert "minikube-m02   Ready,SchedulingDisabled" in listing
    assert run_cli("node", "uncordon", "minikube-m02", "--cluster", "demo").stdout == \
        "node/minikube-m02 uncordoned\n"
    listing = json.loads(run_cli("node", "list", "-o", "json", "--cluster", "demo").stdout)
    assert [n["metadata"]["name"] for n in listing["items"]] == ["minikube", "minikube-m02", "minikube-m03"]
    assert "kind: List" in run_cli("node", "list", "-o", "yaml", "--cluster", "demo").stdout
    bad = run_cli("node", "list", "-o", "table", "--cluster", "demo")
    assert bad.exit_code == 2 and "unknown output format" in bad.stderr
    missing = run_cli("node", "cordon", "minikube-m09", "--cluster", "demo")
    assert missing.exit_code == 1
    assert missing.stderr == 'Error from server (NotFound): nodes "minikube-m09" not found\n'


def test_node_fail_and_recover_walkthrough(run_cli: Run) -> None:
    _setup(run_cli)
    _create(_rs(3))
    run_cli("cluster", "advance", "5s", "--cluster", "demo")
    assert sorted(p["spec"]["nodeName"] for p in _pods()) == ["minikube", "minikube-m02", "minikube-m03"]
    res = run_cli("node", "fail", "minikube-m02", "--cluster", "demo")
    assert res.exit_code == 0 and res.stdout.startswith("node/minikube-m02 failed")
    run_cli("cluster", "advance", "49s", "--cluster", "demo")
    assert "minikube-m02   Ready " in run_cli("node", "list", "--cluster", "demo").stdout
    run_cli("cluster", "advance", "1s", "--cluster", "demo")
    assert "minikube-m02   NotReady " in run_cli("node", "list", "--cluster", "demo").stdout
    run_cli("cluster", "advance", "5m30s", "--cluster", "demo")
    pods = _pods()
    assert len(pods) == 3 and "minikube-m02" not in {p["spec"]["nodeName"] for p in pods}
    assert run_cli("node", "recover", "minikube-m02", "--cluster", "demo").stdout == \
        "node/minikube-m02 recovered\n"
    run_cli("cluster", "advance", "1s", "--cluster", "demo")
    assert "minikube-m02   Ready " in run_cli("node", "list", "--cluster", "demo").stdout


def test_drain_messages(run_cli: Run) -> None:
    _setup(run_cli, nodes=2)
    _create(_rs(2))
    _create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"},
             "spec": {"nodeSelector": {"kubernetes.io/hostname": "minikube-m02"},
                      "containers": [{"name": "c", "image": "hello-node:v1"}]}})
    run_cli("cluster", "advance", "5s", "--cluster", "demo")
    refused = run_cli("node", "drain", "minikube-m02", "--cluster", "demo")
    assert refused.exit_code == 1
    assert refused.stdout == "node/minikube-m02 cordoned\n"
    assert refused.stderr.splitlines() == [
        'error: unable to drain node "minikube-m02" due to error: cannot delete Pods declare no controller '
        "(use --force to override): default/bare, continuing command...",
        "There are pending nodes to be drained:",
        " minikube-m02",
        "error: cannot delete Pods declare no controller (use --force to override): default/bare",
    ]
    on_node = sorted(p["metadata"]["name"] for p in _pods() if p["spec"]["nodeName"] == "minikube-m02")
    res = run_cli("node", "drain", "minikube-m02", "--force", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    assert res.stderr == "Warning: deleting Pods that declare no controller: default/bare\n"
    lines = res.stdout.splitlines()
    assert lines[0] == "node/minikube-m02 already cordoned"
    evictions = [f"evicting pod default/{n}" for n in on_node] + [f"pod/{n} evicted" for n in on_node]
    assert lines[1:-1] == evictions
    assert lines[-1] == "node/minikube-m02 drained"


def test_image_fail_ok_list(run_cli: Run) -> None:
    _setup(run_cli, nodes=1)
    res = run_cli("image", "fail", "hello-node:v2", "--cluster", "demo")
    assert res.stdout == 'image "hello-node:v2" now fails with ErrImagePull\n'
    _create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
             "spec": {"containers": [{"name": "c", "image": "hello-node:v2"}]}})
    run_cli("cluster", "advance", "5s", "--cluster", "demo")
    state = _pods()[0]["status"]["containerStatuses"][0]["state"]
    assert state["waiting"]["reason"] == "ImagePullBackOff"
    assert run_cli("image", "list", "--cluster", "demo").stdout.splitlines() == [
        "IMAGE           REASON         PODS", "hello-node:v2   ErrImagePull   1"]
    bad = run_cli("image", "fail", "x", "--reason", "Nope", "--cluster", "demo")
    assert bad.exit_code == 2 and "must be one of ErrImagePull, CrashLoopBackOff" in bad.stderr
    assert run_cli("image", "ok", "hello-node:v2", "--cluster", "demo").stdout == 'image "hello-node:v2" ok\n'
    run_cli("cluster", "advance", "5m", "--cluster", "demo")
    assert _pods()[0]["status"]["phase"] == "Running"
    assert run_cli("image", "list", "--cluster", "demo").stderr == "No image faults or run settings.\n"


def test_a_pod_that_fits_nowhere_stays_pending_with_the_reason(run_cli: Run, tmp_path: Any) -> None:
    _setup(run_cli, nodes=3)
    manifest = tmp_path / "greedy.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: greedy\nspec:\n  containers:\n"
        "    - name: app\n      image: hello-node:v1\n      resources:\n        requests:\n"
        "          cpu: '64'\n")
    res = run_cli("apply", str(manifest), "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    run_cli("cluster", "advance", "30s", "--cluster", "demo")
    pods = run_cli("get", "pods", "--cluster", "demo").stdout.splitlines()
    assert pods[1].split()[:3] == ["greedy", "0/1", "Pending"]
    described = run_cli("describe", "pod", "greedy", "--cluster", "demo").stdout
    assert "FailedScheduling" in described
    assert ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
            "3 No preemption victims found for incoming pod.") in described
