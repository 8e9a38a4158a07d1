"""The `kubectl events` table: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, oldest first.

Unlike `kubectl get events` (lower-case `pod/x`), `kubectl events` names the object with its
kind as written (`Pod/x`) and folds repeats into the LAST SEEN cell (`10s (x3 over 2m)`).
Aligned with kubectl's table tabwriter (minimum width 6, padding 3).
"""

from __future__ import annotations

from collections.abc import Sequence

from kapply.cli.printers.describe.writer import Obj, event_interval, sort_events
from kapply.cli.printers.tabwriter import align


def render_events(events: Sequence[Obj], now: float, all_namespaces: bool = False) -> str:
    """The whole table, header included; events are sorted oldest first."""
    lines = [("NAMESPACE\t" if all_namespaces else "") + "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE"]
    for ev in sort_events(events):
        inv = ev.get("involvedObject") or ev.get("regarding") or {}
        cells = [event_interval(ev, now), str(ev.get("type", "")), str(ev.get("reason", "")),
                 f"{inv.get('kind', '')}/{inv.get('name', '')}", str(ev.get("message", "")).strip()]
        if all_namespaces:
            cells.insert(0, str((ev.get("metadata") or {}).get("namespace", "")))
        lines.append("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in cells))
    return align("\n".join(lines) + "\n", minwidth=6, padding=3)
