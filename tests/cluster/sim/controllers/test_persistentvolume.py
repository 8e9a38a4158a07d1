"""Claims and volumes through the runtime, checked against pkg/controller/volume/persistentvolume
(pv_controller.go syncUnboundClaim, syncBoundClaim, syncVolume, reclaimVolume; util.go
FindMatchingVolume), minikube's hostPath provisioner (sig-storage-lib-external-provisioner),
the pvc/pv-protection controllers, the DefaultStorageClass and StorageObjectInUseProtection
admission plugins and the scheduler's VolumeBinding plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import NotFoundError

Obj = dict[str, Any]
EXTERNAL = ("Waiting for a volume to be created either by the external provisioner "
            "'k8s.io/minikube-hostpath' or manually by the system administrator. If volume creation is "
            "delayed, please verify that the provisioner is running and correctly registered.")


@pytest.fixture
def cluster(tmp_path: Path) -> SimCluster:
    return new_test_cluster(tmp_path, nodes=2)


RWO = ("ReadWriteOnce",)


def claim(name: str = "data", size: str = "1Gi", modes: tuple[str, ...] = RWO, **spec: Any) -> Obj:
    body: Obj = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": body}


def volume(name: str, size: str = "5Gi", modes: tuple[str, ...] = RWO, labels: Obj | None = None,
           **spec: Any) -> Obj:
    body: Obj = {"capacity": {"storage": size}, "accessModes": list(modes),
                 "hostPath": {"path": f"/tmp/{name}"}}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "labels": labels or {}}, "spec": body}


def pod(name: str, claim_name: str = "data") -> Obj:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}],
                     "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim_name}}]}}


def storage_class(name: str, **fields: Any) -> Obj:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
            "provisioner": "k8s.io/minikube-hostpath", **fields}


def get_claim(cluster: SimCluster, name: str = "data") -> Obj:
    return cluster.get("PersistentVolumeClaim", "default", name)


def claim_events(cluster: SimCluster, name: str = "data") -> list[tuple[str, str, str]]:
    return [(e["reason"], e["source"]["component"], e["message"])
            for e in cluster.events(involved=get_claim(cluster, name))]


def scheduled_message(cluster: SimCluster, name: str) -> str:
    found = cluster.get("Pod", "default", name)
    return next(c["message"] for c in found["status"]["conditions"] if c["type"] == "PodScheduled")


def test_the_cluster_comes_with_minikubes_default_class(cluster: SimCluster) -> None:
    standard = cluster.get("StorageClass", "", "standard")
    assert standard["provisioner"] == "k8s.io/minikube-hostpath"
    assert standard["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert (standard["reclaimPolicy"], standard["volumeBindingMode"]) == ("Delete", "Immediate")


def test_a_claim_without_a_class_is_provisioned_and_bound(cluster: SimCluster) -> None:
    cluster.create(claim())
    found = get_claim(cluster)
    uid = found["metadata"]["uid"]
    assert found["spec"]["storageClassName"] == "standard"  # DefaultStorageClass
    assert found["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert found["spec"]["volumeName"] == f"pvc-{uid}"
    assert found["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                               "capacity": {"storage": "1Gi"}}
    assert found["metadata"]["annotations"] == {
        "volume.kubernetes.io/storage-provisioner": "k8s.io/minikube-hostpath",
        "volume.beta.kubernetes.io/storage-provisioner": "k8s.io/minikube-hostpath",
        "pv.kubernetes.io/bound-by-controller": "yes", "pv.kubernetes.io/bind-completed": "yes"}
    pv = cluster.get("PersistentVolume", "", f"pvc-{uid}")
    assert pv["spec"]["claimRef"]["name"] == "data" and pv["spec"]["claimRef"]["uid"] == uid
    assert pv["spec"]["hostPath"] == {"path": "/tmp/hostpath-provisioner/default/data", "type": ""}
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert pv["spec"]["storageClassName"] == "standard"
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "k8s.io/minikube-hostpath"
    assert pv["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    assert pv["status"]["phase"] == "Bound"
    provisioner = claim_events(cluster)[1][1]
    assert provisioner.startswith("k8s.io/minikube-hostpath_minikube_")
    assert claim_events(cluster) == [
        ("ExternalProvisioning", "persistentvolume-controller", EXTERNAL),
        ("Provisioning", provisioner, 'External provisioner is provisioning volume for claim "default/data"'),
        ("ProvisioningSucceeded", provisioner, f"Successfully provisioned volume pvc-{uid}"),
    ]


def test_an_empty_class_binds_only_static_volumes(cluster: SimCluster) -> None:
    cluster.create(claim(storageClassName=""))
    cluster.advance(1)
    assert get_claim(cluster)["status"]["phase"] == "Pending"
    assert claim_events(cluster) == [
        ("FailedBinding", "persistentvolume-controller",
         "no persistent volumes available for this claim and no storage class is set")]
    cluster.create(volume("small", size="500Mi", storageClassName=""))
    cluster.create(volume("big", size="10Gi", storageClassName=""))
    cluster.create(volume("fits", size="2Gi", storageClassName=""))
    cluster.advance(15)  # the controller's next sync of the claim
    assert get_claim(cluster)["spec"]["volumeName"] == "fits"  # the smallest that is big enough
    assert cluster.get("PersistentVolume", "", "fits")["metadata"]["annotations"] == {
        "pv.kubernetes.io/bound-by-controller": "yes"}
    assert cluster.get("PersistentVolume", "", "big")["status"]["phase"] == "Available"


@pytest.mark.parametrize(("spec", "volume_fields", "binds"), [
    ({"selector": {"matchLabels": {"disk": "ssd"}}}, {"labels": {"disk": "ssd"}}, True),
    ({"selector": {"matchLabels": {"disk": "ssd"}}}, {"labels": {"disk": "hdd"}}, False),
    ({}, {"modes": ("ReadOnlyMany",)}, False),  # the volume must offer every mode asked for
    ({}, {"modes": ("ReadWriteOnce", "ReadOnlyMany")}, True),
    ({}, {"volumeMode": "Block"}, False),
    ({"volumeName": "one"}, {}, True),  # asked for by name
])
def test_static_volumes_match_by_class_size_modes_and_selector(cluster: SimCluster, spec: Obj,
                                                              volume_fields: Obj, binds: bool) -> None:
    cluster.create(storage_class("manual", provisioner="kubernetes.io/no-provisioner"))
    cluster.create(volume("one", storageClassName="manual", **volume_fields))
    cluster.create(claim(storageClassName="manual", **spec))
    cluster.advance(16)
    assert (get_claim(cluster)["status"]["phase"] == "Bound") is binds


def test_no_provisioner_leaves_an_immediate_claim_and_its_pod_pending(cluster: SimCluster) -> None:
    cluster.create(storage_class("local", provisioner="kubernetes.io/no-provisioner"))
    cluster.create(claim(storageClassName="local"))
    cluster.create(pod("app"))
    cluster.advance(1)
    assert ("ProvisioningFailed", "persistentvolume-controller",
            "no volume plugin matched name: kubernetes.io/no-provisioner") in claim_events(cluster)
    assert scheduled_message(cluster, "app") == (
        "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 "
        "nodes are available: 2 Preemption is not helpful for scheduling.")
    cluster.create(volume("disk", storageClassName="local"))
    cluster.advance(15)  # bound at the claim's next sync, and the pod is retried at once
    assert cluster.get("Pod", "default", "app")["spec"]["nodeName"]


def test_wait_for_first_consumer_binds_when_the_pod_is_scheduled(cluster: SimCluster) -> None:
    cluster.create(storage_class("late", volumeBindingMode="WaitForFirstConsumer"))
    cluster.create(claim(storageClassName="late"))
    cluster.advance(20)
    assert get_claim(cluster)["status"]["phase"] == "Pending"
    assert claim_events(cluster) == [("WaitForFirstConsumer", "persistentvolume-controller",
                                      "waiting for first consumer to be created before binding")]
    assert cluster.events(involved=get_claim(cluster))[0]["count"] == 2  # again at the 15 s resync
    cluster.create(pod("app"))
    cluster.advance(5)
    found = get_claim(cluster)
    node = cluster.get("Pod", "default", "app")["spec"]["nodeName"]
    assert found["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
    assert found["status"]["phase"] == "Bound"
    assert cluster.get("Pod", "default", "app")["status"]["phase"] == "Running"
    assert [r for r, _, _ in claim_events(cluster)] == ["WaitForFirstConsumer", "ExternalProvisioning",
                                                        "Provisioning", "ProvisioningSucceeded"]


def test_a_volumes_node_affinity_limits_its_pods_nodes(cluster: SimCluster) -> None:
    affinity = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["minikube-m02"]}]}]}}
    cluster.create(storage_class("local", provisioner="kubernetes.io/no-provisioner",
                                 volumeBindingMode="WaitForFirstConsumer"))
    cluster.create(volume("pinned", storageClassName="local", nodeAffinity=affinity))
    cluster.create(claim(storageClassName="local"))
    cluster.create(pod("app"))
    cluster.advance(3)
    assert cluster.get("Pod", "default", "app")["spec"]["nodeName"] == "minikube-m02"
    assert get_claim(cluster)["spec"]["volumeName"] == "pinned"
    cluster.create(claim("other", storageClassName="local"))
    cluster.create(pod("late", "other"))
    cluster.advance(1)
    assert scheduled_message(cluster, "late") == (
        "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: "
        "0/2 nodes are available: 2 Preemption is not helpful for scheduling.")


@pytest.mark.parametrize(("setup", "message"), [
    ("missing", 'persistentvolumeclaim "data" not found'),
    ("deleting", 'persistentvolumeclaim "data" is being deleted'),
])
def test_volume_binding_prefilter_messages(cluster: SimCluster, setup: str, message: str) -> None:
    if setup == "deleting":
        cluster.create(claim())
        cluster.create(pod("holder"))
        cluster.advance(3)
        cluster.delete("PersistentVolumeClaim", "default", "data")
    cluster.create(pod("app"))
    cluster.advance(1)
    assert scheduled_message(cluster, "app") == (
        f"0/2 nodes are available: {message}. preemption: 0/2 nodes are available: 2 Preemption is not "
        "helpful for scheduling.")


def test_protection_keeps_a_claim_while_mounted_then_delete_reclaims(cluster: SimCluster) -> None:
    cluster.create(claim())
    cluster.create(pod("app"))
    cluster.advance(3)
    volume_name = get_claim(cluster)["spec"]["volumeName"]
    cluster.delete("PersistentVolumeClaim", "default", "data")
    cluster.advance(60)
    assert get_claim(cluster)["metadata"]["deletionTimestamp"]  # Terminating while mounted
    assert cluster.get("PersistentVolume", "", volume_name)["status"]["phase"] == "Bound"
    cluster.delete("Pod", "default", "app")
    cluster.advance(40)
    with pytest.raises(NotFoundError):
        get_claim(cluster)
    with pytest.raises(NotFoundError):  # Released, deleted by its provisioner (Delete policy)
        cluster.get("PersistentVolume", "", volume_name)


def test_retain_keeps_a_released_volume(cluster: SimCluster) -> None:
    cluster.create(storage_class("keep", reclaimPolicy="Retain"))
    cluster.create(claim(storageClassName="keep"))
    volume_name = get_claim(cluster)["spec"]["volumeName"]
    cluster.delete("PersistentVolumeClaim", "default", "data")
    cluster.advance(1)
    found = cluster.get("PersistentVolume", "", volume_name)
    assert found["status"]["phase"] == "Released" and found["spec"]["claimRef"]["name"] == "data"
    cluster.create(claim())  # a new claim of that name does not get the released volume back
    assert get_claim(cluster)["spec"]["volumeName"] != volume_name


@pytest.mark.parametrize(("source", "outcome"), [
    ({"hostPath": {"path": "/tmp/scratch"}}, "deleted"),
    ({"hostPath": {"path": "/data/keep"}},
     "host_path deleter only supports /tmp/.+ but received provided /data/keep"),
    ({"hostPath": None, "nfs": {"server": "nfs.local", "path": "/x"}},
     'error getting deleter volume plugin for volume "one": no deletable volume plugin matched'),
])
def test_delete_of_a_static_volume(cluster: SimCluster, source: Obj, outcome: str) -> None:
    spec = {k: v for k, v in source.items() if v is not None}
    pv = volume("one", storageClassName="", persistentVolumeReclaimPolicy="Delete")
    pv["spec"].pop("hostPath")
    pv["spec"].update(spec)
    cluster.create(pv)
    cluster.create(claim(storageClassName=""))
    cluster.advance(16)
    cluster.delete("PersistentVolumeClaim", "default", "data")
    cluster.advance(1)
    if outcome == "deleted":
        with pytest.raises(NotFoundError):
            cluster.get("PersistentVolume", "", "one")
        return
    found = cluster.get("PersistentVolume", "", "one")
    assert found["status"]["phase"] == "Failed" and found["status"]["message"] == outcome
    events = [(e["type"], e["reason"], e["message"]) for e in cluster.events(involved=found)]
    assert events == [("Warning", "VolumeFailedDelete", outcome)]


def test_a_claim_made_before_any_default_class_gets_it_later(tmp_path: Path) -> None:
    cluster = new_test_cluster(tmp_path, nodes=1)
    cluster.delete("StorageClass", "", "standard")
    cluster.create(claim())
    assert "storageClassName" not in get_claim(cluster)["spec"]
    cluster.create(storage_class("fresh") | {"metadata": {"name": "fresh", "annotations": {
        "storageclass.kubernetes.io/is-default-class": "true"}}})
    cluster.advance(1)
    found = get_claim(cluster)
    assert found["spec"]["storageClassName"] == "fresh" and found["status"]["phase"] == "Bound"
