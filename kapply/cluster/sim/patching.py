"""From a PATCH body to the object to write: the four patch types the API server accepts.

`json` (RFC 6902, `jsonpatch.py`), `merge` (RFC 7386) and `strategic` (`patch.py`, with the
object's schema) produce the patched object, which is then written as an update by the patch's
manager; `apply` is server-side apply (`kapply.cluster.fieldmanager`), whose body is the applied
configuration: its name and namespace must match the request's, as the API server checks.
"""

from __future__ import annotations

import json
from typing import Any

from kapply.cluster.sim import patch
from kapply.cluster.sim.jsonpatch import json_patch
from kapply.errors import BadRequestError, InvalidError
from kapply.validate.structure import root_type

Obj = dict[str, Any]
PATCH_TYPES = ("json", "merge", "strategic", "apply")


def patched(old: Obj, body: Any, patch_type: str, kind: str) -> Obj:
    """`old` with a json, merge or strategic patch applied (a new object, JSON-clean)."""
    if patch_type == "merge":
        if not isinstance(body, dict):
            raise BadRequestError("json: cannot unmarshal array into Go value of type "
                                  "map[string]interface {}")
        new = patch.merge_patch(old, body)
    elif patch_type == "strategic":
        new = patch.strategic_merge(old, body, root_type(str(old.get("apiVersion", "")), kind))
    elif patch_type == "json":
        new = json_patch(old, body)
    else:
        raise BadRequestError(f"unsupported patch type {patch_type!r}: expected one of "
                              f"{', '.join(PATCH_TYPES)}")
    if not isinstance(new, dict):
        raise BadRequestError("the patched object must be a JSON object")
    new = json.loads(json.dumps(new))
    meta = new.get("metadata")
    if not isinstance(meta, dict):
        new["metadata"] = meta = {}
    meta.setdefault("resourceVersion", old["metadata"]["resourceVersion"])
    return new


def apply_body(body: Any, kind: str, name: str, namespace: str | None) -> Obj:
    """The applied configuration of an apply patch, its identity checked against the request's."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata", {}), dict):
        raise BadRequestError("error decoding patch: the applied configuration must be an object")
    if body.get("kind") != kind:
        version = str(body.get("apiVersion") or "")
        group, _, version = version.rpartition("/")
        raise BadRequestError(f"invalid object type: {group}/{version}, Kind={body.get('kind') or ''}")
    meta = dict(body.get("metadata") or {})
    if meta.setdefault("name", name) != name:
        raise BadRequestError(f"the name of the object ({meta['name']}) does not match the name on the "
                              f"URL ({name})")
    if namespace is not None and meta.setdefault("namespace", namespace) != namespace:
        raise BadRequestError("the namespace of the provided object does not match the namespace sent "
                              "on the request")
    return {**body, "metadata": meta}


def forbid_force(force: bool) -> None:
    """`force` is for apply only (ValidatePatchOptions)."""
    if force:
        cause = ("force", "Forbidden: may not be specified for non-apply patch")
        raise InvalidError(f'PatchOptions.meta.k8s.io "" is invalid: {cause[0]}: {cause[1]}', [cause])
