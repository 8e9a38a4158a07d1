"""Benchmark: `kapply watch` over 1,000 manifest files — save-to-cluster latency and idle CPU.

A real `kapply watch -o json` process follows a folder of 1,000 files (ConfigMaps, Services,
Deployments). Each of EDITS edits rewrites one ConfigMap file the way editors save (temp file +
rename); latency is the time from the rename to the watcher's JSON line for that reconcile, which
is printed after the change is committed to the cluster (checked afterwards for every edited
object). Idle CPU is the watcher's CPU time over IDLE seconds with nothing happening.
Prints one JSON line. Run: .venv/bin/python tests/bench/bench_watch.py [EDITS]
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_manifests import configmap, deployment, service

KAPPLY = str(Path(sys.executable).parent / "kapply")
IDLE = 10.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    edits = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KAPPLY_HOME=str(Path(tmp) / "home"))
        folder = Path(tmp) / "app"
        folder.mkdir()
        makers = (configmap, service, deployment)
        for i in range(1000):
            (folder / f"obj-{i:04d}.yaml").write_text(makers[i % 3](i))
        subprocess.run([KAPPLY, "cluster", "create", "default", "--nodes", "30", "--manual-clock"],
                       check=True, capture_output=True, env=env)
        proc = subprocess.Popen([KAPPLY, "watch", str(folder), "-o", "json", "--interval", "10m"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        lines: queue.Queue[tuple[float, dict]] = queue.Queue()

        def reader() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put((time.perf_counter(), json.loads(line)))

        threading.Thread(target=reader, daemon=True).start()
        _, first = lines.get(timeout=300)
        startup_ms = first["durationMs"]
        latencies = []
        for n in range(edits):
            i = 3 * (n % 333)
            path = folder / f"obj-{i:04d}.yaml"
            tmpfile = folder / f".obj-{i:04d}.yaml.swp"
            tmpfile.write_text(configmap(i).replace("LOG_LEVEL: info", f"LOG_LEVEL: debug-{n}"))
            saved = time.perf_counter()
            os.replace(tmpfile, path)
            while True:
                arrived, event = lines.get(timeout=30)
                if any(r["ref"] == f"configmap/app-{i}-config" for r in event["results"]):
                    latencies.append((arrived - saved) * 1000)
                    break
            time.sleep(0.05)
        cpu_before = _cpu_seconds(proc.pid)
        time.sleep(IDLE)
        idle_cpu = (_cpu_seconds(proc.pid) - cpu_before) / IDLE * 100
        proc.terminate()
        proc.wait(timeout=30)
        check = subprocess.run([KAPPLY, "get", "cm", "-o", "json"], capture_output=True, text=True, env=env)
        data = {c["metadata"]["name"]: c["data"]["LOG_LEVEL"] for c in json.loads(check.stdout)["items"]
                if "LOG_LEVEL" in (c.get("data") or {})}
        edited_ok = all(data[f"app-{3 * (n % 333)}-config"].startswith("debug-") for n in range(edits))
        latencies.sort()
        print(json.dumps({
            "bench": "watch", "files": 1000, "edits": edits, "startup_reconcile_ms": startup_ms,
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max_ms": round(latencies[-1], 1), "idle_cpu_percent": round(idle_cpu, 2),
            "all_edits_in_cluster": edited_ok, "exit": proc.returncode,
        }))


if __name__ == "__main__":
    main()
