"""Render a Plan for people (a unified YAML diff per object, like `kubectl diff`) and for machines.

The text shows, per object that would change, `--- live/<Kind>/<ns>/<name>` and
`+++ desired/...` with only the changed lines and three lines of context, over the normalised objects
projected onto the fields the file mentions (so defaults and server-set fields never appear). A create
diffs against `/dev/null`, a prune to `/dev/null`. Skipped objects, objects deleted with a pruned
Namespace (`pod/web-1 -n team deleted with namespace/team`) and refused updates get one line
each; unchanged objects are only counted in the closing summary. Colour (ANSI) only when asked: the
CLI decides whether stdout is a terminal. The JSON plan is `Plan.to_json()` (`plan.py`).
"""

from __future__ import annotations

import difflib
import json
from typing import Any

import yaml

from kapply.plan.change import Change
from kapply.plan.inventory import INVENTORY_LABEL, MANAGED_BY
from kapply.plan.normalize import mentioned, normalize
from kapply.plan.plan import Plan, last_applied_of
from kapply.plan.three_way import LAST_APPLIED

try:
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Dumper = yaml.SafeDumper

CONTEXT = 3
_OWNERSHIP = (MANAGED_BY[0], INVENTORY_LABEL)
_RESET, _BOLD, _RED, _GREEN, _CYAN, _YELLOW = "\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[36m", \
    "\x1b[33m"


def render_text(plan: Plan, colour: bool) -> str:
    """The human form of a plan: diffs of what changes, then a one-line summary."""
    out: list[str] = []
    for change in plan.changes:
        out.extend(_change_lines(change, colour))
    out.append(summary(plan))
    return "\n".join(out) + "\n"


def render_json(plan: Plan) -> str:
    """The machine form of a plan (`kapply.io/plan/v1`), indented, stable key order."""
    return json.dumps(plan.to_json(), indent=2, sort_keys=False, default=str) + "\n"


def summary(plan: Plan) -> str:
    """`Plan: 1 to create, 2 to update, 0 to replace, 1 to prune, 5 unchanged, 0 skipped.`

    Objects deleted with a pruned Namespace add `, 4 deleted with their namespace` after the prunes.
    """
    n = plan.counts()
    cascade = f", {n['cascade']} deleted with their namespace" if n["cascade"] else ""
    text = (f"Plan: {n['create']} to create, {n['update'] - n['error']} to update, "
            f"{n['replace']} to replace, {n['prune']} to prune{cascade}, {n['unchanged']} unchanged, "
            f"{n['skip']} skipped")
    if n["error"]:
        text += f", {n['error']} refused"
    return text + "."


def _yaml(obj: Any) -> list[str]:
    if obj is None:
        return []
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True).splitlines()


def _views(change: Change) -> tuple[Any, Any]:
    """(before, after) as shown: normalised, projected onto what the file mentions now or before."""
    live, desired = change.live, change.desired
    if change.action == "create":
        return None, normalize(desired or {})
    if change.action == "prune":
        return normalize(live or {}), None
    applied = last_applied_of(desired or {}) or desired or {}
    mask = mentioned(applied, last_applied_of(live or {}))
    before, after = normalize(live or {}, desired=mask), normalize(desired or {}, desired=mask)
    if before == after:  # only kapply's bookkeeping changes: show the ownership labels, if those
        before, after = _ownership(live or {}), _ownership(desired or {})
    return before, after


def _ownership(obj: dict) -> dict:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return {"metadata": {"labels": {k: v for k, v in labels.items() if k in _OWNERSHIP}}}


def _bookkeeping_note(change: Change) -> str:
    def record(obj: dict | None) -> object:
        return ((obj or {}).get("metadata") or {}).get("annotations", {}).get(LAST_APPLIED)

    if record(change.live) == record(change.desired):
        return ""
    if _ownership(change.live or {}) != _ownership(change.desired or {}):
        return "kapply's last-applied record is written"
    return "no field changes; kapply's last-applied record is updated"


def _change_lines(change: Change, colour: bool) -> list[str]:
    ref = change.key.ref
    where = f" -n {change.key.namespace}" if change.key.namespace else ""
    if change.action == "unchanged":
        return []
    if change.action == "skip":
        return [_paint(f"{ref}{where} skipped: {change.reason}", _YELLOW, colour)]
    if change.action == "cascade":  # one line each: a namespace may hold thousands of pods
        return [_paint(f"{ref}{where} {change.reason}", _RED, colour)]
    before, after = _views(change)
    if change.key.kind == "Secret":
        before, after = _masked(before, after)
    name = change.key.display
    old_name = "/dev/null" if before is None else f"live/{name}"
    new_name = "/dev/null" if after is None else f"desired/{name}"
    lines = list(difflib.unified_diff(_yaml(before), _yaml(after), old_name, new_name,
                                      n=CONTEXT, lineterm=""))
    out = [_paint(line, _colour_of(line), colour) for line in lines]
    if change.action == "update" and _is_bookkeeping(change):
        note = _bookkeeping_note(change)
        if note:
            out.append(_paint(f"{ref}{where}: {note}", _YELLOW, colour))
    if change.action == "replace":
        out.append(_paint(f"{ref}{where} will be deleted and re-created ({change.reason})", _YELLOW,
                          colour))
    if change.error:
        out.append(_paint(f"error: {change.error}", _RED, colour))
    return out


_BOOKKEEPING = {"labels": frozenset(_OWNERSHIP),
                "annotations": frozenset({LAST_APPLIED, "kubectl.kubernetes.io/last-applied-configuration"})}


def _masked(before: Any, after: Any) -> tuple[Any, Any]:
    """A Secret's values as `kubectl diff` shows them: `***`, or `*** (before)` / `*** (after)` when
    they change, so a diff in a CI log never prints a secret."""
    out = [before, after]
    for field in ("data", "stringData"):
        old = before.get(field) if isinstance(before, dict) else None
        new = after.get(field) if isinstance(after, dict) else None
        old, new = (old if isinstance(old, dict) else {}), (new if isinstance(new, dict) else {})
        for i, (mine, other, tag) in enumerate(((old, new, "before"), (new, old, "after"))):
            if isinstance(out[i], dict) and isinstance(out[i].get(field), dict):
                out[i] = {**out[i], field: {k: "***" if other.get(k, v) == v or k not in other
                                            else f"*** ({tag})" for k, v in mine.items()}}
    return out[0], out[1]


def _is_bookkeeping(change: Change) -> bool:
    """Whether the update only touches kapply's own labels and records (none of the user's)."""
    def ours(f: Any) -> bool:
        if f.path[:1] != ("metadata",) or len(f.path) < 2 or f.path[1] not in _BOOKKEEPING:
            return False
        keys = _BOOKKEEPING[f.path[1]]
        if len(f.path) >= 3:
            return f.path[2] in keys
        return all(set(v) <= keys for v in (f.old, f.new) if isinstance(v, dict))
    return all(ours(f) for f in change.fields)


def _colour_of(line: str) -> str:
    if line.startswith(("---", "+++")):
        return _BOLD
    if line.startswith("@@"):
        return _CYAN
    if line.startswith("+"):
        return _GREEN
    if line.startswith("-"):
        return _RED
    return ""


def _paint(text: str, code: str, colour: bool) -> str:
    return f"{code}{text}{_RESET}" if colour and code else text
