"""The one error hierarchy of kapply.

Every layer raises a subclass of `KapplyError`; the CLI maps them to exit statuses in one place
(`kapply.cli.exits`). A user sees the message, never a traceback. Messages say what went wrong
and, where it helps, what to do about it.
"""

from __future__ import annotations


class KapplyError(Exception):
    """Base of every error kapply reports to a user (`kapply.cli.exits` maps classes to statuses)."""

    exit_code: int | None = None  # set on an instance to force a status (kubectl diff: errors >= 2)


class UsageError(KapplyError):
    """Bad command-line usage: unknown kind, malformed duration, missing argument."""


class UnknownKindError(UsageError):
    """A resource type the cluster does not serve: kubectl exits 1 for it, as for a missing object."""


class LoadError(KapplyError):
    """A file could not be read or parsed; carries the position where known."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.message}"


class ValidationError(KapplyError):
    """Input manifests are invalid; nothing was written."""


class ClusterError(KapplyError):
    """Base of errors raised by a cluster (embedded or real), shaped like API server statuses."""

    code = 500
    reason = "InternalError"


class NotFoundError(ClusterError):
    code = 404
    reason = "NotFound"


class AlreadyExistsError(ClusterError):
    code = 409
    reason = "AlreadyExists"


class ConflictError(ClusterError):
    """Optimistic-concurrency failure: the object changed since it was read."""

    code = 409
    reason = "Conflict"


class ApplyConflictError(ConflictError):
    """Server-side apply found fields another manager owns with a different value (HTTP 409).

    `conflicts` lists (manager as the API server prints it, field path) pairs, in message order;
    `--force-conflicts` (force=True) takes the fields over instead.
    """

    def __init__(self, message: str, conflicts: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts or []


class BadRequestError(ClusterError):
    """A request the API server cannot interpret (HTTP 400): a malformed patch, a bad apply body,
    a body that does not decode into its Go type (a number out of its int32/int64 range)."""

    code = 400
    reason = "BadRequest"


class InvalidError(ClusterError):
    """The API refused an object (HTTP 422 in Kubernetes); `causes` lists field-level problems."""

    code = 422
    reason = "Invalid"

    def __init__(self, message: str, causes: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.causes = causes or []


class AmbiguousKindError(ClusterError):
    """A kind named without its group that several groups serve (two CRDs both defining `Widget`):
    the caller must say which, as kubectl's REST mapper refuses an ambiguous kind."""

    code = 400
    reason = "BadRequest"


class MethodNotAllowedError(ClusterError):
    """A verb the resource does not allow now (HTTP 405): creating a custom resource while its CRD
    is being deleted."""

    code = 405
    reason = "MethodNotAllowed"


class TooManyRequestsError(ClusterError):
    """The API server asks to try again later (HTTP 429): an eviction a disruption budget forbids
    now. `causes` are (reason, message) pairs for the Status details."""

    code = 429
    reason = "TooManyRequests"

    def __init__(self, message: str, causes: list[tuple[str, str]] | None = None,
                 retry_after: int = 0) -> None:
        super().__init__(message)
        self.causes = causes or []
        self.retry_after = retry_after


class ForbiddenError(ClusterError):
    code = 403
    reason = "Forbidden"


class StateError(KapplyError):
    """The cluster's state file is corrupt, foreign, from an incompatible version, or unusable here."""


class ReadOnlyError(StateError):
    """The state file (or its folder) cannot be written: reading commands still work."""

    def __init__(self, path: object) -> None:
        super().__init__(f"state file {path} is read-only: only commands that read the cluster work "
                         "(get, describe, events, logs, diff)")


class PruneRefusedError(KapplyError):
    """Prune refused for safety: e.g. the source holds no objects (`--allow-empty` overrides)."""


class OwnershipError(KapplyError):
    """The inventory a run reaches records another source: nothing was planned or written."""


class NothingAppliedError(KapplyError):
    """Nothing the user asked for happened: no objects in the source, or every one was skipped."""
