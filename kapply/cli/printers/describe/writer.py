"""The building blocks every `kubectl describe` printer shares (staging/src/k8s.io/kubectl/pkg/describe).

`PrefixWriter` collects tab-separated lines with kubectl's two-space levels; `render()` aligns them
with Go's tabwriter (padding 2), exactly as kubectl's `tabbedString` does. The helpers here are
the multi-line sections many kinds print the same way: labels, annotations, tolerations, taints,
selectors, quantities, timestamps and the Events table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from kapply.cli.printers.tabwriter import align
from kapply.model.columns import parse_time
from kapply.model.durations import human_duration
from kapply.model.quantity import QuantityError, from_value, parse_quantity

Obj = dict[str, Any]

SKIP_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
MAX_ANNOTATION_LEN = 140


class PrefixWriter:
    """kubectl's prefixWriter: `write(level, text)` indents the text by two spaces per level."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._flushed: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._parts.append("  " * level + text)

    def line(self, text: str) -> None:
        """fmt.Fprintln: the text and a newline, no indent."""
        self._parts.append(text + "\n")

    def flush(self) -> None:
        """tabwriter.Flush: what was written so far is aligned on its own."""
        self._flushed.append(align("".join(self._parts)))
        self._parts = []

    def render(self) -> str:
        self.flush()
        return "".join(self._flushed)


