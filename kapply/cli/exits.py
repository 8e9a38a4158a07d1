"""The one place where errors become exit statuses and messages.

Every command ends through `ExitStatus`: either a command raises `typer.Exit(ExitStatus.X)`
itself (`diff` found changes, one of several objects was missing), or its body runs inside
`handle_errors()`, which prints `error: <message>` for a `KapplyError` and exits with
`exit_status(exc)`, the table below. Anything else is a bug, reported as such (still without a
traceback unless KAPPLY_DEBUG is set). `tests/cli/test_exits.py` fails on a bare number.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum

import typer

from kapply.errors import (
    KapplyError,
    LoadError,
    OwnershipError,
    PruneRefusedError,
    StateError,
    UnknownKindError,
    UsageError,
    ValidationError,
)


class ExitStatus(IntEnum):
    OK = 0
    FAILURE = 1  # invalid manifests (validate), apply or rollout failed, an object not found
    CHANGES = 1  # diff: the cluster differs from the files (kubectl diff's convention)
    ERROR = 2  # usage, I/O, invalid input for apply, an unusable state file
    INTERNAL = 3  # a bug in kapply
    INTERRUPTED = 130  # SIGINT, as a shell reports it


# Error classes -> status; the most specific class that matches wins. Others: FAILURE.
_BY_ERROR: dict[type[KapplyError], ExitStatus] = {
    UsageError: ExitStatus.ERROR,
    UnknownKindError: ExitStatus.FAILURE,  # kubectl: `the server doesn't have a resource type`, exit 1
    LoadError: ExitStatus.ERROR,
    ValidationError: ExitStatus.ERROR,
    StateError: ExitStatus.ERROR,
    PruneRefusedError: ExitStatus.ERROR,
    OwnershipError: ExitStatus.ERROR,  # the inventory records another source
}


def exit_status(exc: KapplyError) -> ExitStatus:
    """The status a command exits with for `exc` (an instance's own `exit_code` wins)."""
    if exc.exit_code is not None:
        return ExitStatus(exc.exit_code)
    for cls in type(exc).__mro__:
        if cls in _BY_ERROR:
            return _BY_ERROR[cls]
    return ExitStatus.FAILURE


@contextmanager
def handle_errors() -> Iterator[None]:
    try:
        yield
    except typer.Exit:
        raise
    except KapplyError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(exit_status(exc)) from None
    except BrokenPipeError:  # `kapply get pods | head`: the reader left; say nothing, as kubectl
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(ExitStatus.OK) from None
    except OSError as exc:
        sys.stderr.write(f"error: {exc.strerror or exc}: {exc.filename or ''}\n".replace(": \n", "\n"))
        raise typer.Exit(ExitStatus.ERROR) from None
    except Exception as exc:  # a bug in kapply: say so plainly
        if os.environ.get("KAPPLY_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc} "
                         "(set KAPPLY_DEBUG=1 for a traceback, and please report it)\n")
        raise typer.Exit(ExitStatus.INTERNAL) from None
