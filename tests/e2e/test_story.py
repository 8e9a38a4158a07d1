"""The newcomer's walkthrough of the README, run through the installed `kapply` command.

Every step a user takes in the README is a step here, asserting what they would look for in the
output. The cluster uses a manual clock so each step is deterministic: `--wait` and
`rollout status` fast-forward it, and `cluster advance` walks through a node failure.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_walkthrough(run_kapply, tmp_path: Path) -> None:
    app = tmp_path / "manifests"
    shutil.copytree(REPO / "manifests", app)
    deploy_file = app / "deployment.yaml"

    def ok(*args: str) -> str:
        res = run_kapply(*args)
        assert res.exit_code == 0, f"kapply {' '.join(args)}\n{res.stdout}\n{res.stderr}"
        return res.stdout

    def get_json(*args: str) -> dict:
        return json.loads(ok("get", *args, "-o", "json"))

    ok("cluster", "create", "default", "--nodes", "3", "--lb-pool", "192.168.49.100-192.168.49.120",
       "--manual-clock")

    # 1. apply the hello-node app and wait for it
    out = ok("apply", str(app), "--wait")
    assert "service/hello-node created" in out
    assert "deployment.apps/hello-node created" in out
    assert 'deployment "hello-node" successfully rolled out' in out

    # 2. look around
    assert re.search(r"^hello-node\s+1/1\s+1\s+1\s+\S+$", ok("get", "deployments"), re.M)
    pods = ok("get", "pods")
    assert re.search(r"^hello-node-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0\s+", pods, re.M)
    svc = get_json("svc/hello-node")
    assert svc["spec"]["type"] == "LoadBalancer"
    assert svc["spec"]["clusterIP"].startswith("10.")
    assert 30000 <= svc["spec"]["ports"][0]["nodePort"] <= 32767
    assert svc["status"]["loadBalancer"]["ingress"][0]["ip"] == "192.168.49.100"
    services = ok("get", "services")
    row = r"^hello-node\s+LoadBalancer\s+10\.\S+\s+192\.168\.49\.100\s+8080:3\d{4}/TCP"
    assert re.search(row, services, re.M)
    assert "hello-node" in ok("describe", "deployment", "hello-node")
    assert "192.168.49.100" in ok("service", "url", "hello-node")
    pod_name = get_json("pods")["items"][0]["metadata"]["name"]
    assert ok("logs", pod_name).strip()

    # 3. scale by editing the YAML and re-applying
    deploy_file.write_text(deploy_file.read_text().replace("replicas: 1", "replicas: 4"))
    out = ok("apply", str(app), "--wait")
    assert "deployment.apps/hello-node configured" in out and "service/hello-node unchanged" in out
    assert get_json("deploy/hello-node")["status"]["readyReplicas"] == 4

    # 4. a new image rolls through ReplicaSets
    deploy_file.write_text(deploy_file.read_text().replace("hello-node:v1", "hello-node:v2"))
    ok("apply", str(app))
    status = ok("rollout", "status", "deployment/hello-node")
    assert 'deployment "hello-node" successfully rolled out' in status
    history = ok("rollout", "history", "deployment/hello-node")
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M)
    events = ok("events")
    assert "ScalingReplicaSet" in events and "Scaled up replica set hello-node-" in events
    assert len(get_json("rs")["items"]) == 2

    # 5. a bad image stalls the rollout without losing availability; undo recovers
    ok("image", "fail", "hello-node:v3")
    deploy_file.write_text(deploy_file.read_text().replace("hello-node:v2", "hello-node:v3"))
    res = run_kapply("apply", str(app), "--wait", "--timeout", "2m")
    assert res.exit_code == 1
    assert "ImagePullBackOff" in res.stderr or "ErrImagePull" in res.stderr
    deploy = get_json("deploy/hello-node")
    assert deploy["status"]["availableReplicas"] >= 3  # 4 - 25% maxUnavailable
    ok("rollout", "undo", "deployment/hello-node")
    assert "successfully rolled out" in ok("rollout", "status", "deployment/hello-node")
    images = {c["image"] for p in get_json("pods")["items"] for c in p["spec"]["containers"]
              if not p["metadata"].get("deletionTimestamp")}
    assert images == {"hello-node:v2"}

    # 6. delete the Service's file and prune
    deploy_file.write_text(deploy_file.read_text().replace("hello-node:v3", "hello-node:v2"))
    (app / "service.yaml").unlink()
    out = ok("apply", str(app), "--prune")
    assert "service/hello-node pruned" in out
    assert run_kapply("get", "svc/hello-node").exit_code == 1

    # 7. a node fails and the pods on it are replaced elsewhere
    victim = next(p["spec"]["nodeName"] for p in get_json("pods")["items"]
                  if not p["metadata"].get("deletionTimestamp"))  # a node that runs a live pod
    ok("node", "fail", victim)
    ok("cluster", "advance", "60s")
    nodes = ok("get", "nodes")
    assert re.search(rf"^{victim}\s+NotReady", nodes, re.M)
    ok("cluster", "advance", "6m")
    pods = get_json("pods")["items"]
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    assert len(live) == 4
    assert all(p["spec"].get("nodeName") != victim for p in live)
    assert get_json("deploy/hello-node")["status"]["readyReplicas"] == 4

    # 8. a StatefulSet: ordered pods with stable names, a claim each, rolled from the highest ordinal
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    sts_file = examples / "web-statefulset.yaml"
    out = ok("apply", str(sts_file), "--wait")
    assert "✓ statefulset.apps/web: Partition rollout complete. updated: 3" in out
    web = sorted(p["metadata"]["name"] for p in get_json("pods", "-l", "app=web")["items"])
    assert web == ["web-0", "web-1", "web-2"]
    claims = sorted(c["metadata"]["name"] for c in get_json("pvc")["items"])
    assert claims == ["data-web-0", "data-web-1", "data-web-2"]
    sts_file.write_text(sts_file.read_text().replace("nginx:1.27", "nginx:1.28"))
    ok("apply", str(sts_file))
    status = ok("rollout", "status", "statefulset/web").splitlines()
    assert status[-1] == "partitioned roll out complete: 3 new pods have been updated..."
    assert re.search(r"^2\s+<none>$", ok("rollout", "history", "statefulset/web"), re.M)
    ok("scale", "statefulset", "web", "--replicas", "1")
    ok("cluster", "advance", "2m")
    assert [p["metadata"]["name"] for p in get_json("pods", "-l", "app=web")["items"]] == ["web-0"]
    assert len(get_json("pvc")["items"]) == 3  # the claims outlive their pods

    # 9. a Job runs to completion; a CronJob starts one at each due time
    ok("image", "run", "perl:5.34", "--duration", "20s")
    ok("apply", str(examples / "pi-job.yaml"), "--wait")
    ok("cluster", "advance", "30s")
    assert re.search(r"^pi\s+Complete\s+1/1\s+", ok("get", "jobs"), re.M)
    ok("apply", str(examples / "hello-cronjob.yaml"))
    ok("cluster", "advance", "1h")
    cron = get_json("cronjob/hello")
    assert cron["status"]["lastScheduleTime"] and "lastSuccessfulTime" in cron["status"]
    hello_jobs = [j for j in get_json("jobs")["items"] if j["metadata"]["name"].startswith("hello-")]
    assert len(hello_jobs) == 3  # successfulJobsHistoryLimit (4 ran in the hour)

    # 10. autoscaling: a shared load scales php-apache out to the size that carries it, and back
    assert "✓ horizontalpodautoscaler.autoscaling/php-apache: Resource is current" in \
        ok("apply", str(examples / "php-apache.yaml"), "--wait").splitlines()
    ok("load", "set", "deployment/php-apache", "--cpu", "1", "--total")
    ok("cluster", "advance", "90s")
    hpa_row = r"^php-apache\s+Deployment/php-apache\s+cpu: 50%/50%\s+1\s+10\s+10\s"
    assert re.search(hpa_row, ok("get", "hpa"), re.M)
    assert len(ok("top", "pods", "-l", "run=php-apache").splitlines()) == 11  # a header and 10 pods
    rescales = [e["message"] for e in get_json("events")["items"] if e["reason"] == "SuccessfulRescale"]
    assert rescales[0] == "New size: 4; reason: cpu resource utilization (percentage of request) above target"
    ok("load", "clear", "deployment/php-apache")
    ok("cluster", "advance", "6m")
    assert get_json("deployment/php-apache")["spec"]["replicas"] == 1
