"""PATCH: the media type names the patch type, the cluster applies it.

`application/merge-patch+json` (RFC 7386), `application/strategic-merge-patch+json`,
`application/json-patch+json` (RFC 6902) and `application/apply-patch+yaml` (server-side apply,
managedFields, conflicts as 409 naming managers and fields, `?force=true`) map to the cluster's
patch types "merge", "strategic", "json" and "apply". Every write records its field manager
(`?fieldManager=`, else the client's user agent, as the API server does).
"""

from __future__ import annotations

from typing import Any

from kapply.errors import NotFoundError
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


def unsupported(patch_type: str, accepted: tuple[str, ...]) -> ApiError:
    """415 for a patch type this endpoint does not take (as the API server answers)."""
    supported = ", ".join(m for m, t in PATCH_TYPES.items() if t in accepted)
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: {supported}",
        {},
    )


def cluster_patch(call: Call, patch_type: str, doc: Any) -> Any:
    """The cluster's patch of the target object, by the request's field manager.

    An apply names its manager explicitly (`?fieldManager=`, required: the cluster refuses an apply
    without one); the other patch types default to the client's user agent.
    """
    res = call.target.resource
    manager = call.query.get("fieldManager") if patch_type == "apply" else call.field_manager
    return call.cluster.patch(
        res.kind,
        namespace_of(call),
        call.target.name,
        doc,
        patch_type,
        dry_run=call.dry_run,
        field_manager=manager,
        force=call.force,
    )


def patch(call: Call) -> Reply:
    patch_type, doc = decode_patch(call)
    created = False
    if patch_type == "apply":  # an apply that creates the object answers 201, as a create does
        try:
            call.cluster.get(call.target.resource.kind, namespace_of(call), call.target.name)
        except NotFoundError:
            created = True
    return shaped_write(call, cluster_patch(call, patch_type, doc), 201 if created else 200)
