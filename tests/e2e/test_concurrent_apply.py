"""Concurrent writers through the installed command: applies of one folder at once all succeed.

Real `kapply` processes on one embedded cluster, as CI jobs or a watch beside a terminal would be.
Before the plan was re-made inside the write transaction, all but one failed with AlreadyExists
(first apply) or Conflict (an update racing a `get` that caught the simulation up).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _kapply() -> str:
    found = Path(sys.executable).parent / "kapply"
    return str(found) if found.exists() else (shutil.which("kapply") or "kapply")


def _start(home: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, KAPPLY_HOME=str(home), NO_COLOR="1")
    return subprocess.Popen([_kapply(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


@pytest.mark.parametrize("writers", [2, 4, 8])
def test_concurrent_applies_of_one_folder_all_succeed(run_kapply, kapply_home: Path, tmp_path: Path,
                                                      writers: int) -> None:
    app = tmp_path / "manifests"
    shutil.copytree(REPO / "manifests", app)
    assert run_kapply("cluster", "create", "default").exit_code == 0
    runs = [_start(kapply_home, "apply", str(app)) for _ in range(writers)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in runs]  # type: ignore[union-attr]
    for code, out, err in results:
        assert code == 0, f"{out}\n{err}"
    created = sum(out.count(" created") for _, out, _ in results)
    assert created == 2  # each object created once; the other runs found it unchanged
    assert run_kapply("diff", str(app)).exit_code == 0
    inventories = run_kapply("get", "configmaps", "-o", "name").stdout.split()
    assert len([n for n in inventories if "kapply-inventory-" in n]) == 1


def test_concurrent_updates_beside_a_get_loop_never_fail(run_kapply, kapply_home: Path,
                                                         tmp_path: Path) -> None:
    app = tmp_path / "manifests"
    shutil.copytree(REPO / "manifests", app)
    deployment = app / "deployment.yaml"
    assert run_kapply("apply", str(app)).exit_code == 0  # pods start meanwhile: the getters catch up
    getters = [_start(kapply_home, "get", "pods") for _ in range(3)]
    for replicas in (2, 3, 4):
        text = deployment.read_text()
        deployment.write_text(text.replace(f"replicas: {replicas - 1}", f"replicas: {replicas}"))
        appliers = [_start(kapply_home, "apply", str(app)) for _ in range(2)]
        getters += [_start(kapply_home, "get", "pods") for _ in range(2)]
        for p in appliers:
            code = p.wait(timeout=120)
            assert code == 0, f"{p.stdout.read()}\n{p.stderr.read()}"  # type: ignore[union-attr]
    for p in getters:
        assert p.wait(timeout=120) == 0, p.stderr.read()  # type: ignore[union-attr]
    assert run_kapply("diff", str(app)).exit_code == 0
    assert "replicas: 4" in deployment.read_text()
