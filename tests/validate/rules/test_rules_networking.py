"""Ingress and NetworkPolicy rules."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def ingress(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"rules": [{"host": "shop.example.com", "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}  # noqa: E501
    body.update(spec)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}, "spec": body}  # noqa: E501


def path_rule(**path: Any) -> list[dict[str, Any]]:
    item = {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}  # noqa: E501
    item.update(path)
    return [{"host": "shop.example.com", "http": {"paths": [item]}}]


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj)]


P = "spec.rules[0].http.paths[0]"


def test_a_valid_ingress() -> None:
    assert messages(ingress()) == []
    assert messages(ingress(rules=[{"host": "*.example.com", "http": {"paths": path_rule()[0]["http"]["paths"]}}])) == []  # noqa: E501


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ({"pathType": None}, [f"{P}.pathType: Required value: pathType must be specified"]),
        ({"path": "api"}, [f'{P}.path: Invalid value: "api": must be an absolute path']),
        ({"path": "/a//b"}, [f"{P}.path: Invalid value: \"/a//b\": must not contain '//'"]),
        ({"path": "/a/.."}, [f"{P}.path: Invalid value: \"/a/..\": cannot end with '/..'"]),
        ({"path": "", "pathType": "ImplementationSpecific"}, []),
        ({"pathType": "Regex"},
         [f'{P}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"']),  # noqa: E501
        ({"backend": {"service": {"name": "web", "port": {"number": 80, "name": "http"}}}},
         [f"{P}.backend: Invalid value: \"\": cannot set both port name & port number"]),
        ({"backend": {"service": {"name": "web"}}}, [f"{P}.backend: Required value: port name or number is required"]),  # noqa: E501
        ({"backend": {"service": {"name": "web", "port": {"number": 70000}}}},
         [f"{P}.backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive"]),
        ({"backend": {}}, [f'{P}.backend: Invalid value: "": resource or service backend is required']),
    ],
)
def test_paths_and_backends(path: dict[str, Any], expected: list[str]) -> None:
    item = path_rule(**path)
    if path.get("pathType", "x") is None:
        del item[0]["http"]["paths"][0]["pathType"]
    assert messages(ingress(rules=item)) == expected


def test_hosts_and_empty_spec() -> None:
    assert messages(ingress(rules=[{"host": "10.0.0.1", "http": path_rule()[0]["http"]}])) == [
        'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']
    assert [f.rule for f in check(ingress(rules=[{"host": "*.*.example.com", "http": path_rule()[0]["http"]}]))] == [  # noqa: E501
        "ingress"]
    assert messages(ingress(rules=[])) == [
        "spec: Invalid value: []: either `defaultBackend` or `rules` must be specified"]


def test_network_policy() -> None:
    policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np"},
              "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Sideways"],
                       "ingress": [{"from": [{}], "ports": [{"port": 8080, "endPort": 80}]}]}}
    assert messages(policy) == [
        "spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`",
        "spec.ingress[0].from[0]: Required value: must specify a peer",
        'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]
