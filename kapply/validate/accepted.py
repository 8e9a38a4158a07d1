"""What the semantic rules see: a document as the API server would decode it, never a refused value.

The API server decodes a body into Go structs before any validation runs: a value of the wrong type
or out of its integer range fails decoding (400), and `ValidatePod` and friends never run on that
object at all. kapply does the same: when the kind's built-in schema refuses a value for its type
or range (a list as a volume name, a map as a port, a string as a selector), the document gets the
schema's diagnostics and no semantic rule looks at it; there is no partial reading that could
crash a rule or report what only the missing value would explain (a volume mount "not found" once
the volume's name was refused). Schema complaints that leave every value well-typed (a required
field missing, a value outside an enum, an unknown field, which is dropped) do not stop the rules.
They then read the document decoded as Go decodes it (`kapply.validate.decoding`: `replicas: 1e3`
is the int 1000, `image: null` an absent image, a null list item its type's zero value).

`check_object` is the one way in: the validate pipeline and the embedded API server's admission
call it, and nothing else calls the rules with a document the schema has not seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kapply.validate.rules import Finding
from kapply.validate.rules import check as check_rules
from kapply.validate.schema import SchemaIssue, SchemaValidator

Path = tuple[str | int, ...]

# Failed keywords after which every value is still of its type, so the rules may read the document.
_WELL_TYPED = frozenset({"required", "enum", "const", "additionalProperties"})


@dataclass
class Checked:
    """One object's schema issues (for unknown kinds: the explanation) and semantic findings."""

    known: bool
    issues: list[SchemaIssue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def check_object(obj: dict[str, Any], schemas: SchemaValidator, *, rules: bool = True,
                 unknown_rules: bool = False) -> Checked:
    """Schema issues of `obj`, then the semantic rules if the built-in schema found it well-typed.

    Kinds without a schema get no rules unless `unknown_rules` (then only ObjectMeta's rules apply,
    to metadata that decodes as ObjectMeta).
    """
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    known = schemas.has_schema(api_version, kind)
    issues = schemas.validate(obj)
    result = Checked(known, issues)
    if rules and (known or unknown_rules):
        basis = issues if known and schemas.is_builtin(api_version, kind) else schemas.builtin_issues(obj)
        result.findings = rule_findings(obj, basis, schemas)
    return result


def ill_typed(issue: SchemaIssue) -> bool:
    """True for a value the API server could not decode (wrong type, out of range)."""
    return issue.rule in ("schema", "decode") and issue.keyword not in _WELL_TYPED


def rule_findings(obj: dict[str, Any], issues: list[SchemaIssue], schemas: SchemaValidator) -> list[Finding]:
    """The semantic rules on `obj` decoded, unless `issues` hold an ill-typed value ([] then)."""
    if any(ill_typed(i) for i in issues):
        return []
    return check_rules(rule_view(obj, [tuple(i.path) for i in issues if i.keyword == "additionalProperties"],
                                 schemas))


def rule_view(obj: dict[str, Any], unknown: list[Path], schemas: SchemaValidator) -> dict[str, Any]:
    """`obj` without its unknown fields, decoded as the API server decodes it (a copy if it differs)."""
    view = obj
    for path in unknown:
        view = _without(view, path)
    return schemas.decoded(view)


def _without(value: Any, path: Path) -> Any:
    """`value` without the map key at `path` (copies along the path; other branches shared)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        if head not in value:
            return value
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _without(value[head], rest)}
    if isinstance(value, list) and isinstance(head, int) and 0 <= head < len(value) and rest:
        return [_without(v, rest) if i == head else v for i, v in enumerate(value)]
    return value
