"""Workload rules: metadata, selectors, replicas, strategy, restart policy, per kind."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kapply.validate.rules import check, rule_ids


def deployment(**spec: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}},
    }
    obj["spec"].update(copy.deepcopy(spec))
    return obj


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj)]


def test_a_valid_deployment_has_no_findings() -> None:
    assert messages(deployment()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a" * 253, []),
        ("a" * 254, ['metadata.name: Invalid value: "' + "a" * 254 + '": must be no more than 253 characters']),  # noqa: E501
        ("web.v2", []),
    ],
)
def test_deployment_name_is_a_dns_subdomain(name: str, expected: list[str]) -> None:
    obj = deployment()
    obj["metadata"]["name"] = name
    assert messages(obj) == expected


def test_name_required_unless_generate_name() -> None:
    obj = deployment()
    obj["metadata"] = {}
    assert messages(obj) == ["metadata.name: Required value: name or generateName is required"]
    obj["metadata"] = {"generateName": "web-"}
    assert messages(obj) == []


@pytest.mark.parametrize(
    ("kind", "api_version", "name", "rule_fires"),
    [
        ("Namespace", "v1", "a" * 63, False),
        ("Namespace", "v1", "a" * 64, True),
        ("Namespace", "v1", "team.prod", True),
        ("Service", "v1", "web-1", False),
        ("Service", "v1", "1web", True),
        ("ConfigMap", "v1", "1web.conf", False),
        ("ClusterRole", "rbac.authorization.k8s.io/v1", "system:aggregate-to-view", False),
        ("Widget", "example.com/v1", "UPPER", True),
    ],
)
def test_name_format_depends_on_the_kind(kind: str, api_version: str, name: str, rule_fires: bool) -> None:
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
    if kind == "Service":
        obj["spec"] = {"ports": [{"port": 80}]}
    assert any(f.rule == "name-format" for f in check(obj)) is rule_fires


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"app": "a" * 63}, []),
        ({"app": "a" * 64}, ['metadata.labels: Invalid value: "' + "a" * 64 + '": must be no more than 63 characters']),  # noqa: E501
        ({"example.com/" + "k" * 63: "v"}, []),
        ({"k" * 64: "v"}, ['metadata.labels: Invalid value: "' + "k" * 64
                           + '": name part must be no more than 63 characters']),
    ],
)
def test_label_key_and_value_limits(labels: dict[str, str], expected: list[str]) -> None:
    obj = deployment()
    obj["metadata"]["labels"] = labels
    assert messages(obj) == expected


@pytest.mark.parametrize(("size", "too_long"), [(262144, False), (262145, True)])
def test_annotations_total_size(size: int, too_long: bool) -> None:
    obj = deployment()
    obj["metadata"]["annotations"] = {"note": "x" * (size - 4)}
    expected = ["metadata.annotations: Too long: may not be more than 262144 bytes"] if too_long else []
    assert messages(obj) == expected


def test_namespace_is_a_dns_label() -> None:
    obj = deployment()
    obj["metadata"]["namespace"] = "Prod"
    assert [f.rule for f in check(obj)] == ["namespace-format"]


@pytest.mark.parametrize(("replicas", "expected"), [
    (0, []), (-1, ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"])])
def test_replicas_nonnegative(replicas: int, expected: list[str]) -> None:
    assert messages(deployment(replicas=replicas)) == expected


def test_selector_required_also_reports_the_mismatch() -> None:
    obj = deployment()
    del obj["spec"]["selector"]
    assert messages(obj) == [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',  # noqa: E501
    ]


def test_selector_mismatch_and_empty_selector() -> None:
    assert messages(deployment(selector={"matchLabels": {"app": "api"}})) == [
        'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']  # noqa: E501
    assert messages(deployment(selector={})) == ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]  # noqa: E501


def test_selector_expressions() -> None:
    ok = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}
    assert messages(deployment(selector=ok)) == []
    bad = {"matchExpressions": [{"key": "app", "operator": "In"}]}
    assert messages(deployment(selector=bad)) == [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",  # noqa: E501
        'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"In"}]}: invalid label selector',  # noqa: E501
    ]


@pytest.mark.parametrize(
    ("rolling", "expected"),
    [
        ({"maxSurge": 0, "maxUnavailable": 1}, []),
        ({"maxSurge": 0, "maxUnavailable": 0},
         ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]),
        ({"maxSurge": "0%", "maxUnavailable": "0%"},
         ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0']),  # noqa: E501
        ({"maxSurge": 0}, []),
        ({"maxUnavailable": "100%"}, []),
        ({"maxUnavailable": "101%"},
         ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "101%": must not be greater than 100%']),  # noqa: E501
        ({"maxSurge": "25"},
         ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": a valid percent string must be a numeric '  # noqa: E501
          "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]),
        ({"maxSurge": -1}, ["spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"]),  # noqa: E501
    ],
)
def test_rolling_update_parameters(rolling: dict[str, Any], expected: list[str]) -> None:
    assert messages(deployment(strategy={"type": "RollingUpdate", "rollingUpdate": rolling})) == expected


def test_recreate_forbids_rolling_update() -> None:
    assert messages(deployment(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]
    assert messages(deployment(strategy={"type": "Recreate"})) == []


@pytest.mark.parametrize(
    ("deadline", "min_ready", "expected"),
    [
        (11, 10, []),
        (10, 10, ["spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"]),
        (600, 0, []),
    ],
)
def test_progress_deadline_exceeds_min_ready(deadline: int, min_ready: int, expected: list[str]) -> None:
    assert messages(deployment(progressDeadlineSeconds=deadline, minReadySeconds=min_ready)) == expected


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("minReadySeconds", 0, True), ("minReadySeconds", -1, False),
    ("revisionHistoryLimit", 0, True), ("revisionHistoryLimit", -1, False)])
def test_nonnegative_deployment_fields(field: str, value: int, ok: bool) -> None:
    assert (messages(deployment(**{field: value})) == []) is ok


def test_template_restart_policy_always() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    assert messages(obj) == [
        'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']


def rc(selector: Any = None, labels: Any = None) -> dict[str, Any]:
    template: dict[str, Any] = {"spec": {"containers": [{"name": "c", "image": "i"}]}}
    if labels is not None:
        template["metadata"] = {"labels": labels}
    spec: dict[str, Any] = {"replicas": 1, "template": template}
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"}, "spec": spec}


def test_replication_controller_selector_defaults_from_template_labels() -> None:
    assert messages(rc(labels={"app": "x"})) == []
    assert messages(rc()) == ["spec.selector: Required value"]
    assert messages(rc(selector={"app": "y"}, labels={"app": "x"})) == [
        'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`']  # noqa: E501


def test_replica_set_and_daemon_set_selectors() -> None:
    rs = deployment()
    rs["kind"] = "ReplicaSet"
    rs["spec"]["selector"] = {}
    assert messages(rs) == ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]
    ds = deployment()
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    ds["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    assert [f.rule for f in check(ds)] == ["selector-mismatch"]


def test_stateful_set_mounts_may_use_claim_templates() -> None:
    sts = deployment()
    sts["kind"] = "StatefulSet"
    sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/d"}]
    sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}}]
    assert messages(sts) == []
    del sts["spec"]["volumeClaimTemplates"]
    assert messages(sts) == ['spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"']


def job_template(restart: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "i"}]}
    if restart:
        spec["restartPolicy"] = restart
    return {"spec": spec}


@pytest.mark.parametrize(("restart", "expected"), [
    ("Never", []), ("OnFailure", []),
    (None, ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'])])  # noqa: E501
def test_job_restart_policy(restart: str | None, expected: list[str]) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"template": job_template(restart)}}
    assert messages(job) == expected


@pytest.mark.parametrize(("length", "ok"), [(52, True), (53, False)])
def test_cron_job_name_length_and_job_template(length: int, ok: bool) -> None:
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c" * length},
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": job_template("Never")}}}}
    expected = [] if ok else [f'metadata.name: Invalid value: "{"c" * length}": must be no more than 52 characters']  # noqa: E501
    assert messages(cron) == expected
    cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    assert "spec.jobTemplate.spec.template.spec.containers[0].image: Required value" in messages(cron)


def test_wrong_types_never_crash() -> None:
    for broken in ({"spec": "x"}, {"spec": {"template": "x", "selector": "x", "strategy": "x"}},
                   {"spec": {"template": {"spec": {"containers": "x", "volumes": [1, None]}}}},
                   {"metadata": "x"}, {"spec": {"template": {"metadata": {"labels": "x"}}}}):
        obj = {"apiVersion": "apps/v1", "kind": "Deployment", **broken}
        check(obj)  # must not raise
    assert check("not a dict") == []  # type: ignore[arg-type]


def test_every_rule_id_is_documented() -> None:
    ids = rule_ids()
    assert ids == sorted(set(ids))
    assert {"selector-mismatch", "port-range", "node-port-range", "name-format"} <= set(ids)


def test_namespace_of_cluster_scoped_objects_is_ignored() -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "reader", "namespace": "Not_A_Label"}}
    assert check(role) == []
