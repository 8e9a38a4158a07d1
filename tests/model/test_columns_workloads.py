"""`get` columns of the workload kinds nothing acts on (StatefulSet, DaemonSet, Job, CronJob),
as kubectl's printers show them (they are part of `get all`)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.model.columns import columns_for

NOW = 1_767_225_600.0 + 300  # five minutes after creation
T0 = "2026-01-01T00:00:00Z"
TEMPLATE = {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}], "nodeSelector": {"disk": "ssd"}}}


def obj(kind: str, spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": kind, "metadata": {"name": "x", "creationTimestamp": T0}, "spec": spec,
            "status": status or {}}


@pytest.mark.parametrize(("o", "headers", "row"), [
    (obj("StatefulSet", {"replicas": 3, "template": TEMPLATE}, {"readyReplicas": 2}),
     ["NAME", "READY", "AGE"], ["x", "2/3", "5m"]),
    (obj("DaemonSet", {"template": TEMPLATE}, {"desiredNumberScheduled": 3, "currentNumberScheduled": 3,
                                                "numberReady": 2, "updatedNumberScheduled": 3,
                                                "numberAvailable": 1}),
     ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
     ["x", "3", "3", "2", "3", "1", "disk=ssd", "5m"]),
    (obj("Job", {"completions": 5, "template": TEMPLATE}, {"succeeded": 2}),
     ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], ["x", "Running", "2/5", "", "5m"]),
    (obj("Job", {"parallelism": 3, "template": TEMPLATE},
         {"startTime": T0, "completionTime": "2026-01-01T00:01:05Z", "succeeded": 1,
          "conditions": [{"type": "Complete", "status": "True"}]}),
     ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], ["x", "Complete", "1/1 of 3", "65s", "5m"]),
    (obj("CronJob", {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}}),
     ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
     ["x", "*/5 * * * *", "<none>", "False", "0", "<none>", "5m"]),
])
def test_kubectl_columns(o: dict[str, Any], headers: list[str], row: list[str]) -> None:
    cols = columns_for(o["kind"])
    assert list(cols.headers) == headers
    assert cols.row(o, NOW) == row


def test_wide_columns_show_containers_and_images() -> None:
    sts = obj("StatefulSet", {"replicas": 1, "template": TEMPLATE})
    cols = columns_for("StatefulSet")
    assert list(cols.wide_headers) == ["CONTAINERS", "IMAGES"]
    assert cols.wide is not None and cols.wide(sts, NOW) == ["web", "nginx:1.27"]
    cron = obj("CronJob", {"schedule": "@daily", "jobTemplate": {"spec": {"template": TEMPLATE}}})
    cols = columns_for("CronJob")
    assert cols.wide is not None and cols.wide(cron, NOW) == ["web", "nginx:1.27", "<none>"]
