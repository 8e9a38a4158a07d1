"""One container: name, image, ports, env, envFrom, volume mounts, pull policy, resources, probes.

Mirrors validateContainerCommon and the probe / lifecycle checks of core validation. Values that
Kubernetes defaults before validating (protocol TCP, pull policy, termination message policy,
probe thresholds, httpGet scheme) are only checked when the manifest sets them.
"""

from __future__ import annotations

from typing import Any

from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.resources import check_requirements

PROTOCOLS = ("SCTP", "TCP", "UDP")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_TERMINATION_POLICIES = ("File", "FallbackToLogsOnError")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc", "sleep")
_HANDLER_SET = frozenset(_HANDLERS)
_PROBE_COUNTS = (
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
)


def check_common(ctr: dict[str, Any], path: Path, volumes: set[str], errs: Errors) -> None:
    """validateContainerCommon: what every container kind (regular, init) must satisfy."""
    name = ctr.get("name")
    if name is None or name == "":
        errs.required((*path, "name"), "", "container-name")
    elif isinstance(name, str):
        msgs = fmt.is_dns1123_label(name)
        if msgs:
            errs.invalid_each((*path, "name"), name, msgs, "container-name")
    image = ctr.get("image")
    if image is None or image == "":
        errs.required((*path, "image"), "", "image-required")
    policy = ctr.get("terminationMessagePolicy")
    if isinstance(policy, str) and policy and policy not in _TERMINATION_POLICIES:
        errs.unsupported(
            (*path, "terminationMessagePolicy"), policy, _TERMINATION_POLICIES, "termination-message-policy"
        )
    ports = ctr.get("ports")
    if isinstance(ports, list):
        _check_ports(ports, (*path, "ports"), errs)
    env = ctr.get("env")
    if isinstance(env, list):
        _check_env(env, (*path, "env"), errs)
    env_from = ctr.get("envFrom")
    if isinstance(env_from, list):
        _check_env_from(env_from, (*path, "envFrom"), errs)
    mounts = ctr.get("volumeMounts")
    if isinstance(mounts, list):
        _check_mounts(mounts, (*path, "volumeMounts"), volumes, errs)
    pull = ctr.get("imagePullPolicy")
    if isinstance(pull, str) and pull and pull not in _PULL_POLICIES:
        errs.unsupported((*path, "imagePullPolicy"), pull, _PULL_POLICIES, "pull-policy")
    check_requirements(ctr.get("resources"), (*path, "resources"), errs)
    security = ctr.get("securityContext")
    if isinstance(security, dict):
        check_ids(security, (*path, "securityContext"), ("runAsUser", "runAsGroup"), errs)


def check_ids(security: dict[str, Any], path: Path, fields: tuple[str, ...], errs: Errors) -> None:
    """runAsUser / runAsGroup / fsGroup must be valid Unix ids (0 to 2^32-1)."""
    for name in fields:
        value = security.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            msgs = fmt.is_valid_id(value)
            if msgs:
                errs.invalid_each((*path, name), value, msgs, "security-context-id")


def _check_ports(ports: list[Any], path: Path, errs: Errors) -> None:
    names: set[str] = set()
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        p = (*path, i)
        name = port.get("name")
        if isinstance(name, str) and name:
            msgs = fmt.is_valid_port_name(name)
            if msgs:
                errs.invalid_each((*p, "name"), name, msgs, "port-name")
            elif name in names:
                errs.duplicate((*p, "name"), name, "port-name-duplicate")
            else:
                names.add(name)
        cport = port.get("containerPort")
        if cport is None or cport == 0:
            errs.required((*p, "containerPort"), "", "port-range")
        elif isinstance(cport, int) and not isinstance(cport, bool):
            msgs = fmt.is_valid_port_num(cport)
            if msgs:
                errs.invalid_each((*p, "containerPort"), cport, msgs, "port-range")
        hport = port.get("hostPort")
        if isinstance(hport, int) and not isinstance(hport, bool) and hport != 0:
            msgs = fmt.is_valid_port_num(hport)
            if msgs:
                errs.invalid_each((*p, "hostPort"), hport, msgs, "port-range")
        protocol = port.get("protocol")
        if isinstance(protocol, str) and protocol not in PROTOCOLS and protocol:
            errs.unsupported((*p, "protocol"), protocol, PROTOCOLS, "port-protocol")


