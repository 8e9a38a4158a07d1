"""`describe daemonset | job | cronjob` pages (goldens), and secrets of service-account tokens."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from describe_fixtures import NOW, T0

from kapply.cli.printers.describe import describe
from kapply.cli.printers.describe.batch import cap_indexes

GOLDEN = Path(__file__).parent / "golden"

TEMPLATE = {"metadata": {"labels": {"app": "agent"}},
            "spec": {"containers": [{"name": "agent", "image": "agent:1"}],
                     "nodeSelector": {"kubernetes.io/os": "linux"}}}
DAEMON_SET = {"apiVersion": "apps/v1", "kind": "DaemonSet",
              "metadata": {"name": "agent", "namespace": "default", "uid": "ds-uid"},
              "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": TEMPLATE},
              "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3,
                         "updatedNumberScheduled": 3, "numberAvailable": 2}}
JOB = {"apiVersion": "batch/v1", "kind": "Job",
       "metadata": {"name": "migrate", "namespace": "default", "uid": "job-uid"},
       "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
                "suspend": False,
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "job-uid"}},
                "template": {"metadata": {"labels": {"job-name": "migrate"}}, "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "migrate", "image": "migrate:1",
                                    "command": ["migrate", "up"]}]}}},
       "status": {"startTime": T0, "completionTime": "2026-01-02T03:04:42Z", "succeeded": 1, "ready": 0}}
CRON_JOB = {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "nightly", "namespace": "default"},
            "spec": {"schedule": "0 3 * * *", "concurrencyPolicy": "Allow", "suspend": False,
                     "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                     "jobTemplate": {"spec": {"template": {"spec": {
                         "restartPolicy": "OnFailure",
                         "containers": [{"name": "report", "image": "report:1"}]}}}}},
            "status": {}}


@pytest.mark.parametrize(("obj", "golden"), [
    (DAEMON_SET, "describe_daemonset.txt"),
    (JOB, "describe_job.txt"),
    (CRON_JOB, "describe_cronjob.txt"),
])
def test_page(obj: dict[str, Any], golden: str) -> None:
    assert describe(obj, {"Pod": []}, [], NOW) == (GOLDEN / golden).read_text()


@pytest.mark.parametrize(("indexes", "expected"), [
    ("", "<none>"),
    ("0-3,7", "0-3,7"),
    (",".join(str(i) for i in range(0, 60, 2)), "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,...")
])
def test_completed_indexes_are_capped(indexes: str, expected: str) -> None:
    assert cap_indexes(indexes) == expected


def test_service_account_token_secret_shows_the_token() -> None:
    secret = {"kind": "Secret", "type": "kubernetes.io/service-account-token",
              "metadata": {"name": "builder-token", "namespace": "default"},
              "data": {"token": "ZXlKaGJHY2lPaUo=", "ca.crt": "Y2VydA=="}}
    page = describe(secret, {}, [], NOW)
    assert "ca.crt:  4 bytes\ntoken:   eyJhbGciOiJ\n" in page
