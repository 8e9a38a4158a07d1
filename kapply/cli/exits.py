"""The one place where errors become exit statuses and messages.

Command bodies wrap their work in `handle_errors()`; a `KapplyError` prints `error: <message>`
on stderr and exits with its `exit_code`; anything else is a bug and is reported as such
(still without a traceback unless KAPPLY_DEBUG is set).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum

import typer

from kapply.errors import KapplyError


class ExitStatus(IntEnum):
    OK = 0
    FAILURE = 1  # invalid manifests, changes found (diff), apply or rollout failed
    ERROR = 2  # usage, I/O, invalid input for apply
    INTERNAL = 3


@contextmanager
def handle_errors() -> Iterator[None]:
    try:
        yield
    except typer.Exit:
        raise
    except KapplyError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(exc.exit_code) from None
    except BrokenPipeError:  # `kapply get pods | head`: the reader left; say nothing, as kubectl
        import os as _os

        _os.dup2(_os.open(_os.devnull, _os.O_WRONLY), sys.stdout.fileno())
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
