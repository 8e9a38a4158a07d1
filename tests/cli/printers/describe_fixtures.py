"""Realistic objects (as the embedded cluster stores them) shared by the describe printer tests."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

NOW = datetime(2026, 1, 2, 3, 5, 0, tzinfo=UTC).timestamp()  # 2026-01-02T03:05:00Z
T0 = "2026-01-02T03:04:00Z"  # a minute before NOW
T2 = "2026-01-02T03:04:02Z"


def pod(name: str = "hello-node-5f76cf6ccf-br9b5", node: str | None = "minikube") -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "namespace": "default", "uid": "pod-uid-1", "creationTimestamp": T0,
            "labels": {"app": "hello-node", "pod-template-hash": "5f76cf6ccf"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                 "name": "hello-node-5f76cf6ccf", "uid": "rs-uid-1", "controller": True,
                                 "blockOwnerDeletion": True}],
        },
        "spec": {
            "containers": [{
                "name": "hello-node", "image": "hello-node:v1",
                "ports": [{"containerPort": 3000, "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                              "limits": {"cpu": "500m", "memory": "128Mi"}},
            }],
            "serviceAccountName": "default",
            "nodeName": node,
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                 "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                 "tolerationSeconds": 300},
            ],
        },
        "status": {
            "phase": "Running", "qosClass": "Burstable", "startTime": T0, "hostIP": "192.168.49.2",
            "podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}],
            "containerStatuses": [{
                "name": "hello-node", "image": "hello-node:v1", "imageID": "docker-pullable://hello-node@sha256:ab",
                "containerID": "docker://c0ffee", "ready": True, "restartCount": 0, "started": True,
                "lastState": {}, "state": {"running": {"startedAt": T2}},
            }],
            "conditions": [
                {"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"},
                {"type": "ContainersReady", "status": "True"}, {"type": "PodScheduled", "status": "True"},
            ],
        },
    }
    if node is None:
        del obj["spec"]["nodeName"]
    return obj


def event(reason: str, message: str, component: str, at: str = T0, count: int = 1, type_: str = "Normal",
          rv: str = "10", kind: str = "Pod", name: str = "hello-node-5f76cf6ccf-br9b5",
          uid: str = "pod-uid-1") -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{name}.{reason}", "namespace": "default", "resourceVersion": rv,
                     "creationTimestamp": at},
        "involvedObject": {"kind": kind, "namespace": "default", "name": name, "uid": uid},
        "type": type_, "reason": reason, "message": message, "source": {"component": component},
        "firstTimestamp": at, "lastTimestamp": at if count == 1 else T2, "count": count,
    }


def deployment() -> dict[str, Any]:
    template = copy.deepcopy({"metadata": {"labels": {"app": "hello-node"}},
                              "spec": {"containers": [pod()["spec"]["containers"][0]]}})
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "hello-node", "namespace": "default", "uid": "deploy-uid-1",
                     "creationTimestamp": T0,
                     "labels": {"app": "hello-node"},
                     "annotations": {"deployment.kubernetes.io/revision": "2"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "hello-node"}}, "template": template,
                 "strategy": {"type": "RollingUpdate",
                              "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                 "minReadySeconds": 0},
        "status": {"replicas": 4, "updatedReplicas": 2, "readyReplicas": 3, "availableReplicas": 3,
                   "unavailableReplicas": 1,
                   "conditions": [
                       {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                       {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}]},
    }


def replica_set(name: str, template_hash: str, image: str, replicas: int, created: str,
                owner_uid: str = "deploy-uid-1") -> dict[str, Any]:
    template = copy.deepcopy(deployment()["spec"]["template"])
    template["metadata"]["labels"]["pod-template-hash"] = template_hash
    template["spec"]["containers"][0]["image"] = image
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "creationTimestamp": created,
                     "labels": {"app": "hello-node", "pod-template-hash": template_hash},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "hello-node",
                                          "uid": owner_uid, "controller": True}]},
        "spec": {"replicas": replicas,
                 "selector": {"matchLabels": {"app": "hello-node", "pod-template-hash": template_hash}},
                 "template": template},
        "status": {"replicas": replicas},
    }
