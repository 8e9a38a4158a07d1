"""The embedded API server decodes before anything else runs: ill-typed bodies are refused as the
API server refuses them, and what it accepts reaches defaulting and the plugins well-typed.

Cases found by tests/bench/fuzz_validate.py (each crashed defaulting or a plugin before).
"""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.errors import BadRequestError, InvalidError, NotFoundError


def service(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec}}


def deployment(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, **spec}}


def test_an_int32_out_of_range_is_the_decoders_400(cluster: SimCluster) -> None:
    with pytest.raises(BadRequestError) as err:
        cluster.create(deployment(replicas=3_000_000_000))
    assert str(err.value) == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number '
        "3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32")
    assert err.value.code == 400 and err.value.reason == "BadRequest"
    with pytest.raises(BadRequestError, match=r"ServicePort\.spec\.ports\.targetPort of type int32"):
        cluster.create(service(ports=[{"port": 80, "targetPort": 2**31}]))


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
    created = cluster.create({**deployment(replicas=None), "apiVersion": None})
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
