"""Benchmark: `kapply validate` on 2,000 files / 10,000 documents, end to end.

Prints one JSON line: documents/s, wall seconds, peak RSS of the kapply process, the same for
`kubernetes-validate --strict` on a sample of the files (if installed: `pip install
kubernetes-validate`), their ratio, and `kapply --help` latency.
Run: .venv/bin/python tests/bench/bench_validate.py
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_manifests import validate_corpus

BIN = Path(sys.executable).parent


def _run(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess[bytes]]:
    """Wall time and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) // 1024, proc


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        docs = validate_corpus(root)
        kapply = str(BIN / "kapply")
        _run([kapply, "validate", str(root / "team-0")])  # warm caches the way a CI re-run would
        wall, peak_mb, proc = _run([kapply, "validate", str(root), "-o", "json"])
        summary = json.loads(proc.stdout)["summary"]
        helps = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([kapply, "--help"], capture_output=True, check=True)
            helps.append(time.perf_counter() - start)
        result = {
            "bench": "validate", "documents": docs, "files": 2000, "seconds": round(wall, 3),
            "docs_per_s": round(docs / wall), "peak_mb": peak_mb, "exit": proc.returncode,
            "invalid": summary["invalid"], "help_s_median": round(statistics.median(helps), 3),
        }
        kv = shutil.which("kubernetes-validate", path=str(BIN)) or shutil.which("kubernetes-validate")
        if kv:
            sample = sorted(root.rglob("*.yaml"))[:40]  # 200 documents
            kv_wall, _, kv_proc = _run([kv, "--strict", "-k", "1.34.0", *map(str, sample)])
            kv_rate = 5 * len(sample) / kv_wall
            result.update({"kubernetes_validate_docs_per_s": round(kv_rate, 1),
                           "kubernetes_validate_exit": kv_proc.returncode,
                           "speedup": round(result["docs_per_s"] / kv_rate, 1)})
        print(json.dumps(result))
        if os.environ.get("KAPPLY_BENCH_SHOW"):
            sys.stderr.write(proc.stdout.decode()[-2000:])


if __name__ == "__main__":
    main()
