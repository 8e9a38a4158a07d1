"""Shared test fixtures: an isolated KAPPLY_HOME, and ways to run the real kapply command.

`run_cli` runs the typer app in-process (fast, exact stdout/stderr/exit code);
`run_kapply` runs the installed console script in a subprocess (true end-to-end).

The suite never writes to the real home: before anything is collected, kapply's compiled-schema
cache (`~/.cache/kapply`), any other XDG cache and the default KAPPLY_HOME (`~/.kapply`) point
into one scratch folder for the session (subprocesses inherit them); tests/test_hygiene.py fails
when they would not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
REAL_HOME = Path.home()
SCRATCH = Path(tempfile.mkdtemp(prefix="kapply-tests-"))
os.environ["KAPPLY_CACHE_DIR"] = str(SCRATCH / "kapply-cache")
os.environ["XDG_CACHE_HOME"] = str(SCRATCH / "xdg-cache")
os.environ["KAPPLY_HOME"] = str(SCRATCH / "kapply-home")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(SCRATCH, ignore_errors=True)


@pytest.fixture
def home_folders() -> tuple[Path, Path]:
    """(the real home, the session's scratch folder standing in for it)."""
    return REAL_HOME, SCRATCH


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def kapply_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "kapply-home"
    home.mkdir()
    monkeypatch.setenv("KAPPLY_HOME", str(home))
    monkeypatch.delenv("KAPPLY_CLUSTER", raising=False)
    return home


@pytest.fixture
def run_cli(kapply_home: Path) -> Callable[..., Result]:
    """Run `kapply ARGS...` in-process; returns exit code, stdout, stderr."""
    from typer.testing import CliRunner

    from kapply.cli.app import app

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    return run


def _kapply_bin() -> str:
    found = Path(sys.executable).parent / "kapply"
    return str(found) if found.exists() else (shutil.which("kapply") or "kapply")


@pytest.fixture
def run_kapply(kapply_home: Path) -> Callable[..., Result]:
    """Run the installed `kapply` console script in a subprocess."""

    def run(*args: str, input: str | None = None, cwd: Path | None = None, timeout: float = 120) -> Result:
        env = dict(os.environ, KAPPLY_HOME=str(kapply_home), NO_COLOR="1", COLUMNS="200")
        proc = subprocess.run([_kapply_bin(), *args], input=input, capture_output=True, text=True,
                              cwd=cwd, env=env, timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[..., Path]:
    """Make a git work tree under tmp_path: `git_repo("a", origin="git@github.com:org/a.git")`."""

    def make(name: str, origin: str | None = None, commit: bool = False) -> Path:
        root = tmp_path / name
        root.mkdir(parents=True)
        env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_AUTHOR_NAME="t", GIT_COMMITTER_NAME="t",
                   GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_EMAIL="t@example.com")
        commands = [["init", "-q"]]
        if origin:
            commands.append(["remote", "add", "origin", origin])
        if commit:
            commands.append(["commit", "-q", "--allow-empty", "-m", "start"])
        for args in commands:
            subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
        return root

    return make
