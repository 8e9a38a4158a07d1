"""How the watch reports a bug in kapply itself, so one bad input never ends the loop.

A one-shot command lets such an exception reach `cli.exits` (exit 3). The watcher cannot: it
catches it at the narrowest place it knows (one file, one object, one reconcile), reports it
there in the same words, and goes on. With KAPPLY_DEBUG set the traceback goes to stderr too.
"""

from __future__ import annotations

import os
import sys
import traceback

MAX_MESSAGE = 300  # an exception may quote the input (a 4,400-digit number); a line stays a line


def internal_error(stage: str, exc: BaseException) -> str:
    """`internal error while <stage>: ValueError: ... (please report it)`, one line."""
    if os.environ.get("KAPPLY_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    text = " ".join(str(exc).split())
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "..."
    return f"internal error while {stage}: {type(exc).__name__}: {text} (a kapply bug; please report it)"
