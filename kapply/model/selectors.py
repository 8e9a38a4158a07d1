"""Label selectors: the LabelSelector of manifests and kubectl's `-l` strings.

Both forms compile to one `Selector` (a tuple of requirements) so controllers, the API's list
filter and the CLI all match labels the same way, with Kubernetes' semantics: an empty selector
matches everything, a selector that is None matches nothing (that is the caller's choice).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kapply.errors import UsageError


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist (Equals/NotEquals compile to In/NotIn)
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op == "In":
            return self.key in labels and labels[self.key] in self.values
        if op == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if op == "Exists":
            return self.key in labels
        if op == "DoesNotExist":
            return self.key not in labels
        raise ValueError(f"unknown selector operator {op}")

    def __str__(self) -> str:
        if self.operator == "Exists":
            return self.key
        if self.operator == "DoesNotExist":
            return f"!{self.key}"
        if len(self.values) == 1:
            return f"{self.key}{'=' if self.operator == 'In' else '!='}{self.values[0]}"
        word = "in" if self.operator == "In" else "notin"
        return f"{self.key} {word} ({','.join(self.values)})"


@dataclass(frozen=True)
class Selector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def equality_pairs(self) -> list[tuple[str, str]]:
        """The key=value requirements, which an index can look up directly."""
        return [(r.key, r.values[0]) for r in self.requirements if r.operator == "In" and len(r.values) == 1]

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


def from_match_labels(labels: Mapping[str, Any] | None) -> Selector:
    """A plain map selector (Service.spec.selector, ReplicationController.spec.selector)."""
    return Selector(tuple(Requirement(str(k), "In", (str(v),)) for k, v in sorted((labels or {}).items())))


def from_label_selector(sel: Mapping[str, Any] | None) -> Selector:
    """A metav1.LabelSelector (matchLabels + matchExpressions)."""
    if not sel:
        return Selector()
    reqs = list(from_match_labels(sel.get("matchLabels")).requirements)
    for expr in sel.get("matchExpressions") or ():
        values = tuple(sorted(str(v) for v in expr.get("values") or ()))
        reqs.append(Requirement(str(expr.get("key", "")), str(expr.get("operator", "")), values))
    return Selector(tuple(reqs))


_SET_RE = re.compile(r"^\s*(?P<key>[^\s!=(),]+)\s+(?P<op>in|notin)\s+\((?P<vals>[^)]*)\)\s*$")


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in (p.strip() for p in parts) if p]


def parse(text: str) -> Selector:
    """Parse kubectl's `-l` syntax: `a=b,c!=d,e in (f,g),!h,i`."""
    reqs: list[Requirement] = []
    for part in _split_top_level(text):
        m = _SET_RE.match(part)
        if m:
            vals = tuple(sorted(v.strip() for v in m.group("vals").split(",") if v.strip()))
            reqs.append(Requirement(m.group("key"), "In" if m.group("op") == "in" else "NotIn", vals))
        elif "!=" in part:
            key, _, value = part.partition("!=")
            reqs.append(Requirement(key.strip(), "NotIn", (value.strip(),)))
        elif "==" in part or "=" in part:
            key, _, value = part.partition("==") if "==" in part else part.partition("=")
            reqs.append(Requirement(key.strip(), "In", (value.strip(),)))
        elif part.startswith("!"):
            reqs.append(Requirement(part[1:].strip(), "DoesNotExist"))
        elif re.fullmatch(r"[A-Za-z0-9./_-]+", part):
            reqs.append(Requirement(part, "Exists"))
        else:
            raise UsageError(f"unable to parse requirement: {part!r} in label selector {text!r}")
    for r in reqs:
        if not r.key:
            raise UsageError(f"invalid label selector {text!r}: empty key")
    return Selector(tuple(reqs))
