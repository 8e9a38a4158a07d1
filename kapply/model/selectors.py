"""Label selectors: the LabelSelector of manifests and the `-l` / `?labelSelector=` strings.

Both forms compile to one `Selector` (a tuple of requirements) so controllers, the API's list
filter and the CLI all match labels the same way, with Kubernetes' semantics: an empty selector
matches everything, a selector that is None matches nothing (that is the caller's choice). Strings
are read by the port of apimachinery's parser (`selector_parse`), errors worded as the API server's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kapply.errors import UsageError
from kapply.model.gonum import parse_int64
from kapply.model.selector_parse import SelectorSyntaxError, parse_requirements

# selection.Operator spelling -> (operator, how String() writes it)
_FROM_PARSED = {"in": ("In", " in "), "notin": ("NotIn", " notin "), "=": ("In", "="), "==": ("In", "=="),
                "!=": ("NotIn", "!="), "exists": ("Exists", ""), "!": ("DoesNotExist", ""),
                "gt": ("Gt", ">"), "lt": ("Lt", "<")}
_SPELLING = {"In": " in ", "NotIn": " notin ", "Gt": ">", "Lt": "<", "Exists": "", "DoesNotExist": ""}


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist, Gt, Lt (=, == and != are In/NotIn of one value)
    values: tuple[str, ...] = ()
    spelling: str = field(default="", compare=False)  # how String() writes the operator ("=", " in ")

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
        if op in ("Gt", "Lt"):  # both sides integers, or no match (as labels.Requirement.Matches)
            have = parse_int64(labels[self.key]) if self.key in labels else None
            want = parse_int64(self.values[0]) if len(self.values) == 1 else None
            if have is None or want is None:
                return False
            return have > want if op == "Gt" else have < want
        raise ValueError(f"unknown selector operator {op}")

    def __str__(self) -> str:
        """labels.Requirement.String(): `x in (a,b)`, `x=a`, `!x`, `x>1`."""
        if self.operator == "Exists":
            return self.key
        if self.operator == "DoesNotExist":
            return f"!{self.key}"
        spelling = self.spelling or _SPELLING.get(self.operator, self.operator)
        values = ",".join(sorted(self.values))
        if spelling in (" in ", " notin "):
            return f"{self.key}{spelling}({values})"
        return f"{self.key}{spelling}{values}"


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
    pairs = sorted((labels or {}).items())
    return Selector(tuple(Requirement(str(k), "In", (str(v),), "=") for k, v in pairs))


def from_label_selector(sel: Mapping[str, Any] | None) -> Selector:
    """A metav1.LabelSelector (matchLabels + matchExpressions)."""
    if not sel:
        return Selector()
    reqs = list(from_match_labels(sel.get("matchLabels")).requirements)
    for expr in sel.get("matchExpressions") or ():
        values = tuple(sorted(str(v) for v in expr.get("values") or ()))
        reqs.append(Requirement(str(expr.get("key", "")), str(expr.get("operator", "")), values))
    return Selector(tuple(reqs))


def parse(text: str) -> Selector:
    """labels.Parse of kubectl's `-l` syntax (`a=b,c!=d,e in (f,g),!h,i,j>1`); UsageError if invalid."""
    try:
        parsed = parse_requirements(text)
    except SelectorSyntaxError as exc:
        raise UsageError(str(exc)) from None
    reqs = []
    for key, operator, values in parsed:
        name, spelling = _FROM_PARSED[operator]
        reqs.append(Requirement(key, name, values, spelling))
    return Selector(tuple(reqs))
