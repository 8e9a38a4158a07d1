"""What one reconcile of the watch did, as one line of text or one JSON object.

Every line tells the truth about the cluster against the folder. Only a reconcile that planned
the whole folder may say "in sync", and only when that plan had nothing to write and nothing is
pending: no broken file, no folder gone, no prune held back while the folder settles, no object
refused or skipped. That is exactly when `kapply diff` of the folder (with the same --prune)
exits 0. A reconcile of a few changed files says what became of their objects, nothing more.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from kapply.apply.applier import Outcome
from kapply.load.walk import display_path
from kapply.model.keys import ResourceKey
from kapply.plan.change import Change
from kapply.validate.diagnostics import Diagnostic
from kapply.watch.holds import GONE, NO_PRUNE

_HEADS = {"start": "start", "change": "change", "drift": "drift check", "settle": "settled"}


@dataclass
class ReconcileResult:
    trigger: str  # "start" | "change" | "drift" | "settle"
    started: float  # wall time
    duration: float = 0.0
    files: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    drift: list[Change] = field(default_factory=list)  # what differed from the folder (drift checks)
    healed: bool = False
    errors: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    full: bool = False  # the plan covered the whole folder (start, rescan, drift check)
    gone: list[str] = field(default_factory=list)  # followed folders missing now
    back: list[str] = field(default_factory=list)  # followed folders that came back since the last line
    broken: list[str] = field(default_factory=list)  # files that do not load (or apply), full reconciles
    unapplied: set[str] = field(default_factory=set)  # broken files without a good version to keep
    objects: int = 0  # objects the folder holds (the desired set)
    sources: int = 0  # files they come from
    paths: list[str] = field(default_factory=list)  # what is followed, as given
    holds: dict[ResourceKey, str] = field(default_factory=dict)  # prunes held back, and by which hold

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok and o.change.is_write]

    @property
    def reported(self) -> list[Outcome]:
        """Writes, failures, and objects left alone and why; less what another part of the line says
        (a folder gone), and on drift checks the objects kept only as there is no --prune (said once)."""
        def said(o: Outcome) -> bool:
            hold = self.holds.get(o.change.key)
            return hold == GONE or (hold == NO_PRUNE and self.trigger == "drift")

        return [o for o in self.outcomes if o.change.is_write or not o.ok
                or (o.change.action == "skip" and not said(o))]

    @property
    def ok(self) -> bool:
        return (not self.errors and not self.diagnostics and not self.gone and not self.broken
                and all(o.ok for o in self.outcomes))

    @property
    def in_sync(self) -> bool:
        """The whole folder was planned and the cluster already matched it, with nothing pending."""
        skipped = any(o.change.action == "skip" and self.holds.get(o.change.key) != NO_PRUNE
                      for o in self.outcomes)
        return (self.full and self.ok and not self.drift and not self.applied and not skipped
                and self.objects > 0)

    def line(self) -> str:
        """One human line: time, trigger, what changed, duration."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.started))
        parts: list[str] = []
        parts.extend(f"{display_path(p)} is back" for p in self.back)
        if self.trigger == "drift" and self.drift:
            what = ", ".join(_drift_text(c) for c in self.drift)
            parts.append(f"drift detected: {what}" + ("" if self.healed else " (not healed: --no-self-heal)"))
        parts.extend(o.line() for o in self.reported)
        for d in self.diagnostics:
            where = f"{d.file}:{d.line}:{d.column}"
            parts.append(f"{where}: {d.severity}: {d.text} ({self._keeping(d.file)})")
        parts.extend(f"error: {e}" for e in self.errors)
        reported = {d.file for d in self.diagnostics}
        parts.extend(f"{f}: still broken ({self._keeping(f)})" for f in self.broken if f not in reported)
        parts.extend(f"{display_path(p)} is gone: following it again when it is back; "
                     "nothing is pruned meanwhile" for p in self.gone)
        if not parts or parts == [f"{display_path(p)} is back" for p in self.back]:
            parts.append(self._verdict())
        head = _HEADS[self.trigger]
        if self.files:
            more = len(self.files) - 3
            head += " " + ", ".join(self.files[:3]) + (f" +{more} more" if more > 0 else "")
        return f"{stamp} {head}: " + "; ".join(parts) + f" ({self.duration * 1000:.0f}ms)"

    def _keeping(self, file: str) -> str:
        return "nothing of it is applied yet" if file in self.unapplied else "keeping its last good objects"

    def _verdict(self) -> str:
        """What a line says when nothing changed: which objects are followed, or that none is."""
        if not self.full:
            unchanged = sum(1 for o in self.outcomes if o.change.action == "unchanged")
            return f"{_count(unchanged, 'object')} unchanged" if unchanged else "no objects"
        if self.objects == 0:
            where = ", ".join(display_path(p) for p in self.paths) or "the source"
            return f"nothing to follow: {where} {'holds' if len(self.paths) == 1 else 'hold'} no objects"
        text = f"in sync: {_count(self.objects, 'object')} from {_count(self.sources, 'file')} unchanged"
        kept = sum(1 for hold in self.holds.values() if hold == NO_PRUNE)
        if kept:
            text += f"; {kept} absent from the folder kept (no --prune)"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "trigger": self.trigger, "durationMs": round(self.duration * 1000, 1), "files": self.files,
            "results": [{"ref": o.change.key.ref, "result": o.verb, "message": o.message or None}
                        for o in self.reported],
            "drift": [{"ref": c.key.ref, "action": c.action,
                       "fields": [f.path_text for f in c.fields][:10]} for c in self.drift],
            "healed": self.healed, "errors": self.errors,
            "diagnostics": [d.to_json() for d in self.diagnostics], "ok": self.ok,
            "inSync": self.in_sync, "gone": self.gone, "broken": self.broken,
            "objects": self.objects,
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _drift_text(change: Change) -> str:
    if change.action == "create":
        return f"{change.key.ref} missing"
    if change.action == "prune":
        return f"{change.key.ref} no longer in the folder"
    fields = ", ".join(f.path_text for f in change.fields[:3]) or "metadata"
    return f"{change.key.ref} changed ({fields})"
