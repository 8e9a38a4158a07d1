"""StatefulSet, DaemonSet, Job and CronJob rules beyond the shared workload ones."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kapply.validate.rules import RULES, check

_TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}  # noqa: E501


def workload(kind: str, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"selector": {"matchLabels": {"app": "web"}}, "template": copy.deepcopy(_TEMPLATE)}
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"}, "spec": body}


def messages(obj: dict[str, Any]) -> list[str]:
    found = check(obj)
    assert {f.rule for f in found} <= set(RULES)
    return [str(f) for f in found]


@pytest.mark.parametrize(("name", "ok"), [("web-0", True), ("a" * 63, True), ("a" * 64, False), ("web.db", False)])  # noqa: E501
def test_stateful_set_name_is_a_dns_label(name: str, ok: bool) -> None:
    obj = workload("StatefulSet")
    obj["metadata"]["name"] = name
    assert (messages(obj) == []) is ok


def test_stateful_set_strategy_and_policies() -> None:
    assert messages(workload("StatefulSet", podManagementPolicy="Parallel")) == []
    assert messages(workload("StatefulSet", podManagementPolicy="Burst")) == [
        "spec.podManagementPolicy: Invalid value: \"Burst\": must be 'OrderedReady' or 'Parallel'"]
    assert messages(workload("StatefulSet", updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 1}})) == [  # noqa: E501
        "spec.updateStrategy.rollingUpdate: Invalid value: {\"Partition\":1,\"MaxUnavailable\":null}: only allowed "  # noqa: E501
        "for updateStrategy 'RollingUpdate'"]
    assert messages(workload("StatefulSet", updateStrategy={"rollingUpdate": {"partition": -1}})) == [
        "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"]
    assert messages(workload("StatefulSet", persistentVolumeClaimRetentionPolicy={"whenDeleted": "Keep"})) == [  # noqa: E501
        'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: '
        '"Retain", "Delete"']


def test_stateful_set_selector_errors() -> None:
    assert messages(workload("StatefulSet", selector={})) == [
        "spec.selector: Invalid value: {}: empty selector is invalid for statefulset"]
    bad = {"matchLabels": {"app": "-x-"}}
    assert [f.rule for f in check(workload("StatefulSet", selector=bad))] == ["label-value", "selector-invalid"]  # noqa: E501


@pytest.mark.parametrize(
    ("rolling", "expected"),
    [
        ({}, []),
        ({"maxUnavailable": 0, "maxSurge": 1}, []),
        ({"maxSurge": 1},
         ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"]),  # noqa: E501
        ({"maxUnavailable": 0},
         ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]),  # noqa: E501
        ({"maxUnavailable": "100%"}, []),
        ({"maxUnavailable": "101%"},
         ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "101%": must not be greater than 100%']),  # noqa: E501
    ],
)
def test_daemon_set_rolling_update(rolling: dict[str, Any], expected: list[str]) -> None:
    assert messages(workload("DaemonSet", updateStrategy={"type": "RollingUpdate", "rollingUpdate": rolling})) == expected  # noqa: E501


def test_daemon_set_template_rules() -> None:
    obj = workload("DaemonSet")
    obj["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 30
    assert messages(obj) == [
        "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"]  # noqa: E501
    assert messages(workload("DaemonSet", selector={"matchLabels": {"app": "api"}})) == [
        'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']  # noqa: E501


def job_spec(**fields: Any) -> dict[str, Any]:
    template = copy.deepcopy(_TEMPLATE)
    template["spec"]["restartPolicy"] = "Never"
    return {"template": template, **fields}


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("backoffLimit", 0, True), ("backoffLimit", -1, False), ("parallelism", -1, False), ("completions", 0, True)])  # noqa: E501
def test_job_counts(field: str, value: int, ok: bool) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": job_spec(**{field: value})}  # noqa: E501
    assert (messages(job) == []) is ok


def test_job_manual_selector_must_match() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": job_spec(manualSelector=True, selector={"matchLabels": {"app": "other"}})}
    assert [f.rule for f in check(job)] == ["selector-mismatch"]
    del job["spec"]["manualSelector"]
    assert messages(job) == []


def test_cron_job_template_may_not_carry_a_selector() -> None:
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Sometimes",
                     "jobTemplate": {"spec": job_spec(selector={"matchLabels": {"a": "b"}})}}}
    assert messages(cron) == [
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',  # noqa: E501
        'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',  # noqa: E501
    ]
