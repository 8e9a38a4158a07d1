"""PATCH: the media type names the patch type, the cluster applies it.

`application/merge-patch+json` (RFC 7386), `application/strategic-merge-patch+json`,
`application/json-patch+json` (RFC 6902) and `application/apply-patch+yaml` (server-side apply)
map to the cluster's patch types "merge", "strategic", "json" and "apply". A patch type the
cluster does not implement is 415 UnsupportedMediaType, as the API server answers a patch type a
resource does not support.
"""

from __future__ import annotations

from typing import Any

from kapply.serve import bodies
from kapply.serve.call import Call, Reply
from kapply.serve.crud import namespace_of, shaped_write
from kapply.serve.negotiate import check_body_type
from kapply.serve.status import ApiError, bad_request

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}


def decode_patch(call: Call) -> tuple[str, Any]:
    """(patch type, decoded patch) of a PATCH request, fieldValidation applied."""
    media = check_body_type(call.content_type, tuple(PATCH_TYPES))
    patch_type = PATCH_TYPES[media]
    doc, duplicates = bodies.parse(
        call.body, "application/yaml" if patch_type == "apply" else "application/json", "the patch"
    )
    if patch_type == "json":
        if not isinstance(doc, list) or not all(isinstance(op, dict) for op in doc):
            raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    elif not isinstance(doc, dict):
        raise bad_request("the patch must be a JSON object")
    else:
        bodies.validate_fields(call, doc, duplicates, patch=patch_type != "apply")
    return patch_type, doc


def unsupported(patch_type: str) -> ApiError:
    supported = ", ".join(m for m, t in PATCH_TYPES.items() if t in ("merge", "strategic"))
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: {supported}",
        {},
    )


def cluster_patch(call: Call, patch_type: str, doc: Any) -> Any:
    """The cluster's patch of the target object; 415 for a patch type it does not implement."""
    res = call.target.resource
    try:
        return call.cluster.patch(
            res.kind, namespace_of(call), call.target.name, doc, patch_type, dry_run=call.dry_run
        )
    except ValueError as exc:
        if str(exc).startswith("unsupported patch type"):
            raise unsupported(patch_type) from None
        raise


def patch(call: Call) -> Reply:
    patch_type, doc = decode_patch(call)
    return shaped_write(call, cluster_patch(call, patch_type, doc), 200)
