"""The official `kubernetes` Python client, a second witness besides kubectl: list, watch with
resume, create, patch, server-side apply, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kapply.serve.testing import Running

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client as k8s  # noqa: E402
from kubernetes import config, watch  # noqa: E402


@pytest.fixture
def api(server: Running) -> Iterator[k8s.ApiClient]:
    with k8s.ApiClient(config.new_client_from_config(str(server.kubeconfig)).configuration) as api_client:
        yield api_client


def deployment(name: str = "web", replicas: int = 1) -> k8s.V1Deployment:
    labels = {"app": name}
    return k8s.V1Deployment(
        metadata=k8s.V1ObjectMeta(name=name),
        spec=k8s.V1DeploymentSpec(
            replicas=replicas,
            selector=k8s.V1LabelSelector(match_labels=labels),
            template=k8s.V1PodTemplateSpec(
                metadata=k8s.V1ObjectMeta(labels=labels),
                spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="web", image="nginx:1.27")]),
            ),
        ),
    )


def test_create_list_read_patch(api: k8s.ApiClient) -> None:
    apps = k8s.AppsV1Api(api)
    created = apps.create_namespaced_deployment("default", deployment())
    assert created.metadata.uid and created.spec.replicas == 1
    listed = apps.list_namespaced_deployment("default", label_selector="")
    assert [d.metadata.name for d in listed.items] == ["web"]
    assert listed.metadata.resource_version
    patched = apps.patch_namespaced_deployment("web", "default", {"spec": {"replicas": 3}})
    assert patched.spec.replicas == 3
    scale = apps.read_namespaced_deployment_scale("web", "default")
    assert scale.spec.replicas == 3
    nodes = k8s.CoreV1Api(api).list_node()
    assert nodes.items[0].metadata.name == "minikube"


def test_errors_are_api_exceptions_with_status_bodies(api: k8s.ApiClient) -> None:
    core = k8s.CoreV1Api(api)
    with pytest.raises(k8s.ApiException) as missing:
        core.read_namespaced_pod("nope", "default")
    assert missing.value.status == 404 and '"reason":"NotFound"' in missing.value.body
    core.create_namespaced_config_map("default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="c")))
    with pytest.raises(k8s.ApiException) as exists:
        core.create_namespaced_config_map("default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="c")))
    assert exists.value.status == 409


def test_watch_and_resume_from_a_resource_version(api: k8s.ApiClient) -> None:
    core = k8s.CoreV1Api(api)
    start = core.list_namespaced_config_map("default").metadata.resource_version
    for name in ("a", "b"):
        core.create_namespaced_config_map("default", k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name)))
    seen = []
    for event in watch.Watch().stream(
        core.list_namespaced_config_map, "default", resource_version=start, timeout_seconds=2
    ):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 2:
            break
    assert seen == [("ADDED", "a"), ("ADDED", "b")]
    middle = core.read_namespaced_config_map("a", "default").metadata.resource_version
    resumed = [
        e["object"].metadata.name
        for e in watch.Watch().stream(
            core.list_namespaced_config_map, "default", resource_version=middle, timeout_seconds=1
        )
    ]
    assert resumed == ["b"]


def test_server_side_apply(api: k8s.ApiClient) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"k": "v"}}
    core = k8s.CoreV1Api(api)
    applied = core.patch_namespaced_config_map(
        "applied", "default", body, field_manager="py", _content_type="application/apply-patch+yaml"
    )
    assert applied.data == {"k": "v"}
    assert [m.manager for m in applied.metadata.managed_fields] == ["py"]
    applied = api.sanitize_for_serialization(applied)
    assert applied["data"] == {"k": "v"}
    assert [m["manager"] for m in applied["metadata"]["managedFields"]] == ["py"]
