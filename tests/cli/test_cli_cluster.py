"""`kapply cluster create|delete|list|info|advance` through the real command (in-process)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]


def test_create_info_list_delete(run_cli: Run, kapply_home: Path) -> None:
    res = run_cli("cluster", "create", "demo", "--nodes", "3", "--cpu", "2", "--memory", "4Gi",
                  "--pods", "20", "--pod-startup", "5s", "--manual-clock", "--seed", "7")
    assert res.exit_code == 0, res.stderr
    assert res.stdout == 'cluster "demo" created (3 nodes: 2 CPU, 4Gi memory, 20 pods each)\n'
    assert (kapply_home / "demo.db").exists()

    info = json.loads(run_cli("cluster", "info", "demo", "-o", "json").stdout)
    assert info["settings"]["nodes"] == 3 and info["settings"]["pod_startup"] == 5.0
    assert info["settings"]["seed"] == 7 and info["settings"]["manual_clock"] is True
    assert info["counts"]["Namespace"] == 4
    text = run_cli("cluster", "info", "--cluster", "demo").stdout
    assert "Nodes:          3 x (2 CPU, 4Gi memory, 20 pods)" in text
    assert "(manual)" in text

    listing = run_cli("cluster", "list", "--cluster", "demo").stdout.splitlines()
    assert listing[0].split() == ["CURRENT", "NAME", "NODES", "CPU", "MEMORY", "PODS", "CLOCK"]
    assert listing[1].split() == ["*", "demo", "3", "2", "4Gi", "20", "manual"]

    assert run_cli("cluster", "create", "demo").stderr == 'error: cluster "demo" already exists\n'
    res = run_cli("cluster", "delete", "demo")
    assert res.exit_code == 0 and res.stdout == 'cluster "demo" deleted\n'
    assert not (kapply_home / "demo.db").exists()
    missing = run_cli("cluster", "delete", "demo")
    assert missing.exit_code == 1 and missing.stderr == 'error: cluster "demo" not found\n'


def test_advance_moves_virtual_time(run_cli: Run) -> None:
    run_cli("cluster", "create", "t", "--manual-clock")
    before = json.loads(run_cli("cluster", "info", "t", "-o", "json").stdout)["now"]
    res = run_cli("cluster", "advance", "1h30m", "--cluster", "t")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("advanced 1h30m0s to ")
    after = json.loads(run_cli("cluster", "info", "t", "-o", "json").stdout)["now"]
    assert after - before == 5400
    idle = run_cli("cluster", "advance", "--until-idle", "--cluster", "t")
    assert idle.exit_code == 0 and idle.stdout.startswith("advanced 0s to ")


def test_cluster_from_environment(run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("cluster", "create", "envy", "--manual-clock")
    monkeypatch.setenv("KAPPLY_CLUSTER", "envy")
    assert run_cli("cluster", "advance", "30s").stdout.startswith("advanced 30s")
    assert json.loads(run_cli("cluster", "info", "-o", "json").stdout)["name"] == "envy"


def test_first_use_creates_default(run_cli: Run, kapply_home: Path) -> None:
    res = run_cli("cluster", "info", "-o", "json")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["settings"]["nodes"] == 1
    assert (kapply_home / "default.db").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["cluster", "advance", "5x", "--cluster", "x"],
     'invalid argument "5x" for DURATION: time: unknown unit "x" in duration "5x"'),
    (["cluster", "advance", "--", "-5m"], "must not be negative"),
    (["cluster", "advance"], "give either a DURATION"),
    (["cluster", "create", "Bad_Name"], 'invalid cluster name "Bad_Name"'),
    (["cluster", "create", "x", "--memory", "lots"], "invalid --memory 'lots'"),
    (["cluster", "create", "x", "--memory", "8GB"], "invalid --memory '8GB'"),
    (["cluster", "create", "x", "--cpu", "two"], "invalid --cpu 'two'"),
    (["cluster", "create", "x", "--lb-pool", "1.2.3.4"], "invalid --lb-pool"),
    (["cluster", "create", "x", "--pod-startup", "soon"], 'invalid argument "soon" for "--pod-startup" flag'),
    (["cluster", "create", "x", "--node-grace=-1s"], 'invalid argument "-1s" for "--node-grace" flag: must'),
    (["cluster", "create", "x", "--nodes", "5001"], "invalid --nodes 5001: must be between 0 and 5000"),
    (["cluster", "create", "x", "--nodes", "1000000000"], "invalid --nodes 1000000000"),
    (["cluster", "create", "x", "--nodes=-1"], "invalid --nodes -1"),
    (["cluster", "create", "x", "--pods", "0"], "invalid --pods 0: must be at least 1"),
    (["cluster", "advance", "--until-idle", "--max=-1m"], 'invalid argument "-1m" for "--max" flag'),
    (["cluster", "info", "nope"], 'cluster "nope" not found'),
])
def test_bad_input_is_a_clear_error(run_cli: Run, args: list[str], message: str) -> None:
    res = run_cli(*args)
    assert res.exit_code in (1, 2)
    assert res.stderr.startswith("error: ") and message in res.stderr
    assert "Traceback" not in res.stderr


def test_foreign_state_file(run_cli: Run, kapply_home: Path) -> None:
    (kapply_home / "mine.db").write_text("not a database")
    res = run_cli("cluster", "info", "mine")
    assert res.exit_code == 2 and "not a kapply cluster state file" in res.stderr
    assert "`kapply cluster delete mine --force`" in res.stderr  # the advice works as given
    assert (kapply_home / "mine.db").read_text() == "not a database"
    assert "--force" in run_cli("cluster", "delete", "mine").stderr
    assert run_cli("cluster", "delete", "mine", "--force").exit_code == 0


def test_list_and_info_count_the_nodes_there_are(run_cli: Run) -> None:
    run_cli("cluster", "create", "grow", "--nodes", "2", "--manual-clock")
    assert run_cli("node", "add", "--cluster", "grow").exit_code == 0
    assert run_cli("node", "fail", "minikube-m02", "--cluster", "grow").exit_code == 0
    run_cli("cluster", "advance", "1m", "--cluster", "grow")
    listing = run_cli("cluster", "list", "--cluster", "grow").stdout.splitlines()
    assert listing[1].split()[:3] == ["*", "grow", "3"]
    text = run_cli("cluster", "info", "grow").stdout
    assert "Nodes:          3 x (4 CPU, 8Gi memory, 110 pods)" in text
    # as `get nodes` shows them: Ready=Unknown is NotReady
    assert "  minikube-m02  NotReady\n" in text and "  minikube      Ready\n" in text


def test_a_state_file_that_cannot_be_written_is_a_clear_error(run_cli: Run, kapply_home: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from kapply.cluster.sim import store

    def refuse(path: Path, read_only: bool = False) -> sqlite3.Connection:  # /proc, a full disk
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(store, "connect", refuse)
    res = run_cli("cluster", "create", "ro")
    assert res.exit_code == 2, res.stderr
    assert res.stderr == (f"error: {kapply_home / 'ro.db'}: cannot create the state file "
                          "(unable to open database file)\n")
    assert not list(kapply_home.iterdir())
