"""Benchmark (issue 9): `kapply serve` start-up to the first answered request (< 1 s).

Spawns `kapply serve --port 0` on an existing cluster and times until its line is printed and
until a discovery request (`/api`, what kubectl asks first) is answered; best of five, with
bytecode compiled as a pip install has it. Prints one JSON line.
Run: .venv/bin/python tests/bench/bench_serve_startup.py
"""

from __future__ import annotations

import compileall
import json
import tempfile
import time
import urllib.request
from pathlib import Path

from serving import Server

import kapply
from kapply.cluster.sim import open_cluster


def main() -> None:
    compileall.compile_dir(str(Path(kapply.__file__).parent), quiet=1)
    lines, answers = [], []
    with tempfile.TemporaryDirectory() as tmp:
        open_cluster("default", home=Path(tmp)).close()
        for _ in range(5):
            server = Server(Path(tmp))
            lines.append(time.perf_counter() - server.started)
            with urllib.request.urlopen(f"{server.url}/api") as resp:
                resp.read()
            answers.append(time.perf_counter() - server.started)
            server.stop()
    print(
        json.dumps(
            {
                "bench": "serve_startup",
                "to_line_s": round(min(lines), 3),
                "to_first_answer_s": round(min(answers), 3),
                "worst_s": round(max(answers), 3),
                "target_s": 1.0,
            }
        )
    )


if __name__ == "__main__":
    main()
