"""ConfigMap and Secret rules: data keys, total size, keys each Secret type requires.

A Secret's `stringData` is merged into `data` before validation, so its keys are reported under
`data[...]` as Kubernetes does. Sizes are counted on the decoded bytes (base64 for Secret `data`).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from kapply.model.shapes import mapping
from kapply.validate.rules import formats as fmt
from kapply.validate.rules.findings import Errors, Key

MAX_SIZE = 1024 * 1024  # core.MaxSecretSize, also the ConfigMap limit

# Secret type -> keys it requires (SecretTypeBasicAuth needs only one of its two: handled apart).
_REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def _size(value: Any, base64_encoded: bool) -> int:
    if not isinstance(value, str):
        return 0
    if base64_encoded:
        try:
            return len(base64.b64decode(value, validate=False))
        except (binascii.Error, ValueError):
            return len(value)
    return fmt.byte_len(value)


def check_config_map(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateConfigMap: keys of data and binaryData, total size."""
    data = mapping(obj, "data")
    binary = mapping(obj, "binaryData")
    total = 0
    for key, value in data.items():
        key = str(key)
        msgs = fmt.is_config_map_key(key)
        if msgs:
            errs.invalid_each(("data", Key(key)), key, msgs, "config-key")
        if key in binary:
            errs.invalid(
                ("data", Key(key)), key, "duplicate of key present in binaryData", "config-key-duplicate"
            )
        total += _size(value, False)
    for key, value in binary.items():
        key = str(key)
        msgs = fmt.is_config_map_key(key)
        if msgs:
            errs.invalid_each(("binaryData", Key(key)), key, msgs, "config-key")
        total += _size(value, True)
    if total > MAX_SIZE:
        errs.too_long((), MAX_SIZE, "config-size")


def check_secret(obj: dict[str, Any], errs: Errors) -> None:
    """ValidateSecret: keys (stringData merged into data), total size, keys the type requires."""
    data = mapping(obj, "data")
    string_data = mapping(obj, "stringData")
    merged: dict[str, int] = {str(k): _size(v, True) for k, v in data.items()}
    merged.update({str(k): _size(v, False) for k, v in string_data.items()})
    for key in merged:
        msgs = fmt.is_config_map_key(key)
        if msgs:
            errs.invalid_each(("data", Key(key)), key, msgs, "config-key")
    if sum(merged.values()) > MAX_SIZE:
        errs.too_long(("data",), MAX_SIZE, "config-size")
    secret_type = obj.get("type") or "Opaque"
    if secret_type == "kubernetes.io/service-account-token":
        meta = mapping(obj, "metadata")
        annotations = mapping(meta, "annotations")
        if not annotations.get("kubernetes.io/service-account.name"):
            errs.required(
                ("metadata", "annotations", Key("kubernetes.io/service-account.name")), "", "secret-type-keys"
            )
    elif secret_type == "kubernetes.io/basic-auth":
        if "username" not in merged and "password" not in merged:
            errs.required(("data", Key("username")), "", "secret-type-keys")
            errs.required(("data", Key("password")), "", "secret-type-keys")
    elif secret_type == "kubernetes.io/ssh-auth":
        if not merged.get("ssh-privatekey"):
            errs.required(("data", Key("ssh-privatekey")), "", "secret-type-keys")
    else:
        for key in _REQUIRED_KEYS.get(secret_type, ()):
            if key not in merged:
                errs.required(("data", Key(key)), "", "secret-type-keys")
