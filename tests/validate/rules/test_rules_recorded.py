"""Whole-object checks against error lists recorded from real Kubernetes 1.34-era API servers.

Each case is a manifest whose `kubectl apply` output was recorded from a live cluster; `check` must
produce the same errors, in the same order, byte for byte (kubectl joins them with ", ").
"""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check

SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "  # noqa: E501
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def deployment(name: str, labels: dict[str, str], container: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": 3, **spec,
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": container, "image": "app:1",
                                                       "ports": [{"containerPort": 8000}]}]}}},
    }


CASES = [
    (
        deployment("HelloWorld", {"app": "HelloWorld"}, "HelloWorld-container"),
        f'metadata.name: Invalid value: "HelloWorld": {SUBDOMAIN}, spec.selector: Required value, '
        'spec.template.metadata.labels: Invalid value: {"app":"HelloWorld"}: `selector` does not match template '  # noqa: E501
        f'`labels`, spec.template.spec.containers[0].name: Invalid value: "HelloWorld-container": {LABEL}',
    ),
    (
        deployment("helloworld", {"app": "helloworld"}, "helloworld"),
        'spec.selector: Required value, spec.template.metadata.labels: Invalid value: {"app":"helloworld"}: '
        "`selector` does not match template `labels`",
    ),
    (
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "TP2-service"},
         "spec": {"selector": {"app": "helloworld"}, "ports": [{"port": 80, "targetPort": 8000}]}},
        'metadata.name: Invalid value: "TP2-service": a DNS-1035 label must consist of lower case alphanumeric '  # noqa: E501
        "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
        "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ),
    (
        deployment("zero", {"app": "zero"}, "app", selector={"matchLabels": {"app": "zero"}},
                   strategy={"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}),
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0",
    ),
    (
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bad-nodeport"},
         "spec": {"type": "NodePort", "selector": {"app": "hello-k8s"},
                  "ports": [{"port": 80, "targetPort": 8080, "nodePort": 25000}]}},
        "spec.ports[0].nodePort: Invalid value: 25000: provided port is not in the valid range. The range of "
        "valid ports is 30000-32767",
    ),
]


@pytest.mark.parametrize(("obj", "recorded"), CASES)
def test_matches_recorded_api_server_output(obj: dict[str, Any], recorded: str) -> None:
    assert ", ".join(str(f) for f in check(obj)) == recorded
