"""Pod specs and pod templates: volumes, containers, init containers, pod-level fields.

`check_pod_spec` is ValidatePodSpec for what a manifest can get wrong; `check_pod_template` adds the
template's labels and annotations (reported at `<template>.labels`, as Kubernetes does). Every
workload kind reaches its pod template through here, so bare Pods, Deployments and CronJobs share
one set of container rules.
"""

from __future__ import annotations

from typing import Any

from kapply.validate.rules import containers as ctrs
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.affinity import check_affinity
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import check_annotations, check_labels
from kapply.validate.rules.podfields import check_pod_fields
from kapply.validate.rules.warnings import pod_warnings

RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")

# VolumeSource members in Go struct order, with the path name Go reports for a second source.
_VOLUME_SOURCES = (
    ("emptyDir", "emptyDir"),
    ("hostPath", "hostPath"),
    ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("configMap", "configMap"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("storageos", "storageos"),
    ("projected", "projected"),
    ("scaleIO", "scaleIO"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
    ("image", "image"),
)
_SOURCE_RANK = {key: rank for rank, (key, _) in enumerate(_VOLUME_SOURCES)}
_SOURCE_GO_NAME = dict(_VOLUME_SOURCES)


def check_pod_template(template: Any, path: Path, errs: Errors, extra_volumes: tuple[str, ...] = ()) -> None:
    """ValidatePodTemplateSpec: labels, annotations, then the pod spec."""
    if not isinstance(template, dict):
        return
    meta = template.get("metadata")
    if isinstance(meta, dict):
        check_labels(meta.get("labels"), (*path, "labels"), errs)
        check_annotations(meta.get("annotations"), (*path, "annotations"), errs)
    spec = template.get("spec")
    if isinstance(spec, dict):
        check_pod_spec(spec, (*path, "spec"), errs, extra_volumes)
        pod_warnings(spec, meta, path, errs)


def check_pod_spec(
    spec: dict[str, Any], path: Path, errs: Errors, extra_volumes: tuple[str, ...] = ()
) -> None:
    """ValidatePodSpec for what manifests can get wrong."""
    volumes = _check_volumes(spec.get("volumes"), (*path, "volumes"), errs)
    volumes.update(extra_volumes)
    containers = spec.get("containers")
    regular = containers if isinstance(containers, list) else []
    if not regular:
        errs.required((*path, "containers"), "", "containers-required")
    else:
        _check_containers(regular, (*path, "containers"), volumes, errs)
    init = spec.get("initContainers")
    if isinstance(init, list):
        _check_init_containers(init, regular, (*path, "initContainers"), volumes, errs)
    if spec.get("hostNetwork") is True:
        _check_host_network_ports(regular, (*path, "containers"), errs)
    restart = spec.get("restartPolicy")
    if isinstance(restart, str) and restart and restart not in RESTART_POLICIES:
        errs.unsupported((*path, "restartPolicy"), restart, RESTART_POLICIES, "restart-policy")
    dns = spec.get("dnsPolicy")
    if isinstance(dns, str) and dns and dns not in _DNS_POLICIES:
        errs.unsupported((*path, "dnsPolicy"), dns, _DNS_POLICIES, "dns-policy")
    if "nodeSelector" in spec:
        check_labels(spec["nodeSelector"], (*path, "nodeSelector"), errs)
    security = spec.get("securityContext")
    if isinstance(security, dict):
        ctrs.check_ids(security, (*path, "securityContext"), ("runAsUser", "runAsGroup", "fsGroup"), errs)
    if "affinity" in spec:
        check_affinity(spec["affinity"], (*path, "affinity"), errs)
    if spec.get("dnsPolicy") == "None" and spec.get("dnsConfig") is None:
        errs.required((*path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None", "dns-policy")
    check_pod_fields(spec, path, errs)


def _check_volumes(volumes: Any, path: Path, errs: Errors) -> set[str]:
    """ValidateVolumes: returns the names of the valid volumes (the ones mounts may refer to).

    A volume without a source is not an error: v1 defaulting makes it an emptyDir.
    """
    names: set[str] = set()
    if not isinstance(volumes, list):
        return names
    for i, vol in enumerate(volumes):
        if not isinstance(vol, dict):
            continue
        before = len(errs.items)
        p = (*path, i)
        sources = [k for k, v in vol.items() if v is not None and k in _SOURCE_RANK]
        if len(sources) > 1:
            sources.sort(key=_SOURCE_RANK.__getitem__)
            for key in sources[1:]:
                errs.forbidden(
                    (*p, _SOURCE_GO_NAME[key]), "may not specify more than 1 volume type", "volume-source"
                )
        name = vol.get("name")
        if name is None or name == "":
            errs.required((*p, "name"), "", "volume-name")
        elif isinstance(name, str):
            msgs = fmt.is_dns1123_label(name)
            if msgs:
                errs.invalid_each((*p, "name"), name, msgs, "volume-name")
        if name in names:
            errs.duplicate((*p, "name"), name, "volume-name-duplicate")
        if len(errs.items) == before and isinstance(name, str):
            names.add(name)
    return names


def _check_containers(containers: list[Any], path: Path, volumes: set[str], errs: Errors) -> None:
    names: set[Any] = set()
    for i, ctr in enumerate(containers):
        if not isinstance(ctr, dict):
            continue
        p = (*path, i)
        ctrs.check_common(ctr, p, volumes, errs)
        name = ctr.get("name")
        if isinstance(name, str):
            if name in names:
                errs.duplicate((*p, "name"), name, "container-name-duplicate")
            else:
                names.add(name)
        ctrs.check_probes_and_lifecycle(ctr, p, errs)
        if ctr.get("restartPolicy") is not None:
            errs.forbidden(
                (*p, "restartPolicy"), "may not be set for non-init containers", "container-restart-policy"
            )
    ctrs.host_port_conflicts(containers, path, set(), errs)


_INIT_FORBIDDEN = ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")


def _check_init_containers(
    init: list[Any], regular: list[Any], path: Path, volumes: set[str], errs: Errors
) -> None:
    names = {c.get("name") for c in regular if isinstance(c, dict) and isinstance(c.get("name"), str)}
    for i, ctr in enumerate(init):
        if not isinstance(ctr, dict):
            continue
        p = (*path, i)
        ctrs.check_common(ctr, p, volumes, errs)
        policy = ctr.get("restartPolicy")
        if isinstance(policy, str) and policy != "Always":
            errs.unsupported((*p, "restartPolicy"), policy, ("Always",), "container-restart-policy")
        name = ctr.get("name")
        if isinstance(name, str):
            if name in names:
                errs.duplicate((*p, "name"), name, "container-name-duplicate")
            elif name:
                names.add(name)
        ctrs.host_port_conflicts([ctr], path, set(), errs)
        if policy == "Always":
            ctrs.check_probes_and_lifecycle(ctr, p, errs)
        else:
            for field in _INIT_FORBIDDEN:
                if ctr.get(field) is not None:
                    errs.forbidden(
                        (*p, field),
                        "may not be set for init containers without restartPolicy=Always",
                        "init-container-probes",
                    )


def _check_host_network_ports(containers: list[Any], path: Path, errs: Errors) -> None:
    for ci, ctr in enumerate(containers):
        if not isinstance(ctr, dict) or not isinstance(ctr.get("ports"), list):
            continue
        for pi, port in enumerate(ctr["ports"]):
            if not isinstance(port, dict):
                continue
            hport, cport = port.get("hostPort"), port.get("containerPort")
            if isinstance(hport, int) and hport != 0 and hport != cport:
                errs.invalid(
                    (*path, ci, "ports", pi, "hostPort"),
                    hport,
                    "must match `containerPort` when `hostNetwork` is true",
                    "host-network-port",
                )
