"""Benchmark: apply / re-apply / diff of a 1,000-object folder on the embedded cluster.

Prints one JSON line: wall seconds of each command (the real `kapply` process), the number of
writes each made (resourceVersion delta), and a no-op apply timed again after the cluster has
accumulated history, to show its cost follows the folder, not the history.
Run: .venv/bin/python tests/bench/bench_apply.py [OBJECTS]

kapply is timed as installed: its modules compiled to bytecode first (pip does that at install
time). In a sandbox that sets PYTHONDONTWRITEBYTECODE, every timed command would otherwise compile
~150 modules again (0.1-0.15 s of CPU each time), which measures the sandbox, not kapply.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_manifests import app_folder, deployment

KAPPLY = str(Path(sys.executable).parent / "kapply")


def main() -> None:
    objects = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KAPPLY_HOME=str(Path(tmp) / "home"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        package = Path(__file__).resolve().parents[2] / "kapply"
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=env, check=True)
        folder = Path(tmp) / "app"
        app_folder(folder, objects)

        def rv() -> int:
            from kapply.cluster.sim import open_cluster

            os.environ["KAPPLY_HOME"] = env["KAPPLY_HOME"]
            cluster = open_cluster("default")
            try:
                return int(cluster.resource_version())
            finally:
                cluster.close()

        def timed(*args: str) -> tuple[float, int, int]:
            before = rv()
            start = time.perf_counter()
            proc = subprocess.run([KAPPLY, *args], capture_output=True, text=True, env=env)
            wall = time.perf_counter() - start
            if proc.returncode not in (0, 1):
                sys.exit(f"kapply {' '.join(args)} failed: {proc.stderr[-2000:]}")
            return wall, rv() - before, proc.returncode

        nodes = max(1, objects // 30)
        subprocess.run([KAPPLY, "cluster", "create", "default", "--nodes", str(nodes), "--manual-clock"],
                       check=True, capture_output=True, env=env)
        first, first_writes, _ = timed("apply", str(folder))
        noop, noop_writes, _ = timed("apply", str(folder))
        (folder / "app-7.yaml").write_text((folder / "app-7.yaml").read_text().replace(
            deployment(7, "v1"), deployment(7, "v2")))
        diff, diff_writes, diff_exit = timed("diff", str(folder))
        # accumulate history: ten rounds of one change each, plus the controllers' reactions
        for i in range(10):
            (folder / "app-7.yaml").write_text((folder / "app-7.yaml").read_text().replace(
                f"replicas: {1 + (7 + i) % 3}", f"replicas: {1 + (8 + i) % 3}", 1))
            subprocess.run([KAPPLY, "apply", str(folder)], capture_output=True, env=env)
            subprocess.run([KAPPLY, "cluster", "advance", "30s"], capture_output=True, env=env)
        subprocess.run([KAPPLY, "apply", str(folder)], capture_output=True, env=env)
        noop_late, noop_late_writes, _ = timed("apply", str(folder))
        print(json.dumps({
            "bench": "apply", "objects": objects, "nodes": nodes,
            "first_apply_s": round(first, 3), "first_apply_writes": first_writes,
            "noop_apply_s": round(noop, 3), "noop_apply_writes": noop_writes,
            "diff_one_change_s": round(diff, 3), "diff_writes": diff_writes, "diff_exit": diff_exit,
            "noop_apply_after_history_s": round(noop_late, 3),
            "noop_apply_after_history_writes": noop_late_writes,
            "history_rv": rv(),
            "peak_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        }))


if __name__ == "__main__":
    main()
