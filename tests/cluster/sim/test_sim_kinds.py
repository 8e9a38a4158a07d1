"""Kinds named by group and kind through the `Cluster` protocol, and `Discovery`."""

from __future__ import annotations

import pytest

from kapply.cluster.protocol import Discovery
from kapply.cluster.sim.cluster import SimCluster
from kapply.errors import NotFoundError

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}}


def test_the_embedded_cluster_answers_discovery(cluster: SimCluster) -> None:
    assert isinstance(cluster, Discovery)
    served = {(k.group, k.kind) for k in cluster.served_kinds()}
    expected = {("apps", "Deployment"), ("", "Pod"), ("apiextensions.k8s.io", "CustomResourceDefinition")}
    assert expected <= served


def test_a_group_names_the_kind(cluster: SimCluster) -> None:
    cluster.create(CM)
    assert cluster.get("ConfigMap", "default", "c", group="")["metadata"]["name"] == "c"
    assert [o["metadata"]["name"] for o in cluster.list("ConfigMap", "default", group="")] == ["c"]
    assert cluster.list("Deployment", group="apps") == []


@pytest.mark.parametrize(("call", "message"), [
    (lambda c: c.get("ConfigMap", "default", "c", group="apps"),
     'no matches for kind "ConfigMap" in group "apps"'),
    (lambda c: c.list("Deployment", group=""), 'no matches for kind "Deployment" in group ""'),
    (lambda c: c.delete("CronTab", "default", "x", group="stable.example.com"),
     'no matches for kind "CronTab" in group "stable.example.com"'),
    (lambda c: c.get("CronTab", "default", "x"), 'the server doesn\'t have a resource type "CronTab"'),
])
def test_a_kind_not_served_in_that_group_is_not_found(cluster: SimCluster, call, message: str) -> None:
    cluster.create(CM)
    with pytest.raises(NotFoundError, match=message):
        call(cluster)
