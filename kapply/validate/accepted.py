"""What the semantic rules see: a document as the API server would decode it, never a refused value.

The API server decodes a body into Go structs before any validation runs: a value of the wrong type
or out of its integer range fails decoding (400), so `ValidatePod` and friends never meet a list
where a name belongs. kapply reports the schema's findings and still runs the semantic rules on the
rest of the document, so this module gives the rules exactly that: the document minus every value
the kind's built-in schema refused for its type or range (an enum or required-field complaint leaves
the value readable), decoded as the API server decodes it (`kapply.validate.decoding`: `replicas:
1e3` is the int 1000, `image: null` an absent image, a null list item its type's zero value). A
refused list item takes its whole list out of view, so the remaining indexes stay true; findings
the rules report at or under a removed value are dropped, since the schema already said what is
wrong there.

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

# Failed keywords that leave the value of the right type, hence readable by the rules.
_READABLE = frozenset({"required", "enum", "const"})


@dataclass
class Checked:
    """One object's schema issues (for unknown kinds: the explanation) and semantic findings."""

    known: bool
    issues: list[SchemaIssue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def check_object(obj: dict[str, Any], schemas: SchemaValidator, *, rules: bool = True,
                 unknown_rules: bool = False) -> Checked:
    """Schema issues of `obj`, then the semantic rules on what the built-in schema accepted.

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


def rule_findings(obj: dict[str, Any], issues: list[SchemaIssue], schemas: SchemaValidator) -> list[Finding]:
    """The semantic rules on `obj` without what `issues` refused; none at or under a refused value."""
    refused = refused_paths(issues)
    found = check_rules(rule_view(obj, refused, schemas))
    if not refused:
        return found
    return [f for f in found if not any(f.path[: len(p)] == p for p in refused)]


def refused_paths(issues: list[SchemaIssue]) -> list[Path]:
    """Paths of refused values, each cut back to a map key (a bad list item stands for its list)."""
    paths: set[Path] = set()
    for issue in issues:
        if issue.keyword in _READABLE or issue.rule not in ("schema", "decode"):
            continue
        path = tuple(issue.path)
        while path and isinstance(path[-1], int):
            path = path[:-1]
        if path:
            paths.add(path)
    return sorted(paths, key=len)


def rule_view(obj: dict[str, Any], refused: list[Path], schemas: SchemaValidator) -> dict[str, Any]:
    """`obj` without the refused paths, decoded as the API server decodes it (a copy if it differs)."""
    view = obj
    for path in refused:
        view = _without(view, path)
    return schemas.decoded(view)


def _without(value: Any, path: Path) -> Any:
    """`value` without the map key at `path` (copies along the path; other branches shared)."""
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
