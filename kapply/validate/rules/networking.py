"""Ingress and NetworkPolicy rules (networking/validation), messages verbatim.

Ingress: a default backend or rules, hosts that are DNS names (wildcards allowed as `*.example.com`),
paths with a pathType and an absolute path, backends naming a Service (a DNS-1035 label, as in
Kubernetes 1.34) and one port by name or number. NetworkPolicy: ports, peers and policy types.
"""

from __future__ import annotations

import re
from typing import Any

from kapply.model.shapes import mapping, text
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Path
from kapply.validate.rules.metadata import check_label_selector

_WILDCARD_FMT = "\\*\\." + fmt.DNS1123_SUBDOMAIN_FMT
_WILDCARD = re.compile(_WILDCARD_FMT, re.ASCII)
_WILDCARD_MSG = fmt.regex_error(
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
    "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
    _WILDCARD_FMT,
    "*.example.com",
)
_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
_BAD_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_BAD_SUFFIXES = ("/..", "/.")
_INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def _wildcard_errors(host: str) -> tuple[str, ...]:
    errs: list[str] = []
    if fmt.byte_len(host) > fmt.DNS1123_SUBDOMAIN_MAX:
        errs.append(fmt.max_len_error(fmt.DNS1123_SUBDOMAIN_MAX))
    if not _WILDCARD.fullmatch(host):
        errs.append(_WILDCARD_MSG)
    return tuple(errs)


def _host_errors(host: str) -> tuple[str, ...]:
    return _wildcard_errors(host) if "*" in host else fmt.is_dns1123_subdomain(host)


