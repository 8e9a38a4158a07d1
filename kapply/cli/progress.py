"""Progress of `apply --wait`: a live table on a terminal, one line per state change otherwise.

On a TTY (and unless NO_COLOR / TERM=dumb) rich redraws one row per object in place, so a
rollout of many objects stays readable; in CI logs and pipes every change of an object's state
is one plain line (`✓ deployment.apps/web: deployment "web" successfully rolled out`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Progress = Callable[[Any, Any], None]


def _mark(state: Any) -> str:
    if state.inert:
        return "-"
    return "✓" if state.done and state.ok else ("✗" if state.done else "…")


def _live_wanted() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb" and not os.environ.get("NO_COLOR")


@contextmanager
def progress_display(keys: Sequence[Any], enabled: bool = True) -> Iterator[Progress]:
    """Yield the callback `wait_ready` reports each object's state to."""
    if not enabled:
        yield lambda key, state: None
        return
    if not _live_wanted():
        yield lambda key, state: sys.stdout.write(f"{_mark(state)} {key.ref}: {state.message}\n")
        return
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    states: dict[Any, Any] = {}

    def table() -> Table:
        grid = Table.grid(padding=(0, 1))
        for key in keys:
            state = states.get(key)
            mark, message = (_mark(state), state.message) if state else ("…", "waiting")
            style = "green" if mark == "✓" else ("red" if mark == "✗" else "yellow")
            grid.add_row(f"[{style}]{mark}[/]", key.ref, message)
        return grid

    with Live(table(), console=Console(), refresh_per_second=8, transient=False) as live:
        def update(key: Any, state: Any) -> None:
            states[key] = state
            live.update(table())

        yield update
