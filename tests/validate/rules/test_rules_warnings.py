"""API server warnings for pods and templates: severity "warning", Kubernetes' exact text."""

from __future__ import annotations

from typing import Any

from kapply.validate.rules import check


def pod(*containers: dict[str, Any], annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:  # noqa: E501
    body: dict[str, Any] = {"containers": list(containers) or [{"name": "app", "image": "busybox"}], **spec}
    meta: dict[str, Any] = {"name": "p"}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": body}


def warnings(obj: dict[str, Any]) -> list[str]:
    found = check(obj)
    assert all(f.severity == "warning" for f in found), [str(f) for f in found]
    return [str(f) for f in found]


def test_deprecated_node_label_in_a_deployment_template() -> None:
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {"labels": {"a": "b"}},
                                 "spec": {"nodeSelector": {"beta.kubernetes.io/os": "linux"},
                                          "containers": [{"name": "c", "image": "i"}]}}}}
    assert warnings(obj) == [
        'spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" '  # noqa: E501
        "instead"]


def test_fractional_memory_and_duplicate_env() -> None:
    ctr = {"name": "app", "image": "i", "resources": {"limits": {"memory": "1.5"}},
           "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"name": "B", "value": "x"},
                   {"name": "B", "value": "$(B)-suffix"}]}
    assert warnings(pod(ctr)) == [
        'spec.containers[0].resources.limits[memory]: fractional byte value "1500m" is invalid, must be an integer',  # noqa: E501
        'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply',
    ]
    ctr["resources"] = {"limits": {"memory": "128Mi"}}
    assert warnings(pod(ctr)) == [
        'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply']


def test_port_warnings() -> None:
    a = {"name": "a", "image": "i", "ports": [{"containerPort": 80}, {"containerPort": 80, "hostIP": "10.0.0.1"}]}  # noqa: E501
    assert warnings(pod(a)) == [
        "spec.containers[0].ports[1]: hostIP set without hostPort: {Name: HostPort:0 ContainerPort:80 Protocol:TCP "  # noqa: E501
        "HostIP:10.0.0.1}",
        "spec.containers[0].ports[1]: overlapping port definition with spec.containers[0].ports[0]",
    ]
    b = {"name": "b", "image": "i", "ports": [{"containerPort": 80}]}
    c = {"name": "c", "image": "i", "ports": [{"containerPort": 80}]}
    assert warnings(pod(b, c)) == [
        "spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]"]


def test_deprecated_annotations_and_volumes() -> None:
    obj = pod(annotations={"scheduler.alpha.kubernetes.io/critical-pod": ""},
              volumes=[{"name": "src", "gitRepo": {"repository": "https://example.com/r.git"}}],
              imagePullSecrets=[{"name": "reg"}, {"name": "reg"}])
    assert warnings(obj) == [
        'metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the '
        '"priorityClassName" field instead',
        "spec.volumes[0].gitRepo: deprecated in v1.11",
        'spec.imagePullSecrets[1].name: duplicate name "reg"',
    ]
