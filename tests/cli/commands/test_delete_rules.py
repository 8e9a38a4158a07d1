"""kubectl delete's grace-period rules and its output lines, as tables."""

from __future__ import annotations

import pytest

from kapply.cli.commands.delete import deleted_line, effective_grace
from kapply.errors import UsageError


@pytest.mark.parametrize(("grace_period", "force", "now", "expected"), [
    (-1, False, False, None),  # the object's own terminationGracePeriodSeconds
    (10, False, False, 10.0),
    (0, False, False, 1.0),  # 0 without --force becomes 1, as kubectl does
    (0, True, False, 0.0),
    (-1, True, False, 0.0),  # --force alone means immediate
    (-1, False, True, 1.0),  # --now
])
def test_grace_period(grace_period: int, force: bool, now: bool, expected: float | None) -> None:
    assert effective_grace(grace_period, force, now) == expected


def test_now_and_grace_period_conflict() -> None:
    with pytest.raises(UsageError, match="--now and --grace-period cannot be specified together"):
        effective_grace(5, False, True)


@pytest.mark.parametrize(("args", "expected"), [
    (("deployment.apps", "web", "default", False), 'deployment.apps "web" deleted from default namespace\n'),
    (("pod", "web-1", "shop", True), 'pod "web-1" force deleted from shop namespace\n'),
    (("namespace", "shop", "", False), 'namespace "shop" deleted\n'),
    (("node", "minikube-m02", "", False), 'node "minikube-m02" deleted\n'),
])
def test_deleted_line(args: tuple[str, str, str, bool], expected: str) -> None:
    assert deleted_line(*args) == expected


def test_deleted_line_for_output_name() -> None:
    assert deleted_line("service", "web", "default", False, names_only=True) == "service/web\n"