def host_port_conflicts(containers: list[Any], path: Path, seen: set[str], errs: Errors) -> None:
    """AccumulateUniqueHostPorts: one protocol/hostIP/hostPort per pod."""
    for ci, ctr in enumerate(containers):
        if not isinstance(ctr, dict) or not isinstance(ctr.get("ports"), list):
            continue
        for pi, port in enumerate(ctr["ports"]):
            if not isinstance(port, dict):
                continue
            hport = port.get("hostPort")
            if not isinstance(hport, int) or isinstance(hport, bool) or hport == 0:
                continue
            key = f"{port.get('protocol') or 'TCP'}/{port.get('hostIP') or ''}/{hport}"
            if key in seen:
                errs.duplicate((*path, ci, "ports", pi, "hostPort"), key, "host-port-conflict")
            else:
                seen.add(key)


def _check_env(env: list[Any], path: Path, errs: Errors) -> None:
    for i, var in enumerate(env):
        if not isinstance(var, dict):
            continue
        p = (*path, i)
        name = var.get("name")
        if name is None or name == "":
            errs.required((*p, "name"), "", "env-name")
        elif isinstance(name, str):
            msgs = fmt.is_relaxed_env_var_name(name)
            if msgs:
                errs.invalid_each((*p, "name"), name, msgs, "env-name")
        value_from = var.get("valueFrom")
        if isinstance(value_from, dict):
            _check_value_from(value_from, var.get("value"), (*p, "valueFrom"), errs)


def _check_value_from(source: dict[str, Any], value: Any, path: Path, errs: Errors) -> None:
    count = 0
    for kind in ("fieldRef", "resourceFieldRef"):
        if source.get(kind) is not None:
            count += 1
    for kind in ("configMapKeyRef", "secretKeyRef"):
        ref = source.get(kind)
        if ref is None:
            continue
        count += 1
        if not isinstance(ref, dict):
            continue
        ref_name = ref.get("name", "")
        if isinstance(ref_name, str):
            msgs = fmt.name_is_dns_subdomain(ref_name, False)
            if msgs:
                errs.invalid_each((*path, kind, "name"), ref_name, msgs, "env-value-from")
        key = ref.get("key")
        if key is None or key == "":
            errs.required((*path, kind, "key"), "", "env-value-from")
        elif isinstance(key, str):
            msgs = fmt.is_config_map_key(key)
            if msgs:
                errs.invalid_each((*path, kind, "key"), key, msgs, "env-value-from")
    if count == 0:
        errs.invalid(
            path,
            "",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            "env-value-from",
        )
    elif isinstance(value, str) and value:
        errs.invalid(path, "", "may not be specified when `value` is not empty", "env-value-from")
    elif count > 1:
        errs.invalid(path, "", "may not have more than one field specified at a time", "env-value-from")


