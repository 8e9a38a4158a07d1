"""The embedded API's decoder: integers too big for their Go field are a 400, before validation."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.errors import BadRequestError, InvalidError


def deployment(replicas: int = 1, **pod_spec: Any) -> dict[str, Any]:
    container = {"name": "app", "image": "nginx", "ports": [{"containerPort": 80}]}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [container], **pod_spec}}}}


@pytest.mark.parametrize(("obj", "message"), [
    (deployment(3_000_000_000), 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
     "unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (deployment(-(2**31) - 1), "cannot unmarshal number -2147483649 into Go struct field "
     "DeploymentSpec.spec.replicas of type int32"),
    (deployment(terminationGracePeriodSeconds=2**63), "cannot unmarshal number 9223372036854775808 into Go "
     "struct field PodSpec.spec.template.spec.terminationGracePeriodSeconds of type int64"),
    ({**deployment(), "spec": {**deployment()["spec"], "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 2**32}]}]}}}},
     "Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"),
    ({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
      "spec": {"replicas": 2**31, "template": {"metadata": {"labels": {"app": "rc"}},
                                               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}},
     'ReplicationController in version "v1" cannot be handled as a ReplicationController: json: cannot '
     "unmarshal number 2147483648 into Go struct field ReplicationControllerSpec.spec.replicas "
     "of type int32"),
])
def test_out_of_range_integers_are_a_bad_request(cluster: SimCluster, obj: dict[str, Any],
                                                 message: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        cluster.create(obj)
    assert message in str(caught.value)
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
    assert cluster.list(obj["kind"], "default") == []


def test_the_largest_int32_is_accepted_and_a_patch_is_decoded_too(cluster: SimCluster) -> None:
    cluster.create(deployment(2**31 - 1))
    with pytest.raises(BadRequestError, match=r"DeploymentSpec\.spec\.replicas of type int32"):
        cluster.patch("Deployment", "default", "web", {"spec": {"replicas": 2**31}}, patch_type="merge")
    assert cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 2**31 - 1


def test_in_range_values_reach_validation(cluster: SimCluster) -> None:
    with pytest.raises(InvalidError, match=r"spec\.replicas: Invalid value: -1: must be greater"):
        cluster.create(deployment(-1))
