"""The re-apply fast path (`merge_keeps_live`) never claims "unchanged" where the merge would change
something, over generated Deployments and Services whose lists merge by key, as sets, or whole."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kapply.plan.three_way import merge, merge_keeps_live

SCALARS = st.one_of(st.none(), st.integers(0, 2), st.booleans(),
                    st.sampled_from(["a", "b", "1", "500m", "0.5"]))
SMALL = st.dictionaries(st.sampled_from(["x", "y", "protocol"]), SCALARS, max_size=3)
ENV = st.lists(st.fixed_dictionaries({"name": st.sampled_from(["A", "B", "C"])}, optional={"value": SCALARS}),
               max_size=3)
CONTAINER = st.fixed_dictionaries(
    {"name": st.sampled_from(["app", "side"])},
    optional={"image": st.sampled_from(["nginx:1", "nginx:2"]), "env": ENV,
              "args": st.lists(SCALARS, max_size=2),
              "resources": st.fixed_dictionaries({}, optional={"limits": st.dictionaries(
                  st.sampled_from(["cpu", "memory"]), st.sampled_from(["500m", "0.5", "1", 1]), max_size=2)}),
              "ports": st.lists(SMALL, max_size=2)})


def deployment(containers: list, finalizers: list, extra: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "finalizers": finalizers, **extra},
            "spec": {"template": {"spec": {"containers": containers}}, **extra}}


DEPLOYMENTS = st.builds(deployment, st.lists(CONTAINER, max_size=2),
                        st.lists(st.one_of(st.sampled_from(["f", "g"]), SMALL), max_size=2), SMALL)
SERVICES = st.builds(
    lambda type_, ports, extra: {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                                 "spec": {"type": type_, "ports": ports, **extra}},
    st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]),
    st.lists(st.fixed_dictionaries({"port": st.sampled_from([80, 443])},
                                   optional={"nodePort": st.sampled_from([30001, 30002]),
                                             "protocol": st.sampled_from(["TCP", "UDP"])}), max_size=2),
    st.fixed_dictionaries({}, optional={"clusterIP": st.sampled_from(["", "10.96.0.9"]),
                                        "healthCheckNodePort": st.just(31000)}))
OBJECTS = st.one_of(DEPLOYMENTS, SERVICES)


def _as_recorded(obj: dict) -> dict:
    """What plan.py records in the last-applied annotation, parsed back."""
    return json.loads(json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str))


@settings(max_examples=400)
@given(OBJECTS, OBJECTS)
def test_fast_path_agrees_with_the_merge(desired: dict, other: dict) -> None:
    last = _as_recorded(desired)
    for live in (other, merge(last, desired, other), merge(None, desired, other)):
        if live.get("kind") != desired.get("kind"):
            continue
        if merge_keeps_live(last, desired, live, parsed=True):
            assert merge(last, desired, live) == live
        assert merge_keeps_live(last, desired, live) == merge_keeps_live(last, desired, live, parsed=True)


def test_fast_path_is_taken_for_a_defaulted_live_object() -> None:
    desired = deployment([{"name": "app", "image": "nginx:1", "env": [{"name": "A", "value": "1"}],
                           "resources": {"limits": {"cpu": "0.5"}}}], ["f"], {})
    live = json.loads(json.dumps(desired))
    live["metadata"]["uid"] = "u-1"
    live["spec"]["replicas"] = 1  # defaulted by the server
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "500m"
    live["status"] = {"replicas": 1}
    assert merge_keeps_live(_as_recorded(desired), desired, live)
    assert merge(_as_recorded(desired), desired, live) == live


def test_a_changed_file_is_never_fast() -> None:
    desired = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "2"}}
    live = {**desired, "data": {"k": "2"}}
    assert merge_keeps_live(_as_recorded(desired), desired, live)
    assert not merge_keeps_live({**desired, "data": {"k": "1"}}, desired, live)
    assert not merge_keeps_live(None, desired, live)
    assert not merge_keeps_live({**desired, "data": {"k": True}}, {**desired, "data": {"k": 1}}, live)
    assert not merge_keeps_live(_as_recorded(desired), desired, {**desired, "data": {"k": "3"}})