def rfc1123z(text: str | None) -> str:
    """Go's time.RFC1123Z of an RFC 3339 timestamp: `Mon, 02 Jan 2006 15:04:05 +0000`."""
    when = parse_time(text)
    if when is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    return datetime.fromtimestamp(when, UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def since(text: str | None, now: float) -> str:
    """translateTimestampSince: `<unknown>` for a zero time, else the human age."""
    when = parse_time(text)
    return "<unknown>" if when is None else human_duration(now - when)


def meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def printbool(value: Any) -> str:
    return "True" if value else "False"


def go_value(value: Any) -> str:
    """fmt's %v of a decoded JSON value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def labels_multiline(w: PrefixWriter, title: str, labels: Mapping[str, Any] | None,
                     initial_indent: str = "", inner_indent: str = "\t") -> None:
    """printLabelsMultiline: `Labels:  a=b` then one `key=value` per continuation line."""
    w.write(0, f"{initial_indent}{title}:{inner_indent}")
    keys = sorted(labels or {})
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, initial_indent + inner_indent)
        w.write(0, f"{key}={go_value((labels or {})[key])}\n")


def annotations_multiline(w: PrefixWriter, title: str, annotations: Mapping[str, Any] | None) -> None:
    """printAnnotationsMultiline: `key: value`, long or multi-line values on their own lines."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in annotations or {} if k not in SKIP_ANNOTATIONS)
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = str((annotations or {})[key]).removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                short = part if len(part) <= MAX_ANNOTATION_LEN - 2 else part[:MAX_ANNOTATION_LEN - 2] + "..."
                w.write(0, f"\t  {short}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def tolerations_multiline(w: PrefixWriter, title: str, tolerations: Sequence[Obj] | None,
                          initial_indent: str = "", inner_indent: str = "\t") -> None:
    """printTolerationsMultiline: `key=value:Effect op=Exists for 300s`."""
    w.write(0, f"{initial_indent}{title}:{inner_indent}")
    if not tolerations:
        w.line("<none>")
        return
    for i, tol in enumerate(tolerations):
        if i:
            w.write(0, initial_indent + inner_indent)
        text = str(tol.get("key") or "")
        if tol.get("value"):
            text += f"={tol['value']}"
        if tol.get("effect"):
            text += f":{tol['effect']}"
        if tol.get("operator") == "Exists" and not tol.get("value"):
            text += " op=Exists" if tol.get("key") or tol.get("effect") else "op=Exists"
        if tol.get("tolerationSeconds") is not None:
            text += f" for {int(tol['tolerationSeconds'])}s"
        w.write(0, text + "\n")


def taint_text(taint: Obj) -> str:
    key, value, effect = taint.get("key", ""), taint.get("value"), taint.get("effect", "")
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def taints_multiline(w: PrefixWriter, title: str, taints: Sequence[Obj] | None) -> None:
    """printNodeTaintsMultiline: sorted by effect then key."""
    w.write(0, f"{title}:\t")
    if not taints:
        w.line("<none>")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, taint in enumerate(ordered):
        if i:
            w.write(0, "\t")
        w.write(0, taint_text(taint) + "\n")


def format_labels(labels: Mapping[str, Any] | None) -> str:
    """labels.FormatLabels: `a=b,c=d`, `<none>` when empty."""
    text = ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items()))
    return text or "<none>"


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: requirements sorted by key (`app=web,tier in (a,b)`)."""
    if not selector:
        return "<none>"
    parts: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        parts.append((str(key), f"{key}={value}"))
    for expr in selector.get("matchExpressions") or ():
        key, op = str(expr.get("key", "")), expr.get("operator")
        values = ",".join(sorted(str(v) for v in expr.get("values") or ()))
        text = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                "Exists": key, "DoesNotExist": f"!{key}"}.get(str(op), "<error>")
        parts.append((key, text))
    return ",".join(text for _, text in sorted(parts, key=lambda p: p[0])) or "<none>"


def controller_of(obj: Obj) -> str:
    """printController: `ReplicaSet/web-5f76cf6ccf`, or "" when nothing controls the object."""
    for ref in meta(obj).get("ownerReferences") or ():
        if ref.get("controller"):
            return f"{ref.get('kind')}/{ref.get('name')}"
    return ""


# ---- quantities -----------------------------------------------------------------------------------

def is_binary(text: Any) -> bool:
    return isinstance(text, str) and text.endswith(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))


def quantity_text(value: Any) -> str:
    """A quantity as the API server serialises it back (`0.5` -> `500m`, `1024Mi` -> `1Gi`)."""
    try:
        return str(from_value(value))
    except QuantityError:
        return str(value)


def quantity(value: Any) -> Fraction:
    try:
        return parse_quantity(value)
    except QuantityError:
        return Fraction(0)


# ---- events ---------------------------------------------------------------------------------------

def event_interval(ev: Obj, now: float) -> str:
    """kubectl's Age / LAST SEEN of an event: `45s`, or `10s (x3 over 2m)` when repeated."""
    first = since(ev.get("eventTime") or ev.get("firstTimestamp"), now)
    series = ev.get("series")
    if series:
        return f"{since(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
    if int(ev.get("count") or 0) > 1:
        return f"{since(ev.get('lastTimestamp'), now)} (x{ev['count']} over {first})"
    return first


def event_time(ev: Obj) -> float:
    """The time SortableEvents orders by: series last observed, lastTimestamp, eventTime."""
    for text in ((ev.get("series") or {}).get("lastObservedTime"), ev.get("lastTimestamp"),
                 ev.get("eventTime")):
        when = parse_time(text)
        if when is not None:
            return when
    return 0.0


def _rv(ev: Obj) -> int:
    text = str(meta(ev).get("resourceVersion") or "0")
    return int(text) if text.isdigit() else 0


def sort_events(events: Sequence[Obj]) -> list[Obj]:
    """Oldest first (SortableEvents); events of the same second in the order they were recorded."""
    return sorted(events, key=lambda ev: (event_time(ev), _rv(ev)))


def describe_events(w: PrefixWriter, events: Sequence[Obj] | None, now: float) -> None:
    """DescribeEvents: the `Type Reason Age From Message` table, `Events:  <none>` when empty."""
    if events is None:
        return
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for ev in sort_events(events):
        source = (ev.get("source") or {}).get("component") or ev.get("reportingComponent") or ""
        w.write(1, f"{ev.get('type', '')}\t{ev.get('reason', '')}\t{event_interval(ev, now)}\t{source}\t"
                   f"{str(ev.get('message', '')).strip()}\n")
