"""The `kapply-validate` hook of `.pre-commit-hooks.yaml`, run by pre-commit itself.

pre-commit would install the hook's repository with pip (from the network); to stay offline the
test runs the hook as a `local` hook whose fields are those of `.pre-commit-hooks.yaml`, with
`language: system` and the installed `kapply` as its entry. So pre-commit's own file matching
(`files`, `exclude`), argument passing and exit-status handling are what is tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, _kapply_bin

pytestmark = pytest.mark.e2e


def _pre_commit() -> str:
    found = shutil.which("pre-commit") or str(Path(_kapply_bin()).parent / "pre-commit")
    if not os.path.exists(found) or shutil.which("git") is None:
        pytest.skip("pre-commit (or git) is not installed")
    return found


def _repository(tmp_path: Path) -> Path:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "kapply-validate" and hook["entry"] == "kapply validate"
    local = {**hook, "language": "system", "entry": f"{_kapply_bin()} validate"}
    repo = tmp_path / "manifests-repo"
    repo.mkdir()
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (repo / "good.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n")
    (repo / "README.md").write_text("not a manifest\n")
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")  # excluded: not a manifest
    env = _env(tmp_path)
    for command in (["git", "init", "-q"], ["git", "config", "user.email", "t@example.com"],
                    ["git", "config", "user.name", "t"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=repo, check=True, env=env, capture_output=True)
    return repo


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "KAPPLY_HOME": str(tmp_path / "home"),
            "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}


def _run(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_pre_commit(), "run", "--all-files"], cwd=repo, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)


def test_the_hook_passes_valid_manifests_and_fails_invalid_ones(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    passed = _run(repo, tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "kapply validate" in passed.stdout and "Passed" in passed.stdout
    (repo / "bad.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                                   "  replicas: lots\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, capture_output=True, env=_env(tmp_path))
    failed = _run(repo, tmp_path)
    assert failed.returncode == 1
    assert "Failed" in failed.stdout and "bad.yaml:6:" in failed.stdout and "spec.replicas" in failed.stdout
