"""The README's CI recipe works as written: kapply installed from its source tree, then validate.

On a runner, `python -m pip install ./.kapply` builds kapply from the checked-out repository and
takes its dependencies from PyPI. Tests stay offline, so here the fresh virtual environment sees
this environment's dependencies (a .pth file) and pip builds without an index; what is tested is
that the recipe installs from the repository (never `pip install kapply` from an index, where
anyone could register the name), that the build from a clean source tree (`git archive`) carries
the schemas, and that the recipe's validate step prints GitHub annotations and fails on an error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def _recipe() -> dict:
    text = (REPO / "README.md").read_text()
    section = text[text.index("## CI and editors"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return yaml.safe_load(block.group(1))


def test_the_recipe_never_installs_kapply_from_an_index() -> None:
    blocks = re.findall(r"```\w*\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)
    assert not any(re.search(r"pip install\s+(-\S+\s+)*['\"]?kapply\b", block) for block in blocks)
    steps = _recipe()["jobs"]["validate"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == ["python -m pip install ./.kapply", "kapply validate -o github manifests/"]
    kapply_checkout = next(s for s in steps if s.get("with", {}).get("path") == ".kapply")
    assert kapply_checkout["uses"].startswith("actions/checkout@")
    assert re.fullmatch(r"[0-9a-f]{40}", _recipe()["jobs"]["validate"]["env"]["KAPPLY_REF"])  # pinned


def test_the_recipe_runs_on_a_fresh_environment(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs kapply's git checkout")
    workspace = tmp_path / "runner"
    source = workspace / ".kapply"
    source.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    (workspace / "manifests").mkdir()
    (workspace / "manifests" / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: lots\n")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # the venv's own old setuptools would shadow this environment's (which builds wheels itself)
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "setuptools"], capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # PIP_NO_BUILD_ISOLATION=0 turns isolation off (pip reads the variable as --no-build-isolation)
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_NO_DEPS": "1",
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "KAPPLY_HOME": str(tmp_path / "home")}
    env.pop("PYTHONPATH", None)
    install, validate = (s["run"] for s in _recipe()["jobs"]["validate"]["steps"] if "run" in s)
    installed = subprocess.run(install, shell=True, cwd=workspace, env=env, capture_output=True, text=True,
                               timeout=600)
    assert installed.returncode == 0, installed.stderr[-2000:]
    assert (venv / "bin" / "kapply").exists()
    checked = subprocess.run(validate, shell=True, cwd=workspace, env=env, capture_output=True, text=True,
                             timeout=300)
    assert checked.returncode == 1, checked.stderr
    assert "::error file=manifests/web.yaml,line=6," in checked.stdout
