"""The suite leaves the real home alone: caches and cluster state go to the session's scratch folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kapply.cluster.sim.home import kapply_home
from kapply.validate.schema_compile import default_cache_dir

KAPPLY = str(Path(sys.executable).parent / "kapply")
POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: nginx}]
"""


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _snapshot(folder: Path) -> dict[str, float]:
    if not folder.is_dir():
        return {}
    return {str(p): p.stat().st_mtime for p in folder.rglob("*")}


def test_caches_and_state_point_into_the_scratch_folder(home_folders: tuple[Path, Path]) -> None:
    real_home, scratch = home_folders
    for path in (default_cache_dir(), kapply_home(), Path(os.environ["XDG_CACHE_HOME"])):
        assert _inside(path, scratch), path
        assert not _inside(path, real_home) or _inside(scratch, real_home), path


def test_a_kapply_process_writes_its_cache_into_the_scratch_folder(tmp_path: Path,
                                                                  home_folders: tuple[Path, Path]) -> None:
    real_home, _ = home_folders
    real_cache = real_home / ".cache" / "kapply"
    before = _snapshot(real_cache), _snapshot(real_home / ".kapply")
    (tmp_path / "pod.yaml").write_text(POD)
    kinds = default_cache_dir()
    proc = subprocess.run([KAPPLY, "validate", str(tmp_path / "pod.yaml")], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert list(kinds.glob("*.marshal")), "the compiled validator should be cached in the scratch folder"
    assert (_snapshot(real_cache), _snapshot(real_home / ".kapply")) == before
