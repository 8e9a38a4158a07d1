"""`kapply watch` refuses arguments that would make it spin or read stdin, before touching a cluster."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("interval", ["1ms", "0s", "-5s", "abc"])
def test_interval_must_be_sensible(run_cli, tmp_path: Path, interval: str) -> None:
    res = run_cli("watch", str(tmp_path), "--interval", interval)
    assert res.exit_code == 2
    assert "interval" in res.stderr or "duration" in res.stderr
    assert "Traceback" not in res.stderr


def test_stdin_is_refused(run_cli) -> None:
    res = run_cli("watch", "-")
    assert res.exit_code == 2 and "standard input" in res.stderr
