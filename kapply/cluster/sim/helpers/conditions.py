"""Setting a status condition as apimachinery's `meta.SetStatusCondition` (and apiextensions'
`SetCRDCondition`) do: the condition of that type replaced, its `lastTransitionTime` kept while
its status stays the same."""

from __future__ import annotations

from typing import Any

from kapply.cluster.sim.clock import rfc3339

Obj = dict[str, Any]


def set_condition(conditions: list[Obj], type_: str, status: str, reason: str, message: str, now: float,
                  **extra: Any) -> list[Obj]:
    """`conditions` with the condition of `type_` set (in place; returned for convenience).
    `extra` fields (observedGeneration) come right after the status, as the API server orders them."""
    old = next((c for c in conditions if c.get("type") == type_), None)
    new: Obj = {"type": type_, "status": status, **extra, "lastTransitionTime": rfc3339(now),
                "reason": reason, "message": message}
    if old is not None:
        if old.get("status") == status:
            new["lastTransitionTime"] = old.get("lastTransitionTime", new["lastTransitionTime"])
        conditions[conditions.index(old)] = new
    else:
        conditions.append(new)
    return conditions
