"""Pod-level fields: tolerations, host aliases, names, deadlines, dnsConfig, Pod-only image rule."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check


def pod(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": [{"name": "app", "image": "busybox"}], **spec}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj)]


@pytest.mark.parametrize(
    ("toleration", "expected"),
    [
        ({"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}, []),
        ({"operator": "Exists"}, []),
        ({"key": "k", "operator": "Exists", "value": "v"},
         ["spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"]),  # noqa: E501
        ({"operator": "Equal", "value": "v"},
         ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which '  # noqa: E501
          'means "match all values and all keys"']),
        ({"key": "k", "operator": "Exists", "tolerationSeconds": 30, "effect": "NoSchedule"},
         ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
          "`tolerationSeconds` is set"]),
        ({"key": "k", "operator": "Exists", "effect": "Sometimes"},
         ['spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", '
          '"PreferNoSchedule", "NoExecute"']),
    ],
)
def test_tolerations(toleration: dict[str, Any], expected: list[str]) -> None:
    assert messages(pod(tolerations=[toleration])) == expected


def test_host_aliases_and_names() -> None:
    assert messages(pod(hostAliases=[{"ip": "127.0.0.1", "hostnames": ["foo.local"]}])) == []
    assert [f.rule for f in check(pod(hostAliases=[{"ip": "localhost", "hostnames": ["Foo"]}]))] == [
        "host-alias", "host-alias"]
    assert [f.rule for f in check(pod(serviceAccountName="My_SA", hostname="a.b", priorityClassName="High"))] == [  # noqa: E501
        "service-account-name", "hostname", "priority-class-name"]


@pytest.mark.parametrize(("deadline", "ok"), [(0, False), (1, True), (2**31 - 1, True), (2**31, False)])
def test_active_deadline_seconds_range(deadline: int, ok: bool) -> None:
    assert (messages(pod(activeDeadlineSeconds=deadline)) == []) is ok


def test_dns_policy_none_needs_dns_config() -> None:
    assert messages(pod(dnsPolicy="None")) == [
        "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]
    assert messages(pod(dnsPolicy="None", dnsConfig={"nameservers": ["1.1.1.1"]})) == []


def test_pod_image_whitespace_only_for_bare_pods() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["image"] = " busybox"
    assert messages(obj) == [
        'spec.containers[0].image: Invalid value: " busybox": must not have leading or trailing whitespace']


@pytest.mark.parametrize(("uid", "ok"), [(0, True), (4294967295, True), (-1, False), (4294967296, False)])
def test_security_context_ids(uid: int, ok: bool) -> None:
    detail = "must be between 0 and 4294967295, inclusive"
    expected = [] if ok else [
        f"spec.containers[0].securityContext.runAsGroup: Invalid value: {uid}: {detail}",
        f"spec.securityContext.runAsUser: Invalid value: {uid}: {detail}",
    ]
    obj = pod(securityContext={"runAsUser": uid})
    obj["spec"]["containers"][0]["securityContext"] = {"runAsGroup": uid}
    assert messages(obj) == expected
