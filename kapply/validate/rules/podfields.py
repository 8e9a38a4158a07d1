"""Pod-level fields checked after the containers: names, deadlines, tolerations, host aliases.

The tail of ValidatePodSpec, in Kubernetes' order: serviceAccountName, nodeName,
activeDeadlineSeconds, hostname, subdomain, tolerations, hostAliases, priorityClassName.
"""

from __future__ import annotations

from typing import Any

from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path

_MAX_INT32 = 2**31 - 1
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _string(spec: dict[str, Any], name: str) -> str | None:
    value = spec.get(name)
    return value if isinstance(value, str) and value else None


_FIELDS = frozenset(
    {
        "serviceAccountName",
        "nodeName",
        "activeDeadlineSeconds",
        "hostname",
        "subdomain",
        "tolerations",
        "hostAliases",
        "priorityClassName",
    }
)


def check_pod_fields(spec: dict[str, Any], path: Path, errs: Errors) -> None:
    """The pod-level fields ValidatePodSpec checks after the containers."""
    if _FIELDS.isdisjoint(spec):
        return
    for name, check, rule in (
        ("serviceAccountName", fmt.is_dns1123_subdomain, "service-account-name"),
        ("nodeName", fmt.is_dns1123_subdomain, "node-name"),
    ):
        value = _string(spec, name)
        if value is not None:
            msgs = check(value)
            if msgs:
                errs.invalid_each((*path, name), value, msgs, rule)
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and not 1 <= deadline <= _MAX_INT32:
        errs.invalid(
            (*path, "activeDeadlineSeconds"),
            deadline,
            fmt.inclusive_range_error(1, _MAX_INT32),
            "active-deadline",
        )
    for name in ("hostname", "subdomain"):
        value = _string(spec, name)
        if value is not None:
            msgs = fmt.is_dns1123_label(value)
            if msgs:
                errs.invalid_each((*path, name), value, msgs, "hostname")
    tolerations = spec.get("tolerations")
    if isinstance(tolerations, list):
        for i, toleration in enumerate(tolerations):
            if isinstance(toleration, dict):
                _check_toleration(toleration, (*path, "tolerations", i), errs)
    aliases = spec.get("hostAliases")
    if isinstance(aliases, list):
        for i, alias in enumerate(aliases):
            if isinstance(alias, dict):
                _check_host_alias(alias, (*path, "hostAliases", i), errs)
    priority = _string(spec, "priorityClassName")
    if priority is not None:
        msgs = fmt.is_dns1123_subdomain(priority)
        if msgs:
            errs.invalid_each((*path, "priorityClassName"), priority, msgs, "priority-class-name")


def _check_toleration(toleration: dict[str, Any], path: Path, errs: Errors) -> None:
    """ValidateTolerations for one toleration."""
    key = toleration.get("key") or ""
    operator = toleration.get("operator") or ""
    value = toleration.get("value") or ""
    effect = toleration.get("effect") or ""
    if not all(isinstance(v, str) for v in (key, operator, value, effect)):
        return
    if key:
        msgs = fmt.is_qualified_name(key)
        if msgs:
            errs.invalid_each((*path, "key"), key, msgs, "toleration")
    if not key and operator != "Exists":
        errs.invalid(
            (*path, "operator"),
            operator,
            'operator must be Exists when `key` is empty, which means "match all values and all keys"',
            "toleration",
        )
    if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
        errs.invalid(
            (*path, "effect"),
            effect,
            "effect must be 'NoExecute' when `tolerationSeconds` is set",
            "toleration",
        )
    if operator in ("Equal", ""):
        msgs = fmt.is_valid_label_value(value)
        if msgs:
            errs.invalid((*path, "operator"), value, ";".join(msgs), "toleration")
    elif operator == "Exists":
        if value:
            errs.invalid(
                (*path, "operator"), value, "value must be empty when `operator` is 'Exists'", "toleration"
            )
    else:
        errs.unsupported((*path, "operator"), operator, ("Equal", "Exists"), "toleration")
    if effect and effect not in _TAINT_EFFECTS:
        errs.unsupported((*path, "effect"), effect, _TAINT_EFFECTS, "toleration")


def _check_host_alias(alias: dict[str, Any], path: Path, errs: Errors) -> None:
    ip = alias.get("ip")
    if isinstance(ip, str) and not fmt.is_ip_sloppy(ip):
        errs.invalid(
            (*path, "ip"), ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)", "host-alias"
        )
    hostnames = alias.get("hostnames")
    if isinstance(hostnames, list):
        for j, hostname in enumerate(hostnames):
            if isinstance(hostname, str):
                msgs = fmt.is_dns1123_subdomain(hostname)
                if msgs:
                    errs.invalid_each((*path, "hostnames", j), hostname, msgs, "host-alias")


def check_pod_only(spec: dict[str, Any], errs: Errors) -> None:
    """validateContainersOnlyForPod: checks a bare Pod gets that a pod template does not."""
    for field in ("containers", "initContainers"):
        containers = spec.get(field)
        if not isinstance(containers, list):
            continue
        for i, ctr in enumerate(containers):
            image = ctr.get("image") if isinstance(ctr, dict) else None
            if isinstance(image, str) and image != image.strip():
                errs.invalid(
                    ("spec", field, i, "image"),
                    image,
                    "must not have leading or trailing whitespace",
                    "image-whitespace",
                )
