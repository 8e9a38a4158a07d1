"""`describe configmap | secret | namespace`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, T0

from kapply.cli.printers.describe import describe
from kapply.cli.printers.describe.generic import smart_label

GOLDEN = Path(__file__).parent / "golden"

CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "app-config", "namespace": "default"},
              "data": {"mode": "production", "app.properties": "color=blue\nsize=3"},
              "binaryData": {"logo.png": "iVBORw0KGgo="}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "default"},
          "type": "Opaque", "data": {"password": "c2VjcmV0", "user": "YWRtaW4="}}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop"}},
             "status": {"phase": "Active"}}
QUOTA = {"kind": "ResourceQuota", "metadata": {"name": "compute"},
         "spec": {"hard": {"pods": "10", "requests.cpu": "2"}},
         "status": {"hard": {"pods": "10", "requests.cpu": "2"},
                    "used": {"pods": "3", "requests.cpu": "750m"}}}
LIMITS = {"kind": "LimitRange", "metadata": {"name": "defaults"},
          "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"},
                               "defaultRequest": {"cpu": "100m"}}]}}
@pytest.mark.parametrize(("obj", "related", "golden"), [
    (CONFIG_MAP, {}, "describe_configmap.txt"),
    (SECRET, {}, "describe_secret.txt"),
    (NAMESPACE, {}, "describe_namespace.txt"),
    (NAMESPACE, {"ResourceQuota": [QUOTA], "LimitRange": [LIMITS]}, "describe_namespace_quota.txt"),
])
def test_page(obj: dict[str, Any], related: dict[str, list[dict[str, Any]]], golden: str) -> None:
    assert describe(obj, related, [], NOW) == (GOLDEN / golden).read_text()


def test_secret_values_never_printed() -> None:
    page = describe(SECRET, {}, [], NOW)
    assert "c2VjcmV0" not in page and "secret" not in page.replace("Secret", "")


@pytest.mark.parametrize(("field", "label"), [
    ("apiVersion", "API Version"), ("creationTimestamp", "Creation Timestamp"), ("uid", "UID"),
    ("scaleTargetRef", "Scale Target Ref"), ("podCIDRs", "Pod CID Rs"), ("maxReplicas", "Max Replicas"),
    ("app.kubernetes.io/name", "app.kubernetes.io/name"), ("x_y", "x_y"),
])
def test_smart_label(field: str, label: str) -> None:
    assert smart_label(field) == label


def test_terminating_namespace_conditions() -> None:
    ns = {"kind": "Namespace", "metadata": {"name": "shop"},
          "status": {"phase": "Terminating", "conditions": [
              {"type": "NamespaceContentRemaining", "status": "True", "lastTransitionTime": T0,
               "reason": "SomeResourcesRemain",
               "message": "Some resources are remaining: pods. has 2 resource instances"}]}}
    page = describe(ns, {}, [], NOW)
    assert "Status:       Terminating\nConditions:\n" in page
    assert ("  NamespaceContentRemaining  True    Fri, 02 Jan 2026 03:04:00 +0000  SomeResourcesRemain  "
            "Some resources are remaining: pods. has 2 resource instances\n") in page


def test_service_account_page() -> None:
    sa = {"apiVersion": "v1", "kind": "ServiceAccount",
          "metadata": {"name": "builder", "namespace": "default", "uid": "sa-uid"},
          "imagePullSecrets": [{"name": "registry"}], "secrets": [{"name": "builder-key"}, {"name": "gone"}]}
    token = {"kind": "Secret", "type": "kubernetes.io/service-account-token",
             "metadata": {"name": "builder-token", "annotations": {
                 "kubernetes.io/service-account.name": "builder",
                 "kubernetes.io/service-account.uid": "sa-uid"}}}
    key = {"kind": "Secret", "type": "Opaque", "metadata": {"name": "builder-key"}}
    assert describe(sa, {"Secret": [token, key]}, [], NOW) == (
        "Name:                builder\n"
        "Namespace:           default\n"
        "Labels:              <none>\n"
        "Annotations:         <none>\n"
        "Image pull secrets:  registry\n"
        "Mountable secrets:   builder-key\n"
        "                     gone (not found)\n"
        "Tokens:              builder-token\n"
        "Events:              <none>\n")