def check_ingress(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateIngressCreate for what a manifest can get wrong."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    rules = spec.get("rules")
    backend = spec.get("defaultBackend")
    if not rules and backend is None:
        errs.invalid(
            path,
            rules if isinstance(rules, list) else None,
            "either `defaultBackend` or `rules` must be specified",
            "ingress",
        )
    if isinstance(backend, dict):
        _backend(backend, (*path, "defaultBackend"), errs)
    for i, rule in enumerate(rules if isinstance(rules, list) else ()):
        if isinstance(rule, dict):
            _rule(rule, (*path, "rules", i), errs)
    tls = spec.get("tls")
    for i, item in enumerate(tls if isinstance(tls, list) else ()):
        if not isinstance(item, dict):
            continue
        hosts = item.get("hosts")
        for j, host in enumerate(hosts if isinstance(hosts, list) else ()):
            if isinstance(host, str):
                msgs = _host_errors(host)
                if msgs:
                    errs.invalid_each((*path, "tls", i, "hosts", j), host, msgs, "ingress")
        secret = item.get("secretName")
        if isinstance(secret, str) and secret:
            msgs = fmt.is_dns1123_subdomain(secret)
            if msgs:
                errs.invalid_each((*path, "tls", i, "secretName"), secret, msgs, "ingress")
    class_name = spec.get("ingressClassName")
    if isinstance(class_name, str):
        msgs = fmt.is_dns1123_subdomain(class_name)
        if msgs:
            errs.invalid_each((*path, "ingressClassName"), class_name, msgs, "ingress")
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if isinstance(annotations, dict) and isinstance(class_name, str):
        annotated = annotations.get(_INGRESS_CLASS_ANNOTATION)
        if isinstance(annotated, str) and annotated != class_name:
            errs.invalid(
                ("annotations", _INGRESS_CLASS_ANNOTATION),
                annotated,
                "must match `ingressClassName` when both are specified",
                "ingress",
            )


def _rule(rule: dict[str, Any], path: Path, errs: Errors) -> None:
    host = rule.get("host")
    if isinstance(host, str) and host:
        if fmt.is_ip_sloppy(host):
            errs.invalid((*path, "host"), host, "must be a DNS name, not an IP address", "ingress")
        msgs = _host_errors(host)
        if msgs:
            errs.invalid_each((*path, "host"), host, msgs, "ingress")
    http = rule.get("http")
    if not isinstance(http, dict):
        return
    paths = http.get("paths")
    if not paths:
        errs.required((*path, "http", "paths"), "", "ingress")
    for i, item in enumerate(paths if isinstance(paths, list) else ()):
        if isinstance(item, dict):
            _http_path(item, (*path, "http", "paths", i), errs)


def _http_path(item: dict[str, Any], path: Path, errs: Errors) -> None:
    path_type = item.get("pathType")
    if path_type is None:
        errs.required((*path, "pathType"), "pathType must be specified", "ingress")
        return
    value = text(item, "path")
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.invalid((*path, "path"), value, "must be an absolute path", "ingress")
        for sequence in _BAD_SEQUENCES:
            if sequence in value:
                errs.invalid((*path, "path"), value, f"must not contain '{sequence}'", "ingress")
        for suffix in _BAD_SUFFIXES:
            if value.endswith(suffix):
                errs.invalid((*path, "path"), value, f"cannot end with '{suffix}'", "ingress")
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.invalid((*path, "path"), value, "must be an absolute path", "ingress")
    else:
        errs.unsupported((*path, "pathType"), path_type, _PATH_TYPES, "ingress")
    backend = item.get("backend")
    if isinstance(backend, dict):
        _backend(backend, (*path, "backend"), errs)


def _backend(backend: dict[str, Any], path: Path, errs: Errors) -> None:
    """validateIngressBackend."""
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        errs.invalid(path, "", "cannot set both resource and service backends", "ingress")
    elif isinstance(resource, dict):
        _resource_ref(resource, (*path, "resource"), errs)
    elif isinstance(service, dict):
        name = service.get("name")
        if not name:
            errs.required((*path, "service", "name"), "", "ingress")
        elif isinstance(name, str):
            msgs = fmt.is_dns1035_label(name)
            if msgs:
                errs.invalid_each((*path, "service", "name"), name, msgs, "ingress")
        port = mapping(service, "port")
        port_name, number = port.get("name") or "", port.get("number") or 0
        if port_name and number:
            errs.invalid(path, "", "cannot set both port name & port number", "ingress")
        elif isinstance(port_name, str) and port_name:
            msgs = fmt.is_valid_port_name(port_name)
            if msgs:
                errs.invalid_each((*path, "service", "port", "name"), port_name, msgs, "ingress")
        elif isinstance(number, int) and not isinstance(number, bool) and number:
            msgs = fmt.is_valid_port_num(number)
            if msgs:
                errs.invalid_each((*path, "service", "port", "number"), number, msgs, "ingress")
        elif not number:
            errs.required(path, "port name or number is required", "ingress")
    elif resource is None and service is None:
        errs.invalid(path, "", "resource or service backend is required", "ingress")


def _resource_ref(ref: dict[str, Any], path: Path, errs: Errors) -> None:
    group = ref.get("apiGroup")
    if isinstance(group, str):
        msgs = fmt.is_dns1123_subdomain(group)
        if msgs:
            errs.invalid_each((*path, "apiGroup"), group, msgs, "ingress")
    for name in ("kind", "name"):
        value = ref.get(name)
        if not value:
            errs.required((*path, name), "", "ingress")
        elif isinstance(value, str):
            msgs = fmt.is_path_segment_name(value)
            if msgs:
                errs.invalid_each((*path, name), value, msgs, "ingress")


def check_network_policy(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateNetworkPolicySpec: pod selector, ports, peers, policy types."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    path: Path = ("spec",)
    selector = spec.get("podSelector")
    if isinstance(selector, dict):
        check_label_selector(selector, (*path, "podSelector"), errs)
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        rules = spec.get(direction)
        for i, rule in enumerate(rules if isinstance(rules, list) else ()):
            if not isinstance(rule, dict):
                continue
            ports = rule.get("ports")
            for j, port in enumerate(ports if isinstance(ports, list) else ()):
                if isinstance(port, dict):
                    _policy_port(port, (*path, direction, i, "ports", j), errs)
            peers = rule.get(peers_key)
            for j, peer in enumerate(peers if isinstance(peers, list) else ()):
                if isinstance(peer, dict):
                    _peer(peer, (*path, direction, i, peers_key, j), errs)
    types = spec.get("policyTypes")
    if isinstance(types, list):
        if len(types) > 2:
            errs.invalid(
                (*path, "policyTypes"), types, "may not specify more than two policyTypes", "network-policy"
            )
            return
        for i, kind in enumerate(types):
            if kind not in ("Ingress", "Egress"):
                errs.unsupported((*path, "policyTypes", i), kind, ("Ingress", "Egress"), "network-policy")


def _policy_port(port: dict[str, Any], path: Path, errs: Errors) -> None:
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol not in ("TCP", "UDP", "SCTP"):
        errs.unsupported((*path, "protocol"), protocol, ("TCP", "UDP", "SCTP"), "network-policy")
    number, end = port.get("port"), port.get("endPort")
    end = end if isinstance(end, int) and not isinstance(end, bool) else None
    if isinstance(number, int) and not isinstance(number, bool):
        msgs = fmt.is_valid_port_num(number)
        if msgs:
            errs.invalid_each((*path, "port"), number, msgs, "network-policy")
        if end is not None:
            if end < number:
                errs.invalid(
                    (*path, "endPort"), end, "must be greater than or equal to `port`", "network-policy"
                )
            msgs = fmt.is_valid_port_num(end)
            if msgs:
                errs.invalid_each((*path, "endPort"), end, msgs, "network-policy")
    elif isinstance(number, str):
        if end is not None:
            errs.invalid(
                (*path, "endPort"), end, "may not be specified when `port` is non-numeric", "network-policy"
            )
        msgs = fmt.is_valid_port_name(number)
        if msgs:
            errs.invalid_each((*path, "port"), number, msgs, "network-policy")
    elif number is None and end is not None:
        errs.invalid(
            (*path, "endPort"), end, "may not be specified when `port` is not specified", "network-policy"
        )


def _peer(peer: dict[str, Any], path: Path, errs: Errors) -> None:
    count = 0
    for name in ("podSelector", "namespaceSelector"):
        selector = peer.get(name)
        if selector is not None:
            count += 1
            if isinstance(selector, dict):
                check_label_selector(selector, (*path, name), errs)
    block = peer.get("ipBlock")
    if block is not None:
        count += 1
        if isinstance(block, dict) and not block.get("cidr"):
            errs.required((*path, "ipBlock", "cidr"), "", "network-policy")
    if count == 0:
        errs.required(path, "must specify a peer", "network-policy")
    elif count > 1 and block is not None:
        errs.forbidden(path, "may not specify both ipBlock and another peer", "network-policy")
