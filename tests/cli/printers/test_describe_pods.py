"""`describe pod` pages: the layout kubectl prints, field by field."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, T0, T2, event, pod

from kapply.cli.printers.describe import describe
from kapply.cli.printers.describe.containers import describe_probe, resource_field_value
from kapply.cli.printers.describe.pods import qos_class

GOLDEN = Path(__file__).parent / "golden"


def squash(page: str) -> str:
    """Interior runs of spaces as two, no trailing ones: for assertions about content, not alignment."""
    return "\n".join(re.sub(r"(?<=\S) {2,}(?=\S)", "  ", line).rstrip() for line in page.split("\n"))


def test_running_pod_page_is_kubectls() -> None:
    events = [
        event("Scheduled", "Successfully assigned default/hello-node-5f76cf6ccf-br9b5 to minikube",
              "default-scheduler", rv="5"),
        event("Pulled", 'Container image "hello-node:v1" already present on machine', "kubelet", rv="6"),
        event("BackOff", "Back-off restarting failed container", "kubelet", count=3, type_="Warning", rv="9"),
    ]
    assert describe(pod(), {}, events, NOW) == (GOLDEN / "describe_pod_running.txt").read_text()


def test_pending_pod_without_node_or_ip() -> None:
    p = pod(node=None)
    p["status"] = {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]}
    page = describe(p, {}, [], NOW)
    assert "Node:             <none>\n" in page
    assert "Start Time" not in page
    assert "IP:               \nIPs:              <none>\n" in page
    assert "Container ID" not in page and "State:" not in page
    assert "Conditions:\n  Type           Status\n  PodScheduled   False \n" in page
    assert page.endswith("QoS Class:       Burstable\nNode-Selectors:  <none>\n"
                         "Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
                         "                 node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
                         "Events:          <none>\n")


def test_waiting_and_last_terminated_state() -> None:
    p = pod()
    p["status"]["containerStatuses"][0].update({
        "ready": False, "restartCount": 4,
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": T0, "finishedAt": T2}},
    })
    page = describe(p, {}, [], NOW)
    assert ("    State:          Waiting\n"
            "      Reason:       CrashLoopBackOff\n"
            "    Last State:     Terminated\n"
            "      Reason:       Error\n"
            "      Exit Code:    1\n"
            "      Started:      Fri, 02 Jan 2026 03:04:00 +0000\n"
            "      Finished:     Fri, 02 Jan 2026 03:04:02 +0000\n"
            "    Ready:          False\n"
            "    Restart Count:  4\n") in page


def test_terminating_pod_status_line() -> None:
    p = pod()
    p["metadata"]["deletionTimestamp"] = "2026-01-02T03:05:30Z"
    p["metadata"]["deletionGracePeriodSeconds"] = 30
    page = describe(p, {}, None, NOW)
    # kubectl prints the time since the future deletion timestamp, which is <invalid>
    assert "Status:                    Terminating (lasts <invalid>)\n" in page
    assert "Termination Grace Period:  30s\n" in page
    assert "Events" not in page  # events=None: --show-events=false


def test_environment_mounts_volumes_and_probes() -> None:
    p = pod()
    c = p["spec"]["containers"][0]
    c["env"] = [
        {"name": "PORT", "value": "3000"},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
        {"name": "CPUS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
        {"name": "GPUS", "valueFrom": {"resourceFieldRef": {"resource": "limits.nvidia.com/gpu"}}},
    ]
    c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True},
                         {"name": "cache", "mountPath": "/cache"}]
    c["readinessProbe"] = {"httpGet": {"path": "/healthz", "port": 3000}, "initialDelaySeconds": 5}
    c["args"] = ["--port", "3000"]
    p["spec"]["volumes"] = [{"name": "config", "configMap": {"name": "app-config"}},
                            {"name": "cache", "emptyDir": {}}]
    page = squash(describe(p, {}, [], NOW))
    assert ("    Args:\n      --port\n      3000\n") in page
    assert ("    Readiness:  http-get http://:3000/healthz delay=5s timeout=1s period=10s "
            "#success=1 #failure=3\n") in page
    assert "      PORT:  3000\n" in page
    assert "      POD_NAME:  hello-node-5f76cf6ccf-br9b5 (v1:metadata.name)\n" in page
    assert "      PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false\n" in page
    assert "      MEM:  128 (limits.memory)\n" in page
    assert "      CPUS:  1 (limits.cpu)\n" in page  # 500m rounded up to whole cores
    assert "      GPUS:  0 (limits.nvidia.com/gpu)\n" in page
    assert "    Mounts:\n      /cache from cache (rw)\n      /etc/app from config (ro)\n" in page
    assert ("Volumes:\n"
            "  config:\n"
            "    Type:  ConfigMap (a volume populated by a ConfigMap)\n"
            "    Name:  app-config\n"
            "    Optional:  false\n"
            "  cache:\n"
            "    Type:  EmptyDir (a temporary directory that shares a pod's lifetime)\n"
            "    Medium:\n"
            "    SizeLimit:  <unset>\n") in page


def test_annotations_long_values_are_shortened_and_last_applied_hidden() -> None:
    p = pod()
    p["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": "{...}",
        "note": "x" * 200,
        "team": "web",
    }
    page = describe(p, {}, [], NOW)
    assert "last-applied-configuration" not in page
    shortened = "x" * 138 + "..."
    assert f"Annotations:      note:\n                    {shortened}\n                  team: web\n" in page


def test_probe_forms() -> None:
    assert describe_probe({"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 5}) == \
        "exec [cat /tmp/ready] delay=0s timeout=1s period=5s #success=1 #failure=3"
    assert describe_probe({"tcpSocket": {"port": 5432}}).startswith("tcp-socket :5432 delay=0s")


def test_qos_class_when_status_has_none() -> None:
    p = pod()
    assert qos_class(p) == "Burstable"
    c = p["spec"]["containers"][0]
    c["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m", "memory": "1Gi"}}
    assert qos_class(p) == "Guaranteed"
    bare = copy.deepcopy(p)
    bare["spec"]["containers"][0]["resources"] = {}
    assert qos_class(bare) == "BestEffort"


def test_projected_service_account_volume_and_pod_resources() -> None:
    p = pod()
    p["spec"]["volumes"] = [{"name": "kube-api-access-x7k2p", "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt"}},
        {"downwardAPI": {"items": []}}]}}]
    p["spec"]["resources"] = {"limits": {"cpu": "1"}}
    page = squash(describe(p, {}, [], NOW))
    assert ("  kube-api-access-x7k2p:\n"
            "    Type:  Projected (a volume that contains injected data from multiple sources)\n"
            "    TokenExpirationSeconds:  3607\n"
            "    ConfigMapName:  kube-root-ca.crt\n"
            "    Optional:  false\n"
            "    DownwardAPI:  true\n") in page
    assert "Resources:\n  Limits:\n    cpu:  1\nContainers:\n" in page


def test_resource_field_without_a_limit_is_node_allocatable() -> None:
    assert resource_field_value({"resource": "limits.memory"}, {"name": "app"}) == "node allocatable"
    assert resource_field_value({"resource": "requests.cpu"}, {"name": "app"}) == "0"
    assert resource_field_value({"resource": "requests.cpu", "divisor": "1m"},
                                {"resources": {"requests": {"cpu": "250m"}}}) == "250"
