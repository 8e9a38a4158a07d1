"""ConfigMap and Secret rules: keys, sizes, typed Secrets."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def config_map(**body: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, **body}


def secret(**body: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, **body}


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj)]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("app.conf", []),
        ("a" * 253, []),
        ("a" * 254, ["data[" + "a" * 254 + ']: Invalid value: "' + "a" * 254 + '": must be no more than 253 characters']),  # noqa: E501
        ("my key", ['data[my key]: Invalid value: "my key": a valid config key must consist of alphanumeric '
                    "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "  # noqa: E501
                    "validation is '[-._a-zA-Z0-9]+')"]),
        ("..data", ['data[..data]: Invalid value: "..data": must not start with \'..\'']),
    ],
)
def test_config_map_keys(key: str, expected: list[str]) -> None:
    assert messages(config_map(data={key: "v"})) == expected


def test_config_map_key_in_both_bags_and_size() -> None:
    assert messages(config_map(data={"k": "v"}, binaryData={"k": "dg=="})) == [
        'data[k]: Invalid value: "k": duplicate of key present in binaryData']
    assert messages(config_map(data={"k": "x" * (1024 * 1024)})) == []
    assert messages(config_map(data={"k": "x" * (1024 * 1024 + 1)})) == [": Too long: may not be more than 1048576 bytes"]  # noqa: E501


def test_secret_keys_include_string_data() -> None:
    assert messages(secret(stringData={"bad key": "x"})) == [
        'data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '  # noqa: E501
        "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
        "'[-._a-zA-Z0-9]+')"]


@pytest.mark.parametrize(
    ("secret_type", "data", "expected"),
    [
        ("kubernetes.io/tls", {"tls.crt": "eA==", "tls.key": "eA=="}, []),
        ("kubernetes.io/tls", {"tls.crt": "eA=="}, ["data[tls.key]: Required value"]),
        ("kubernetes.io/basic-auth", {"username": "eA=="}, []),
        ("kubernetes.io/basic-auth", {}, ["data[username]: Required value", "data[password]: Required value"]),  # noqa: E501
        ("kubernetes.io/dockerconfigjson", {}, ["data[.dockerconfigjson]: Required value"]),
        ("Opaque", {}, []),
    ],
)
def test_typed_secrets(secret_type: str, data: dict[str, str], expected: list[str]) -> None:
    assert messages(secret(type=secret_type, data=data)) == expected
