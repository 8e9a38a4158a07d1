"""A custom resource through its CRD's schema, in the API server's order: defaults, pruning,
schema validation, CEL rules. Used by the embedded cluster's admission and by `kapply validate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kapply.model.crd import schema_of
from kapply.validate.crdschema import cel, openapi
from kapply.validate.crdschema.defaulting import apply_defaults
from kapply.validate.crdschema.prune import prune

Obj = dict[str, Any]
Cause = tuple[str, str]
ROOT = "<nil>"  # how apimachinery prints the empty field path
# Schema failures after which the API server does not run the CEL rules (hasBlockingErr).
_BLOCKING = re.compile(r'^(Required value|Unsupported value|Too long|Too many)|in body must be of type '
                       r'(integer|number|string|boolean|object|array|integer,string): "')
RULES_NOT_CHECKED = ('Invalid value: "null": some validation rules were not checked because the object was '
                     "invalid; correct the existing errors to complete validation")


@dataclass
class Admitted:
    causes: list[Cause] = field(default_factory=list)  # (field path, message) as InvalidError causes
    pruned: list[str] = field(default_factory=list)  # unknown fields dropped (`spec.foo`)


def admit(obj: Obj, crd: Obj, version: str, old: Obj | None = None, *, mutate: bool = True) -> Admitted:
    """Default and prune `obj` in place (unless `mutate` is False: validation of a copy's findings
    only), then validate it against the schema of `version`."""
    schema = schema_of(crd, version)
    result = Admitted()
    if schema is None:
        return result
    target = obj if mutate else _copy(obj)
    apply_defaults(target, schema)
    result.pruned = prune(target, schema)
    body = {k: v for k, v in target.items() if k not in ("apiVersion", "kind")}
    meta = body.get("metadata")
    if isinstance(meta, dict):  # only what a schema may restrict of the object meta
        body["metadata"] = {k: meta[k] for k in ("name", "generateName") if k in meta}
    found = openapi.validate(body, schema)
    if any(_BLOCKING.search(message) for _, message in found):
        if next(cel.rules_at(schema), None) is not None:
            found.append(("", RULES_NOT_CHECKED))
    else:
        found += cel.validate_rules(body, old, schema)
    result.causes = [(path or ROOT, message) for path, message in found]
    return result


def _copy(obj: Obj) -> Obj:
    import copy

    return copy.deepcopy(obj)
