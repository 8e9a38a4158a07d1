"""The embedded API's decoder: integers too big for their Go field are a 400, before validation;
ill-typed bodies are refused before defaulting or any plugin reads them, and what is accepted
reaches them decoded as Go decodes it (several of these cases crashed defaulting or a plugin
before; tests/bench/fuzz_validate.py found them)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.errors import BadRequestError, InvalidError, NotFoundError


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


def service(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec}}


@pytest.mark.parametrize(("body", "message"), [
    ({**service(), "apiVersion": False},
     'apiVersion: Invalid value: "boolean": apiVersion in body must be of type string: "boolean"'),
    ({k: v for k, v in service(ports="v1").items() if k != "apiVersion"},
     'spec.ports: Invalid value: "string": spec.ports in body must be of type array: "string"'),
    (service(ports=-(2**31)),
     'spec.ports: Invalid value: "integer": spec.ports in body must be of type array'),
    ({**service(), "spec": [None]}, 'spec: Invalid value: "array": spec in body must be of type object'),
    ({**deployment(), "spec": {**deployment()["spec"], "strategy": "apps/v1"}},
     'spec.strategy: Invalid value: "string": spec.strategy in body must be of type object'),
])
def test_ill_typed_bodies_are_refused_before_defaulting(cluster: SimCluster, body: dict[str, Any],
                                                        message: str) -> None:
    with pytest.raises(InvalidError) as err:
        cluster.create(body, dry_run=True)
    assert message in str(err.value)


def test_nulls_decode_as_go_zero_values(cluster: SimCluster) -> None:
    # a null list item is a zero ServicePort: port 0 is what validation then refuses
    with pytest.raises(InvalidError, match=r"spec.ports\[0\].port"):
        cluster.create(service(ports=[None]), dry_run=True)
    with pytest.raises(InvalidError, match="name or generateName is required"):
        cluster.create({**deployment(), "metadata": None}, dry_run=True)
    body = {**deployment(), "apiVersion": None}
    body["spec"]["replicas"] = None
    created = cluster.create(body)
    assert created["apiVersion"] == "apps/v1" and created["spec"]["replicas"] == 1
    created = cluster.create({**service(), "metadata": {"name": "db", "labels": None}, "spec": {
        "selector": {"app": "db"}, "ports": [{"port": 5432.0, "name": None}]}})
    assert created["spec"]["ports"][0]["port"] == 5432 and type(created["spec"]["ports"][0]["port"]) is int
    assert "name" not in created["spec"]["ports"][0] and "labels" not in created["metadata"]


def test_a_wrong_api_version_is_still_the_rest_mappings_error(cluster: SimCluster) -> None:
    with pytest.raises(NotFoundError, match='no matches for kind "Service" in version "apps/v1"'):
        cluster.create({**service(), "apiVersion": "apps/v1"})
    with pytest.raises(InvalidError, match=r"spec\.ports"):  # its body is checked against the served v1
        cluster.create({**service(ports="x"), "apiVersion": "apps/v1"})