def _check_env_from(sources: list[Any], path: Path, errs: Errors) -> None:
    for i, source in enumerate(sources):
        if not isinstance(source, dict):
            continue
        p = (*path, i)
        prefix = source.get("prefix")
        if isinstance(prefix, str) and prefix:
            msgs = fmt.is_relaxed_env_var_name(prefix)
            if msgs:
                errs.invalid_each((*p, "prefix"), prefix, msgs, "env-name")
        count = 0
        for kind in ("configMapRef", "secretRef"):
            ref = source.get(kind)
            if ref is None:
                continue
            count += 1
            if not isinstance(ref, dict):
                continue
            ref_name = ref.get("name")
            if ref_name is None or ref_name == "":
                errs.required((*p, kind, "name"), "", "env-from")
            elif isinstance(ref_name, str):
                msgs = fmt.name_is_dns_subdomain(ref_name, True)
                if msgs:
                    errs.invalid_each((*p, kind, "name"), ref_name, msgs, "env-from")
        if count == 0:
            errs.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`", "env-from")
        elif count > 1:
            errs.invalid(path, "", "may not have more than one field specified at a time", "env-from")


def _check_mounts(mounts: list[Any], path: Path, volumes: set[str], errs: Errors) -> None:
    mount_points: set[str] = set()
    for i, mount in enumerate(mounts):
        if not isinstance(mount, dict):
            continue
        p = (*path, i)
        name = mount.get("name")
        if name is None or name == "":
            errs.required((*p, "name"), "", "volume-mount")
        if name not in volumes:
            errs.not_found((*p, "name"), name if name is not None else "", "volume-mount-not-found")
        mount_path = mount.get("mountPath")
        if mount_path is None or mount_path == "":
            errs.required((*p, "mountPath"), "", "volume-mount")
        if isinstance(mount_path, str):
            if mount_path in mount_points:
                errs.invalid((*p, "mountPath"), mount_path, "must be unique", "volume-mount")
            mount_points.add(mount_path)


def check_probes_and_lifecycle(ctr: dict[str, Any], path: Path, errs: Errors) -> None:
    """Probes and lifecycle hooks of a regular (or restartable init) container."""
    lifecycle = ctr.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            handler = lifecycle.get(hook)
            if isinstance(handler, dict):
                _check_handler(handler, (*path, "lifecycle", hook), errs, lifecycle=True)
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = ctr.get(probe_name)
        if isinstance(probe, dict):
            _check_probe(probe, probe_name, (*path, probe_name), errs)


def _check_probe(probe: dict[str, Any], kind: str, path: Path, errs: Errors) -> None:
    _check_handler(probe, path, errs, lifecycle=False)
    negative = [n for n, v in probe.items() if type(v) is int and v < 0 and n in _PROBE_COUNTS]
    for name in sorted(negative, key=_PROBE_COUNTS.index):
        errs.invalid((*path, name), probe[name], fmt.NEGATIVE_ERROR, "probe")
    grace = probe.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool) and grace <= 0:
        errs.invalid((*path, "terminationGracePeriodSeconds"), grace, "must be greater than 0", "probe")
    success = probe.get("successThreshold")
    if kind != "readinessProbe" and isinstance(success, int) and success not in (0, 1):
        errs.invalid((*path, "successThreshold"), success, "must be 1", "probe")
    if kind == "readinessProbe" and grace is not None:
        errs.invalid(
            (*path, "terminationGracePeriodSeconds"), grace, "must not be set for readinessProbes", "probe"
        )


def _check_handler(handler: dict[str, Any], path: Path, errs: Errors, lifecycle: bool) -> None:
    count = 0
    present = _HANDLER_SET.intersection(handler)
    for kind in _HANDLERS if len(present) > 1 else present:
        if (kind == "grpc" and lifecycle) or (kind == "sleep" and not lifecycle):
            continue
        action = handler.get(kind)
        if action is None:
            continue
        if count:
            errs.forbidden((*path, kind), "may not specify more than 1 handler type", "probe-handler")
            continue
        count += 1
        if not isinstance(action, dict):
            continue
        if kind == "exec" and not action.get("command"):
            errs.required((*path, kind, "command"), "", "probe-handler")
        elif kind in ("httpGet", "tcpSocket", "grpc"):
            check_port_num_or_name(action.get("port"), (*path, kind, "port"), errs, "probe-port")
            scheme = action.get("scheme")
            if kind == "httpGet" and isinstance(scheme, str) and scheme and scheme not in ("HTTP", "HTTPS"):
                errs.unsupported((*path, kind, "scheme"), scheme, ("HTTP", "HTTPS"), "probe-handler")
    if count == 0:
        errs.required(path, "must specify a handler type", "probe-handler")


def check_port_num_or_name(port: Any, path: Path, errs: Errors, rule: str) -> None:
    """ValidatePortNumOrName: an int in 1-65535 or an IANA_SVC_NAME."""
    if isinstance(port, bool):
        return
    if isinstance(port, int):
        msgs = fmt.is_valid_port_num(port)
        if msgs:
            errs.invalid_each(path, port, msgs, rule)
    elif isinstance(port, str):
        msgs = fmt.is_valid_port_name(port)
        if msgs:
            errs.invalid_each(path, port, msgs, rule)
