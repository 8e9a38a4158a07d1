"""Pod and container rules: names, images, ports, env, volumes and mounts, probes, policies."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import RULES, check


def pod(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": list(containers) or [{"name": "app", "image": "busybox"}]}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


def ctr(**fields: Any) -> dict[str, Any]:
    return {"name": "app", "image": "busybox", **fields}


def messages(obj: dict[str, Any]) -> list[str]:
    found = check(obj)
    assert {f.rule for f in found} <= set(RULES)
    return [str(f) for f in found]


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        (1, []),
        (65535, []),
        (65536, ["spec.containers[0].ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive"]),  # noqa: E501
        (-1, ["spec.containers[0].ports[0].containerPort: Invalid value: -1: must be between 1 and 65535, inclusive"]),  # noqa: E501
        (0, ["spec.containers[0].ports[0].containerPort: Required value"]),
    ],
)
def test_container_port_range(port: int, expected: list[str]) -> None:
    assert messages(pod(ctr(ports=[{"containerPort": port}]))) == expected


@pytest.mark.parametrize(("host_port", "ok"), [(0, True), (65535, True), (65536, False)])
def test_host_port_range(host_port: int, ok: bool) -> None:
    assert (messages(pod(ctr(ports=[{"containerPort": 80, "hostPort": host_port}]))) == []) is ok


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a" * 15, []),
        ("a" * 16, ['spec.containers[0].ports[0].name: Invalid value: "aaaaaaaaaaaaaaaa": must be no more than 15 characters']),  # noqa: E501
        ("http-alt", []),
        ("http--alt", ['spec.containers[0].ports[0].name: Invalid value: "http--alt": must not contain consecutive hyphens']),  # noqa: E501
        ("8080", ['spec.containers[0].ports[0].name: Invalid value: "8080": must contain at least one letter (a-z)']),  # noqa: E501
    ],
)
def test_port_names(name: str, expected: list[str]) -> None:
    assert messages(pod(ctr(ports=[{"containerPort": 80, "name": name}]))) == expected


def test_duplicate_port_names_and_host_ports() -> None:
    ports = [{"containerPort": 80, "name": "http", "hostPort": 8080}, {"containerPort": 81, "name": "http", "hostPort": 8080}]  # noqa: E501
    assert messages(pod(ctr(ports=ports))) == [
        'spec.containers[0].ports[1].name: Duplicate value: "http"',
        'spec.containers[0].ports[1].hostPort: Duplicate value: "TCP//8080"',
    ]


@pytest.mark.parametrize(("protocol", "ok"), [("TCP", True), ("UDP", True), ("SCTP", True), ("tcp", False)])
def test_port_protocol(protocol: str, ok: bool) -> None:
    expected = [] if ok else [
        f'spec.containers[0].ports[0].protocol: Unsupported value: "{protocol}": supported values: "SCTP", "TCP", "UDP"']  # noqa: E501
    assert messages(pod(ctr(ports=[{"containerPort": 80, "protocol": protocol}]))) == expected


@pytest.mark.parametrize(("name", "ok"), [("a" * 63, True), ("a" * 64, False), ("Web", False), ("web-1", True)])  # noqa: E501
def test_container_name_is_a_dns_label(name: str, ok: bool) -> None:
    assert (messages(pod(ctr(name=name))) == []) is ok


def test_container_names_unique_across_init_containers() -> None:
    assert messages(pod(ctr(), ctr())) == ['spec.containers[1].name: Duplicate value: "app"']
    assert messages(pod(ctr(), initContainers=[ctr()])) == ['spec.initContainers[0].name: Duplicate value: "app"']  # noqa: E501


def test_image_and_containers_required() -> None:
    assert messages(pod(ctr(image=""))) == ["spec.containers[0].image: Required value"]
    assert messages(pod(containers=[])) == ["spec.containers: Required value"]


def test_init_containers_get_container_rules_and_no_probes() -> None:
    init = ctr(name="init", ports=[{"containerPort": 70000}], readinessProbe={"exec": {"command": ["true"]}})
    assert messages(pod(ctr(), initContainers=[init])) == [
        "spec.initContainers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",  # noqa: E501
        "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",  # noqa: E501
    ]
    sidecar = ctr(name="init", restartPolicy="Always", readinessProbe={"exec": {"command": ["true"]}})
    assert messages(pod(ctr(), initContainers=[sidecar])) == []


def test_volume_mounts_refer_to_volumes() -> None:
    mounts = [{"name": "data", "mountPath": "/data"}]
    assert messages(pod(ctr(volumeMounts=mounts))) == ['spec.containers[0].volumeMounts[0].name: Not found: "data"']  # noqa: E501
    assert messages(pod(ctr(volumeMounts=mounts), volumes=[{"name": "data", "emptyDir": {}}])) == []
    assert messages(pod(ctr(volumeMounts=mounts), volumes=[{"name": "data"}])) == []  # defaults to emptyDir


def test_volume_names_unique_and_one_source() -> None:
    volumes = [{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}, "configMap": {"name": "c"}}]
    assert messages(pod(volumes=volumes)) == [
        "spec.volumes[1].configMap: Forbidden: may not specify more than 1 volume type",
        'spec.volumes[1].name: Duplicate value: "data"',
    ]


def test_duplicate_mount_paths() -> None:
    mounts = [{"name": "a", "mountPath": "/x"}, {"name": "b", "mountPath": "/x"}]
    volumes = [{"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": {}}]
    assert messages(pod(ctr(volumeMounts=mounts), volumes=volumes)) == [
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique']


@pytest.mark.parametrize(
    ("policy", "field", "expected"),
    [
        ("Never", "restartPolicy", []),
        ("Sometimes", "restartPolicy",
         ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']),  # noqa: E501
        ("ClusterFirst", "dnsPolicy", []),
        ("Cluster", "dnsPolicy",
         ['spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", '
          '"ClusterFirst", "Default", "None"']),
    ],
)
def test_pod_policies(policy: str, field: str, expected: list[str]) -> None:
    assert messages(pod(**{field: policy})) == expected


def test_env_names_and_value_from() -> None:
    env = [{"name": "A=B", "value": "x"}, {"name": "", "value": "y"},
           {"name": "C", "valueFrom": {}}, {"name": "D", "value": "v", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]  # noqa: E501
    assert messages(pod(ctr(env=env))) == [
        'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only '  # noqa: E501
        "of printable ASCII characters other than '='",
        "spec.containers[0].env[1].name: Required value",
        'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, '  # noqa: E501
        "`configMapKeyRef` or `secretKeyRef`",
        'spec.containers[0].env[3].valueFrom: Invalid value: "": may not be specified when `value` is not empty',  # noqa: E501
    ]


def test_probes() -> None:
    good = {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5}
    assert messages(pod(ctr(livenessProbe=good, readinessProbe=good))) == []
    assert messages(pod(ctr(livenessProbe={"httpGet": {"port": 70000}, "successThreshold": 2}))) == [
        "spec.containers[0].livenessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive",  # noqa: E501
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
    ]
    assert messages(pod(ctr(readinessProbe={"periodSeconds": 5}))) == [
        "spec.containers[0].readinessProbe: Required value: must specify a handler type"]
    both = {"exec": {"command": ["x"]}, "tcpSocket": {"port": 80}}
    assert messages(pod(ctr(startupProbe=both))) == [
        "spec.containers[0].startupProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"]


def test_host_network_ports() -> None:
    ports = [{"containerPort": 80, "hostPort": 8080}]
    assert messages(pod(ctr(ports=ports), hostNetwork=True)) == [
        "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"]  # noqa: E501
    assert messages(pod(ctr(ports=[{"containerPort": 80}]), hostNetwork=True)) == []
