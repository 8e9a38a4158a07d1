"""kubectl's pod STATUS column (`columns.pod_status`), case by case as printPod computes it."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cli.printers.table import render_table
from kapply.model.columns import pod_status


def _pod(phase: str, state: dict[str, Any] | None = None, ready: bool = False, init: list[dict] | None = None,
         init_specs: int = 0, **meta: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "metadata": {"name": "web", **meta},
        "spec": {"containers": [{"name": "web"}],
                 "initContainers": [{"name": f"i{i}"} for i in range(init_specs)]},
        "status": {"phase": phase},
    }
    if state is not None:
        pod["status"]["containerStatuses"] = [{"name": "web", "ready": ready, "state": state}]
    if init is not None:
        pod["status"]["initContainerStatuses"] = init
    return pod


CASES = [
    ("Running", _pod("Running", {"running": {"startedAt": "2026-01-02T03:04:05Z"}}, ready=True)),
    ("ContainerCreating", _pod("Pending", {"waiting": {"reason": "ContainerCreating"}})),
    ("ErrImagePull", _pod("Pending", {"waiting": {"reason": "ErrImagePull"}})),
    ("ImagePullBackOff", _pod("Pending", {"waiting": {"reason": "ImagePullBackOff"}})),
    ("CrashLoopBackOff", _pod("Running", {"waiting": {"reason": "CrashLoopBackOff"}})),
    ("Terminating", _pod("Running", {"running": {}}, ready=True, deletionTimestamp="2026-01-02T03:04:35Z")),
    ("Completed", _pod("Succeeded", {"terminated": {"exitCode": 0, "reason": "Completed"}})),
    ("Error", _pod("Failed", {"terminated": {"exitCode": 1, "reason": "Error"}})),
    ("ExitCode:137", _pod("Failed", {"terminated": {"exitCode": 137}})),
    ("Signal:9", _pod("Failed", {"terminated": {"exitCode": 137, "signal": 9}})),
    ("Pending", _pod("Pending")),
    ("Init:0/1", _pod("Pending", {"waiting": {"reason": "PodInitializing"}}, init_specs=1,
                      init=[{"name": "i0", "state": {"running": {}}}])),
    ("Init:1/2", _pod("Pending", {"waiting": {"reason": "PodInitializing"}}, init_specs=2,
                      init=[{"name": "i0", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                            {"name": "i1", "state": {"waiting": {"reason": "PodInitializing"}}}])),
    ("Init:CrashLoopBackOff", _pod("Pending", None, init_specs=1, init=[
        {"name": "i0", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}])),
    ("Init:Error", _pod("Pending", None, init_specs=1,
                        init=[{"name": "i0", "state": {"terminated": {"exitCode": 1}}}])),
]


@pytest.mark.parametrize(("expected", "pod"), CASES, ids=[c[0] for c in CASES])
def test_pod_status(expected: str, pod: dict[str, Any]) -> None:
    assert pod_status(pod) == expected


def test_evicted_and_node_lost() -> None:
    evicted = _pod("Failed")
    evicted["status"]["reason"] = "Evicted"
    assert pod_status(evicted) == "Evicted"
    lost = _pod("Running", {"running": {}}, ready=True, deletionTimestamp="2026-01-02T03:04:35Z")
    lost["status"]["reason"] = "NodeLost"
    assert pod_status(lost) == "Unknown"


def test_status_column_in_a_table() -> None:
    rows = [["web-1", "1/1", pod_status(CASES[0][1])], ["web-2", "0/1", pod_status(CASES[3][1])]]
    assert render_table(["NAME", "READY", "STATUS"], rows) == (
        "NAME    READY   STATUS\n"
        "web-1   1/1     Running\n"
        "web-2   0/1     ImagePullBackOff\n")
