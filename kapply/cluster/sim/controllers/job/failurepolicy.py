"""podFailurePolicy: what a failed pod means for its Job (pod_failure_policy.go).

Rules are tried in order; the first whose onExitCodes (operator In / NotIn over the exit codes of
the terminated containers, optionally one containerName) or onPodConditions (a pod condition of
that type and status) matches decides: FailJob fails the Job at once (reason PodFailurePolicy,
the rule's message), Ignore does not count the failure against backoffLimit, Count counts it
(as without a policy), FailIndex fails the pod's index (backoffLimitPerIndex).
"""

from __future__ import annotations

from typing import NamedTuple

from kapply.cluster.sim.controllers.base import Obj


class Match(NamedTuple):
    action: str  # FailJob, Ignore, Count, FailIndex
    message: str


def _exit_codes_match(rule: Obj, pod: Obj) -> Match | None:
    requirement = rule.get("onExitCodes") or {}
    operator, values = requirement.get("operator"), set(requirement.get("values") or ())
    wanted = requirement.get("containerName")
    meta = pod["metadata"]
    statuses = [*((pod.get("status") or {}).get("initContainerStatuses") or ()),
                *((pod.get("status") or {}).get("containerStatuses") or ())]
    for cs in statuses:
        terminated = (cs.get("state") or {}).get("terminated")
        if not terminated or (wanted and cs.get("name") != wanted):
            continue
        code = int(terminated.get("exitCode") or 0)
        if code == 0:
            continue
        if (operator == "In" and code in values) or (operator == "NotIn" and code not in values):
            pod_name = f"{meta.get('namespace', '')}/{meta['name']}"
            action = rule.get("action", "")
            return Match(action, f"Container {cs.get('name')} for pod {pod_name} failed with exit code "
                                 f"{code} matching {action} rule at index {{index}}")
    return None


def _conditions_match(rule: Obj, pod: Obj) -> Match | None:
    meta = pod["metadata"]
    conditions = {(c.get("type"), c.get("status")) for c in (pod.get("status") or {}).get("conditions") or ()}
    for pattern in rule.get("onPodConditions") or ():
        if (pattern.get("type"), pattern.get("status", "True")) in conditions:
            pod_name = f"{meta.get('namespace', '')}/{meta['name']}"
            action = rule.get("action", "")
            return Match(action, f"Pod {pod_name} has condition {pattern.get('type')} matching {action} rule "
                                 "at index {index}")
    return None


def match(job: Obj, pod: Obj) -> Match | None:
    """matchPodFailurePolicy: the first matching rule's action and message, None without a match."""
    policy = (job.get("spec") or {}).get("podFailurePolicy") or {}
    for index, rule in enumerate(policy.get("rules") or ()):
        found = _exit_codes_match(rule, pod) if rule.get("onExitCodes") else _conditions_match(rule, pod)
        if found is not None:
            return Match(found.action, found.message.replace("{index}", str(index)))
    return None
