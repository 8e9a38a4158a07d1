"""Objects as a Kubernetes API server returns them (fully defaulted, server-set fields), for plan tests.

`server_side(desired, ...)` plays the API server and controllers: it takes what kapply would write
and adds what a real cluster adds, so "apply twice, nothing changes" is tested against realistic
live objects rather than echoes of the input.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

HELLO_DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "hello-node", "labels": {"run": "hello-node"}},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"run": "hello-node"}},
        "template": {
            "metadata": {"labels": {"run": "hello-node"}},
            "spec": {"containers": [{
                "name": "hello-node", "image": "hello-node:v1",
                "ports": [{"containerPort": 3000}],
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                              "limits": {"cpu": "500m", "memory": "128Mi"}},
            }]},
        },
    },
}

HELLO_SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "hello-node", "labels": {"run": "hello-node"}},
    "spec": {"type": "LoadBalancer", "selector": {"run": "hello-node"},
             "ports": [{"port": 8080, "targetPort": 3000}]},
}

CONFIGMAP: dict[str, Any] = {
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
    "data": {"mode": "fast"},
}


def _default_container(c: dict) -> None:
    c.setdefault("imagePullPolicy", "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for p in c.get("ports") or []:
        p.setdefault("protocol", "TCP")


def _default_pod_spec(spec: dict) -> None:
    for c in spec.get("containers") or []:
        _default_container(c)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")


def server_side(obj: dict, *, uid: str = "0b7f4a52-1111-2222-3333-444455556666", rv: str = "4711",
                cluster_ip: str = "10.96.12.34", node_port: int = 31234) -> dict:
    """`obj` as the API server stores and returns it: defaults, allocations, status, metadata."""
    live = copy.deepcopy(obj)
    meta = live.setdefault("metadata", {})
    meta.setdefault("namespace", "default")
    meta.update({"uid": uid, "resourceVersion": rv, "generation": 1,
                 "creationTimestamp": "2026-11-28T07:00:00Z",
                 "managedFields": [{"manager": "kapply", "operation": "Update"}]})
    kind = live.get("kind")
    spec = live.get("spec")
    if kind == "Deployment":
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        spec.setdefault("strategy", {"type": "RollingUpdate",
                                     "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        spec["template"].setdefault("metadata", {}).setdefault("creationTimestamp", None)
        _default_pod_spec(spec["template"]["spec"])
        meta.setdefault("annotations", {})["deployment.kubernetes.io/revision"] = "1"
        live["status"] = {"observedGeneration": 1, "replicas": spec["replicas"],
                          "readyReplicas": spec["replicas"], "availableReplicas": spec["replicas"],
                          "conditions": [{"type": "Available", "status": "True"}]}
    elif kind == "Service":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        spec.setdefault("clusterIP", cluster_ip)
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        for i, p in enumerate(spec.get("ports") or []):
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p["port"])
            if spec["type"] in ("NodePort", "LoadBalancer"):
                p.setdefault("nodePort", node_port + i)
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
        if spec["type"] == "LoadBalancer":
            spec.setdefault("allocateLoadBalancerNodePorts", True)
            live["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.49.100"}]}}
        else:
            live["status"] = {"loadBalancer": {}}
    elif kind == "Pod":
        _default_pod_spec(spec)
        spec.setdefault("nodeName", "node-1")
        live["status"] = {"phase": "Running"}
    elif kind == "NetworkPolicy":
        for rule in spec.get("ingress") or []:
            for p in rule.get("ports") or []:
                p.setdefault("protocol", "TCP")
    return live


@pytest.fixture
def hello_deployment() -> dict:
    return copy.deepcopy(HELLO_DEPLOYMENT)


@pytest.fixture
def hello_service() -> dict:
    return copy.deepcopy(HELLO_SERVICE)


@pytest.fixture
def configmap() -> dict:
    return copy.deepcopy(CONFIGMAP)


@pytest.fixture
def cluster() -> Callable[..., dict]:
    """Play the API server: turn a written object into the live object a cluster returns."""
    return server_side
