"""`describe namespace | configmap | secret | serviceaccount`, as kubectl's describers print them.

Secrets never show their values: kubectl prints each key's size in bytes, and so does kapply.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence

from kapply.cli.printers.describe.writer import (
    Obj,
    PrefixWriter,
    annotations_multiline,
    describe_events,
    labels_multiline,
    meta,
    quantity_text,
    rfc1123z,
)

_LIMIT_COLUMNS = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")


def describe_namespace(ns: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                       now: float) -> str:
    """kubectl describe namespace (quotas and limit ranges of the namespace from `related`)."""
    w = PrefixWriter()
    md = meta(ns)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"Status:\t{(ns.get('status') or {}).get('phase', 'Active')}\n")
    conditions = (ns.get("status") or {}).get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            cells = (c.get("type", ""), c.get("status", ""), rfc1123z(c.get("lastTransitionTime")),
                     c.get("reason", ""), c.get("message", ""))
            w.write(1, "\t".join(str(cell) for cell in cells) + "\n")
    quotas = sorted(related.get("ResourceQuota") or (), key=lambda q: meta(q).get("name", ""))
    if quotas:
        w.write(0, "\n")
        w.write(0, "Resource Quotas\n")
        for quota in quotas:
            w.write(1, f"Name:\t{meta(quota).get('name', '')}\n")
            hard = (quota.get("status") or {}).get("hard") or (quota.get("spec") or {}).get("hard") or {}
            used = (quota.get("status") or {}).get("used") or {}
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            for name in sorted(hard):
                w.write(1, f"{name}\t{quantity_text(used.get(name, 0))}\t{quantity_text(hard[name])}\n")
    else:
        w.write(0, "\nNo resource quota.\n")
    ranges = sorted(related.get("LimitRange") or (), key=lambda r: meta(r).get("name", ""))
    if ranges:
        w.write(0, "\n")
        # kubectl indents this table by a single space
        w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\t"
                   "Max Limit/Request Ratio\n")
        w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
        for limit_range in ranges:
            for item in (limit_range.get("spec") or {}).get("limits") or ():
                columns = [item.get(key) or {} for key in _LIMIT_COLUMNS]
                for name in sorted({n for column in columns for n in column}):
                    cells = [quantity_text(column[name]) if name in column else "-" for column in columns]
                    w.write(0, f" {item.get('type', '')}\t{name}\t" + "\t".join(cells) + "\n")
    else:
        w.write(0, "\nNo LimitRange resource.\n")
    return w.render()


def describe_config_map(cm: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                        now: float) -> str:
    """kubectl describe configmap: each key, a `----` rule, its value and a blank line."""
    w = PrefixWriter()
    md = meta(cm)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, "\nData\n====\n")
    for key, value in sorted((cm.get("data") or {}).items()):
        w.write(0, f"{key}:\n----\n")
        w.write(0, f"{value}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    for key, value in sorted((cm.get("binaryData") or {}).items()):
        w.write(0, f"{key}: {_decoded_size(value)} bytes\n")
    w.write(0, "\n")
    describe_events(w, events, now)
    return w.render()


def _decoded_size(value: object) -> int:
    try:
        return len(base64.b64decode(str(value), validate=True))
    except (binascii.Error, ValueError):
        return len(str(value))


def _decoded(value: object) -> str:
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return str(value)


def describe_secret(secret: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                    now: float) -> str:
    """kubectl describe secret: sizes only, never values."""
    w = PrefixWriter()
    md = meta(secret)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"\nType:\t{secret.get('type', 'Opaque')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    sizes = {k: _decoded_size(v) for k, v in data.items()}
    sizes.update({k: len(str(v).encode()) for k, v in (secret.get("stringData") or {}).items()})
    for key in sorted(sizes):
        if key == "token" and secret.get("type") == "kubernetes.io/service-account-token" and key in data:
            w.write(0, f"{key}:\t{_decoded(data[key])}\n")  # kubectl shows service-account tokens
        else:
            w.write(0, f"{key}:\t{sizes[key]} bytes\n")
    return w.render()


_SA_HEADERS = ("Image pull secrets:", "Mountable secrets: ", "Tokens:            ")


def _token_of(secret: Obj, sa: Obj) -> bool:
    """A service-account-token Secret annotated with this ServiceAccount's name and uid."""
    notes = meta(secret).get("annotations") or {}
    return secret.get("type") == "kubernetes.io/service-account-token" and \
        notes.get("kubernetes.io/service-account.name") == meta(sa).get("name") and \
        notes.get("kubernetes.io/service-account.uid") == meta(sa).get("uid")


def describe_service_account(sa: Obj, related: Mapping[str, Sequence[Obj]], events: Sequence[Obj] | None,
                             now: float) -> str:
    """kubectl describe serviceaccount: its pull, mountable and token secrets."""
    w = PrefixWriter()
    md = meta(sa)
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    secrets = related.get("Secret") or ()
    existing = {meta(secret).get("name") for secret in secrets}
    tokens = [meta(secret).get("name", "") for secret in secrets if _token_of(secret, sa)]
    groups = {
        _SA_HEADERS[0]: [str(ref.get("name", "")) for ref in sa.get("imagePullSecrets") or ()],
        _SA_HEADERS[1]: [str(ref.get("name", "")) for ref in sa.get("secrets") or ()],
        _SA_HEADERS[2]: tokens,
    }
    for header in sorted(groups):
        names = groups[header]
        if not names:
            w.write(0, f"{header}\t<none>\n")
            continue
        prefix = header
        for name in names:
            missing = " (not found)" if header == _SA_HEADERS[1] and name not in existing else ""
            w.write(0, f"{prefix}\t{name}{missing}\n")
            prefix = " " * len(header)
    describe_events(w, events, now)
    return w.render()
