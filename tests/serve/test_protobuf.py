"""Kubernetes protobuf bodies decoded to JSON objects (kapply/serve/protobuf.py).

The wire bytes are built here field by field, so each case pins one rule: pointer zeros kept,
omitempty zeros dropped, inline structs flattened, maps, times, quantities, int-or-strings.
"""

from __future__ import annotations

import pytest

from kapply.serve.protobuf import MAGIC, _go_duration, decode, message
from kapply.serve.status import ApiError


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def v(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def b(number: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return MAGIC + b(1, b(1, api_version) + b(2, kind)) + b(2, raw)


def test_a_deployment_as_kubectl_create_sends_it() -> None:
    labels = b(11, b(1, "app") + b(2, "web"))
    meta = b(1, "web") + labels + b(8, b"")  # an empty creationTimestamp, as Go's zero Time
    container = b(1, "web") + b(2, "nginx:1.27") + b(8, b"") + v(16, 0)  # resources {}, stdin false
    pod_spec = b(2, container) + v(4, 30)  # terminationGracePeriodSeconds 30 (a pointer)
    template = b(1, b(11, b(1, "app") + b(2, "web"))) + b(2, pod_spec)
    spec = v(1, 0) + b(2, b(1, b(1, "app") + b(2, "web"))) + b(3, template) + b(4, b"") + v(5, 0) + v(7, 0)
    obj = decode(envelope("apps/v1", "Deployment", b(1, meta) + b(2, spec) + b(3, b"")))
    assert obj == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 0,  # a pointer: the zero is the user's
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:1.27", "resources": {}}],
                    "terminationGracePeriodSeconds": 30,
                },
            },
            "strategy": {},
        },
        "status": {},
    }


def test_an_eviction_with_delete_options() -> None:
    options = v(1, 5) + b(4, "Foreground") + b(5, "All")
    obj = decode(envelope("policy/v1", "Eviction", b(1, b(1, "p") + b(3, "default")) + b(2, options)))
    assert obj["metadata"] == {"name": "p", "namespace": "default"}
    assert obj["deleteOptions"] == {
        "gracePeriodSeconds": 5,
        "propagationPolicy": "Foreground",
        "dryRun": ["All"],
    }


def test_inline_structs_times_quantities_and_int_or_strings() -> None:
    volume = b(1, "data") + b(2, b(2, b(1, "Memory") + b(2, b(1, "1Gi"))))  # emptyDir, inline VolumeSource
    assert message("core/v1.Volume", volume) == {
        "name": "data",
        "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"},
    }
    strategy = b(1, "RollingUpdate") + b(2, b(1, v(1, 1) + b(3, "25%")) + b(2, v(1, 0) + v(2, 2)))
    assert message("apps/v1.DeploymentStrategy", strategy) == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 2},
    }
    meta = b(9, v(1, 1_767_225_600) + v(2, 0)) + v(10, 30)
    assert message("meta/v1.ObjectMeta", meta) == {
        "deletionTimestamp": "2026-01-01T00:00:00Z",
        "deletionGracePeriodSeconds": 30,
    }


def test_negative_numbers_bytes_and_repeated_values() -> None:
    secret = b(1, b(1, "s")) + b(2, b(1, "key") + b(2, b"\x00\xff"))
    assert message("core/v1.Secret", secret)["data"] == {"key": "AP8="}
    probe = v(2, -1)  # initialDelaySeconds: a negative int32 is ten varint bytes
    assert message("core/v1.Probe", probe) == {"initialDelaySeconds": -1}
    container = b(1, "c") + b(3, "sh") + b(3, "-c")
    assert message("core/v1.Container", container)["command"] == ["sh", "-c"]


@pytest.mark.parametrize(
    ("nanos", "text"),
    [
        (0, "0s"),
        (1_500_000, "1.5ms"),
        (2_000_000_000, "2s"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (3_723_500_000_000, "1h2m3.5s"),
        (-5_000_000_000, "-5s"),
    ],
)
def test_durations_print_as_go_does(nanos: int, text: str) -> None:
    assert _go_duration(nanos) == text


@pytest.mark.parametrize(
    "body", [b"not protobuf", MAGIC + b"\xff", MAGIC + b(1, b(2, "Nope")) + b(2, b""), MAGIC + b(2, b"")]
)
def test_bodies_that_are_not_kubernetes_protobuf_are_bad_requests(body: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        decode(body)
    assert refused.value.code == 400
