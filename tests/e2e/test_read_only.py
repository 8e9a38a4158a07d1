"""A read-only KAPPLY_HOME or state file, through the real command.

Reading commands (get, describe, events, logs, diff) work; commands that would change the cluster
say `error: state file ... is read-only` and exit 2; nothing calls the healthy file corrupt or
suggests deleting it. Three ways to make the file read-only: the seam (in process, any user), a
chmod (skipped as root, whom permissions do not stop), and a read-only bind mount in a private
mount namespace (`unshare`, skipped where the machine does not allow one).
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "cli" / "commands"))

from hello_cluster import hello_cluster, pod_names, write_manifests

from kapply.cluster.sim import store as store_module

KAPPLY = str(Path(sys.executable).parent / "kapply")
READS = [
    (("get", "pods"), 0),
    (("get", "deploy", "hello-node", "-o", "yaml"), 0),
    (("describe", "deploy", "hello-node"), 0),
    (("events",), 0),
    (("cluster", "info", "demo"), 0),
    (("cluster", "list"), 0),
]
WRITES = [
    ("scale", "deploy/hello-node", "--replicas", "5"),
    ("delete", "deploy", "hello-node"),
    ("rollout", "restart", "deploy/hello-node"),
    ("cluster", "advance", "10s"),
    ("node", "cordon", "minikube"),
    ("image", "fail", "hello-node:v1"),
]


def _check(run: Callable[..., Any], folder: Path, state: Path) -> None:
    for args, code in READS:
        res = run(*args, "--cluster", "demo") if args[:2] != ("cluster", "info") else run(*args)
        assert res.exit_code == code, (args, res.stderr)
        assert res.stderr == "" or "Warning" in res.stderr, (args, res.stderr)
    pod = run("get", "pods", "-o", "name", "--cluster", "demo").stdout.splitlines()[0].removeprefix("pod/")
    res = run("logs", pod, "--cluster", "demo")
    assert res.exit_code == 0 and "Listening" in res.stdout
    res = run("diff", str(folder), "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (0, "")
    write_manifests(folder, replicas=4)
    res = run("diff", str(folder), "--cluster", "demo")
    assert res.exit_code == 1 and "-  replicas: 3" in res.stdout and "+  replicas: 4" in res.stdout
    for args in [*WRITES, ("apply", str(folder))]:
        res = run(*args, "--cluster", "demo")
        assert res.exit_code == 2, (args, res.stdout, res.stderr)
        assert res.stderr.startswith(f"error: state file {state} is read-only"), (args, res.stderr)
        assert "corrupt" not in res.stderr and "--force" not in res.stderr
    assert run("get", "deploy", "hello-node", "--cluster", "demo").stdout.splitlines()[1].split()[1] == "3/3"


def test_read_only_seam(run_cli: Any, tmp_path: Path, kapply_home: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = hello_cluster(run_cli, tmp_path)
    monkeypatch.setattr(store_module, "writable", lambda path: False)
    _check(run_cli, folder, kapply_home / "demo.db")
    assert "(read-only)" in run_cli("cluster", "info", "demo").stdout


@pytest.fixture
def read_only_dir(kapply_home: Path) -> Iterator[None]:
    yield
    kapply_home.chmod(0o755)
    for path in kapply_home.iterdir():
        path.chmod(0o644)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions: the bind-mount "
                                              "variant covers root")
def test_read_only_by_chmod(run_cli: Any, run_kapply: Any, tmp_path: Path, kapply_home: Path,
                            read_only_dir: None) -> None:
    folder = hello_cluster(run_cli, tmp_path)
    for path in kapply_home.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    kapply_home.chmod(0o555)
    _check(run_kapply, folder, kapply_home / "demo.db")


def _bind_read_only(home: Path) -> Callable[..., Any]:
    """`kapply ARGS` run in a mount namespace where `home` is a read-only bind mount."""
    def run(*args: str) -> Any:
        command = (f"mount --bind -o ro {shlex.quote(str(home))} {shlex.quote(str(home))} && "
                   f"exec {shlex.quote(KAPPLY)} {shlex.join(args)}")
        env = dict(os.environ, KAPPLY_HOME=str(home), NO_COLOR="1", COLUMNS="200")
        proc = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", command],
                              capture_output=True, text=True, env=env, timeout=120)
        return SimpleNamespace(exit_code=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)

    return run


def _unshare_works(home: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = home / "probe"
    probe.write_text("")
    try:
        proc = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                               f"mount --bind -o ro {shlex.quote(str(home))} {shlex.quote(str(home))} && "
                               f"! touch {shlex.quote(str(probe))} 2>/dev/null"],
                              capture_output=True, timeout=30)
    finally:
        probe.unlink()
    return proc.returncode == 0


def test_read_only_bind_mount(run_kapply: Any, tmp_path: Path, kapply_home: Path) -> None:
    if not _unshare_works(kapply_home):
        pytest.skip("this machine allows no private read-only bind mount (unshare)")
    folder = hello_cluster(run_kapply, tmp_path)  # in subprocesses: no journal is left beside the file
    names = pod_names(run_kapply)
    before = {p.name: p.read_bytes() for p in kapply_home.iterdir()}
    assert list(before) == ["demo.db"]
    run = _bind_read_only(kapply_home)
    _check(run, folder, kapply_home / "demo.db")
    assert [line.removeprefix("pod/") for line in run("get", "pods", "-o", "name", "--cluster",
                                                      "demo").stdout.splitlines()] == names
    assert {p.name: p.read_bytes() for p in kapply_home.iterdir()} == before


def test_kapply_home_that_is_a_file(run_kapply: Any, kapply_home: Path) -> None:
    kapply_home.rmdir()
    kapply_home.write_text("")
    for args in (("get", "pods"), ("cluster", "list"), ("cluster", "create", "x")):
        res = run_kapply(*args)
        assert res.exit_code == 2, (args, res.stderr)
        assert res.stderr == (f"error: KAPPLY_HOME {kapply_home} is a file, not a folder: kapply keeps one "
                              "state file per cluster there (point KAPPLY_HOME at a folder)\n")
