"""completionMode Indexed: each pod carries its completion index; the Job records which are done.

Mirrors indexed_job_utils.go: the index is the `batch.kubernetes.io/job-completion-index`
annotation; `status.completedIndexes` is the sorted intervals string `0-2,4`; new pods take the
lowest indexes neither succeeded nor active (firstPendingIndexes).
"""

from __future__ import annotations

from collections.abc import Iterable

from kapply.cluster.sim.controllers.base import Obj

INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
INDEX_ENV = "JOB_COMPLETION_INDEX"


def completion_index(pod: Obj) -> int | None:
    """getCompletionIndex: the pod's index, None when absent or malformed."""
    value = (pod["metadata"].get("annotations") or {}).get(INDEX_ANNOTATION)
    if value is None or not str(value).isdigit():
        return None
    return int(value)


def valid_index(pod: Obj, completions: int) -> int | None:
    index = completion_index(pod)
    return index if index is not None and index < completions else None


def intervals(indexes: Iterable[int]) -> str:
    """The compressed form Kubernetes stores: `0-2,4,6-7`."""
    ordered = sorted(set(indexes))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def parse_intervals(text: str | None, completions: int) -> set[int]:
    """parseIndexesFromString: the indexes of an intervals string below `completions`."""
    found: set[int] = set()
    for part in (text or "").split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            continue
        for index in range(int(low), int(high or low) + 1):
            if index < completions:
                found.add(index)
    return found


def first_pending(completions: int, succeeded: set[int], active: set[int], count: int) -> list[int]:
    """firstPendingIndexes: up to `count` lowest indexes neither succeeded nor active."""
    out = []
    for index in range(completions):
        if len(out) >= count:
            break
        if index not in succeeded and index not in active:
            out.append(index)
    return out
