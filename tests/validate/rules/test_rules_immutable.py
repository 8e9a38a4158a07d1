"""Immutable fields: the updates the API server would refuse, with its messages."""

from __future__ import annotations

import pytest

from kapply.model.keys import ResourceKey
from kapply.validate.rules.immutable import immutable_causes, invalid_message

TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}


@pytest.mark.parametrize(("kind", "live", "merged", "causes"), [
    ("Deployment", {"spec": {"selector": {"matchLabels": {"app": "a"}}}},
     {"spec": {"selector": {"matchLabels": {"app": "a"}}, "replicas": 3}}, []),
    ("ReplicaSet", {"spec": {"selector": {"matchLabels": {"app": "a"}}}},
     {"spec": {"selector": {"matchLabels": {"app": "b"}}}},
     [("spec.selector", 'Invalid value: {"matchLabels":{"app":"b"}}: field is immutable')]),
    ("Service", {"spec": {"clusterIP": "10.96.0.10"}},
     {"spec": {"clusterIP": "10.96.0.10", "type": "NodePort"}}, []),
    ("Service", {"spec": {"type": "ExternalName"}}, {"spec": {"clusterIP": "10.96.0.10"}}, []),
    ("Job", {"spec": {"template": TEMPLATE}}, {"spec": {"template": TEMPLATE, "parallelism": 2}}, []),
    ("Job", {"spec": {"template": TEMPLATE}}, {"spec": {"template": {**TEMPLATE, "metadata": {}}}},
     [("spec.template", 'Invalid value: {"metadata":{},"spec":{"containers":[{"name":"c","image":"i"}]}}: '
       "field is immutable")]),
    ("StatefulSet", {"spec": {"serviceName": "a", "replicas": 1}},
     {"spec": {"serviceName": "a", "replicas": 5}}, []),
    ("StatefulSet", {"spec": {"serviceName": "a"}}, {"spec": {"serviceName": "b"}},
     [("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
       "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
       "forbidden")]),
    ("Pod", {"spec": {"containers": [{"name": "c", "image": "a"}]}},
     {"spec": {"containers": [{"name": "c", "image": "b"}]}}, []),
    ("ConfigMap", {"immutable": True, "data": {"a": "1"}}, {"immutable": True, "data": {"a": "2"}},
     [("data", "Forbidden: field is immutable when `immutable` is set")]),
    ("ConfigMap", {"data": {"a": "1"}}, {"data": {"a": "2"}}, []),
    ("Secret", {"type": "Opaque"}, {"type": "kubernetes.io/tls"},
     [("type", 'Invalid value: "kubernetes.io/tls": field is immutable')]),
    ("RoleBinding", {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "a"}},
     {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "b"}},
     [("roleRef", 'Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"b"}: '
       "cannot change roleRef")]),
    ("ConfigMap", {}, {"data": {}}, []),
])
def test_immutable_causes(kind: str, live: dict, merged: dict, causes: list) -> None:
    assert immutable_causes(kind, live, merged) == causes


def test_pod_spec_change_beyond_images_is_forbidden() -> None:
    live = {"spec": {"containers": [{"name": "c", "image": "a"}], "nodeName": "n1"}}
    merged = {"spec": {"containers": [{"name": "c", "image": "a", "args": ["x"]}], "nodeName": "n1"}}
    [(path, message)] = immutable_causes("Pod", live, merged)
    assert path == "spec" and message.startswith("Forbidden: pod updates may not change fields other than")


def test_invalid_message_with_several_causes() -> None:
    key = ResourceKey("", "Secret", "default", "s")
    text = invalid_message(key, [("type", "a"), ("data", "b")])
    assert text == 'The Secret "s" is invalid: \n* type: a\n* data: b'
