"""`Status` bodies: how the API server reports every failure, and the errors that carry them.

Handlers raise `ApiError`; a `ClusterError` from the cluster becomes one through `from_error`,
which keeps its code, reason and message and fills `details` as the API server does: the name,
group and resource of a NotFound / AlreadyExists / Conflict (parsed from the message the cluster
worded exactly like the API server), the kind and field causes of an Invalid.
"""

from __future__ import annotations

import re
from typing import Any

from kapply.errors import (
    ApplyConflictError,
    ClusterError,
    InvalidError,
    KapplyError,
    TooManyRequestsError,
    UsageError,
)

Obj = dict[str, Any]

_RESOURCE_MESSAGE = re.compile(r'^(?:Operation cannot be fulfilled on )?([a-z0-9.-]+) "([^"]*)"')
_INVALID_MESSAGE = re.compile(r'^([A-Za-z0-9]+)(?:\.([a-z0-9.-]+))? "([^"]*)" is invalid')
# field.ErrorType strings -> the CauseType the API server reports.
_CAUSES = (
    ("Required value", "FieldValueRequired"),
    ("Unsupported value", "FieldValueNotSupported"),
    ("Duplicate value", "FieldValueDuplicate"),
    ("Forbidden", "FieldValueForbidden"),
    ("Too long", "FieldValueTooLong"),
    ("Too many", "FieldValueTooMany"),
    ("Not found", "FieldValueNotFound"),
    ("Internal error", "InternalError"),
    ("Invalid value", "FieldValueInvalid"),
)


class ApiError(Exception):
    """A failed request: HTTP code, Status reason, message and details."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: Obj | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def body(self) -> Obj:
        return status_body(self.code, self.reason, self.message, self.details)


def status_body(code: int, reason: str, message: str, details: Obj | None = None) -> Obj:
    """A Failure Status, fields in the API server's order."""
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details:
        body["details"] = details
    body["code"] = code
    return body


def success_status(details: Obj) -> Obj:
    """The Success Status a delete answers once the object is gone."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def not_found_path() -> ApiError:
    """An unknown URL (the API server's NotFound handler)."""
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed() -> ApiError:
    return ApiError(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
    )


def not_acceptable(accepted: str) -> ApiError:
    return ApiError(406, "NotAcceptable", f"only the following media types are accepted: {accepted}", {})


def cause_type(message: str) -> str:
    """`Invalid value: 0: must be ...` -> FieldValueInvalid (the field.ErrorType prefix)."""
    return next((cause for prefix, cause in _CAUSES if message.startswith(prefix)), "FieldValueInvalid")


def from_error(exc: KapplyError) -> ApiError:
    """The API error for a cluster's refusal (or a bad selector, a bad query)."""
    if isinstance(exc, UsageError):
        return bad_request(str(exc))
    if not isinstance(exc, ClusterError):
        return ApiError(500, "InternalError", f"Internal error occurred: {exc}", {})
    message = str(exc)
    details: Obj = {}
    if isinstance(exc, InvalidError):
        found = _INVALID_MESSAGE.match(message)
        if found:
            details = {"name": found.group(3), "group": found.group(2) or "", "kind": found.group(1)}
        details["causes"] = [
            {"reason": cause_type(msg), "message": msg, "field": fld} for fld, msg in exc.causes
        ]
        if not details["causes"]:
            del details["causes"]
    elif isinstance(exc, ApplyConflictError):  # conflictsToCauses: the managers and the fields
        details = {
            "causes": [
                {"reason": "FieldManagerConflict", "message": f"conflict with {manager}", "field": path}
                for manager, path in exc.conflicts
            ]
        }
    elif isinstance(exc, TooManyRequestsError):  # an eviction a disruption budget forbids now
        details = {"causes": [{"reason": reason, "message": msg} for reason, msg in exc.causes]}
        if exc.retry_after:
            details["retryAfterSeconds"] = exc.retry_after
        if not details["causes"]:
            del details["causes"]
    elif exc.code in (404, 409):
        found = _RESOURCE_MESSAGE.match(message)
        if found and found.group(1) != "the":
            resource, _, group = found.group(1).partition(".")
            details = {"name": found.group(2), "group": group, "kind": resource}
    details = {k: v for k, v in details.items() if v != ""}
    return ApiError(exc.code, exc.reason, message, details)
