"""Field selectors (`--field-selector spec.nodeName=node-1,status.phase!=Running`), and the
checks labels.Parse makes on a label selector's keys and values.

Like the API server, only a few fields per kind are selectable (metadata.name and
metadata.namespace for all; pods, events, nodes, namespaces, secrets add their own); anything
else is refused with Kubernetes' `field label not supported` message. Shared by the embedded
cluster and the API front end (a watch filters its events with them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kapply.errors import UsageError
from kapply.model.selectors import Selector
from kapply.validate.rules.formats import is_qualified_name, is_valid_label_value

_COMMON = ("metadata.name", "metadata.namespace")
_BY_KIND: dict[str, tuple[str, ...]] = {
    "Pod": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
    "Event": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
              "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
              "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"),
    "Node": ("spec.unschedulable",),
    "Namespace": ("status.phase",),
    "Secret": ("type",),
    "ReplicaSet": ("status.replicas",),
    "ReplicationController": ("status.replicas",),
    "Job": ("status.successful",),
    "Service": ("spec.clusterIP", "spec.type"),
}


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    equal: bool
    value: str

    def matches(self, obj: dict[str, Any]) -> bool:
        return (field_value(obj, self.field) == self.value) == self.equal


def field_value(obj: dict[str, Any], path: str) -> str:
    """The string form of a selectable field (missing -> "", booleans lower-case)."""
    if path == "source":
        return str((obj.get("source") or {}).get("component", ""))
    cur: Any = obj
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_field_selector(kind: str, text: str) -> tuple[FieldRequirement, ...]:
    """Parse `a=b,c!=d` (also `==`) for `kind`; UsageError for unsupported fields."""
    reqs = []
    allowed = _COMMON + _BY_KIND.get(kind, ())
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if "!=" in part:
            key, _, value = part.partition("!=")
            equal = False
        elif "==" in part:
            key, _, value = part.partition("==")
            equal = True
        elif "=" in part:
            key, _, value = part.partition("=")
            equal = True
        else:
            raise UsageError(f"invalid selector: '{text}'; can't understand '{part}'")
        key = key.strip()
        if key not in allowed:
            raise UsageError(f"field label not supported: {key}")
        reqs.append(FieldRequirement(key, equal, value.strip()))
    return tuple(reqs)


def matches_fields(obj: dict[str, Any], reqs: tuple[FieldRequirement, ...]) -> bool:
    """All requirements hold."""
    return all(r.matches(obj) for r in reqs)


def check_label_selector(selector: Selector) -> None:
    """NewRequirement's validation: a label key, label values, a non-empty set for in/notin."""
    for req in selector.requirements:
        errs = []
        if problems := is_qualified_name(req.key):
            errs.append(f'key: Invalid value: "{req.key}": {"; ".join(problems)}')
        if req.operator in ("In", "NotIn") and not req.values:
            errs.append("values: Invalid value: []string{}: "
                        "for 'in', 'notin' operators, values set can't be empty")
        for i, value in enumerate(req.values):
            if problems := is_valid_label_value(value):
                errs.append(f'values[{i}][{req.key}]: Invalid value: "{value}": {"; ".join(problems)}')
        if errs:
            joined = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
            raise UsageError(f"unable to parse requirement: {joined}")
