"""`kapply version` and shell completion (bash, zsh and fish), through the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import _kapply_bin


def test_version_names_client_schemas_renderer_and_target(run_cli) -> None:
    before = run_cli("version")
    assert before.exit_code == 0
    lines = before.stdout.splitlines()
    assert lines[0].startswith("Client Version: kapply ")
    assert lines[1] == "Schema Version: Kubernetes 1.34"
    assert lines[2].startswith("Kustomize: ")
    assert lines[3].startswith('Server Version: none yet: embedded cluster "default"')
    assert run_cli("version").exit_code == 0  # asking created nothing
    assert run_cli("cluster", "create", "default", "--nodes", "2").exit_code == 0
    after = json.loads(run_cli("version", "-o", "json").stdout)
    assert after["target"] == {**after["target"], "created": True, "kubernetes": "v1.34.0", "nodes": 2}
    client = json.loads(run_cli("version", "--client", "-o", "json").stdout)
    assert "target" not in client and client["schemaVersion"]["kubernetes"] == "1.34"


def _complete(env: dict[str, str], **extra: str) -> list[str]:
    proc = subprocess.run([_kapply_bin()], env={**env, **extra}, capture_output=True, text=True, timeout=60)
    return proc.stdout.split()


@pytest.fixture
def env(run_kapply, kapply_home: Path, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n")
    assert run_kapply("cluster", "create", "default", "--manual-clock").exit_code == 0
    assert run_kapply("apply", str(tmp_path / "cm.yaml")).exit_code == 0
    return dict(os.environ, KAPPLY_HOME=str(kapply_home))


@pytest.mark.e2e
def test_bash_protocol_completes_commands_kinds_names_and_flags(env: dict[str, str]) -> None:
    def bash(words: str, cword: int) -> list[str]:
        return _complete(env, _KAPPLY_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(cword))

    assert "apply" in bash("kapply ap", 1) and "get" not in bash("kapply ap", 1)
    assert {"deploy", "deployment", "deployments"} <= set(bash("kapply get dep", 2))
    assert "settings" in bash("kapply get configmaps ", 3)
    assert bash("kapply describe cm/se", 2) == ["cm/settings"]
    assert bash("kapply get cm --clu", 3) == ["--cluster"]
    assert bash("kapply get cm --cluster ", 4) == ["default"]
    assert "kube-system" in bash("kapply get cm -n ", 4)
    assert "jsonpath=" in bash("kapply get cm -o ", 4)
    assert bash("kapply completion ", 2) == ["bash", "zsh", "fish"]


@pytest.mark.e2e
def test_zsh_and_fish_protocols(env: dict[str, str]) -> None:
    fish = _complete(env, _KAPPLY_COMPLETE="complete_fish", _TYPER_COMPLETE_ARGS="kapply get cm ",
                     _TYPER_COMPLETE_FISH_ACTION="get-args")
    assert "settings" in fish
    zsh_env = {**env, "_KAPPLY_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "kapply get cm "}
    zsh = subprocess.run([_kapply_bin()], capture_output=True, text=True, timeout=60, env=zsh_env)
    assert '"settings"' in zsh.stdout


@pytest.mark.e2e
def test_the_bash_script_completes_in_bash(env: dict[str, str]) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    env = {**env, "PATH": f"{Path(_kapply_bin()).parent}{os.pathsep}{env.get('PATH', '')}"}
    script = ('source <(kapply completion bash); COMP_WORDS=(kapply get configmaps ""); COMP_CWORD=3; '
              '_kapply_completion kapply; echo "${COMPREPLY[@]}"')
    out = subprocess.run([bash, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert "settings" in out.stdout.split()


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_the_scripts_load_in_their_shells(shell: str, tmp_path: Path) -> None:
    binary = shutil.which(shell)
    if binary is None:
        pytest.skip(f"{shell} is not installed")
    script = subprocess.run([_kapply_bin(), "completion", shell], capture_output=True, text=True, check=True)
    (tmp_path / "k").write_text(script.stdout)
    check = "-n" if shell == "zsh" else "--no-execute"  # parse the script, run nothing
    command = [binary, check, str(tmp_path / "k")]
    assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0


def test_an_unknown_shell_is_refused(run_cli) -> None:
    res = run_cli("completion", "tcsh")
    assert res.exit_code == 2 and "use one of bash, zsh, fish" in res.stderr
