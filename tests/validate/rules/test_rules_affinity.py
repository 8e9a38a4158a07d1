"""Affinity rules, including an error list recorded from a live API server."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.validate.rules import check

NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def pod(affinity: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"affinity": affinity, "containers": [{"name": "c", "image": "i"}]}}


def messages(obj: dict[str, Any]) -> list[str]:
    return [str(f) for f in check(obj) if f.severity == "error"]


def test_empty_topology_key_as_recorded() -> None:
    term = {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": ""}
    path = "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey"
    assert messages(pod({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}})) == [
        f"{path}: Required value: can not be empty",
        f'{path}: Invalid value: "": name part must be non-empty',
        f'{path}: Invalid value: "": {NAME_PART}',
    ]


@pytest.mark.parametrize(("weight", "ok"), [(0, False), (1, True), (100, True), (101, False)])
def test_preferred_weights(weight: int, ok: bool) -> None:
    term = {"weight": weight, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname"}}
    assert (messages(pod({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [term]}})) == []) is ok  # noqa: E501


def test_node_affinity_requirements() -> None:
    required = {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "disktype", "operator": "In", "values": ["ssd"]},
        {"key": "zone", "operator": "Between", "values": ["a"]},
        {"key": "cores", "operator": "Gt", "values": ["2", "4"]},
    ]}]}
    base = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
    assert messages(pod({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}})) == [
        f'{base}.matchExpressions[1].operator: Invalid value: "Between": not a valid selector operator',
        f"{base}.matchExpressions[2].values: Required value: must be specified single value when `operator` is "  # noqa: E501
        "'Lt' or 'Gt'",
    ]
    assert messages(pod({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}}})) == [
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required "  # noqa: E501
        "value: must have at least one node selector term"]
