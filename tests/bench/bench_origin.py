"""Benchmark: what a run pays to know its source (repository identity and paths).

Prints one JSON line: milliseconds of `origin_of` for a folder of a repository with a remote
(read from the git config; first call and cached), of a repository without a remote (one
`git rev-list` process), and outside git.
Run: .venv/bin/python tests/bench/bench_origin.py
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from kapply.load import origin


def _ms(paths: list[str], repeat: int = 1, clear: bool = True) -> float:
    if clear:
        origin._identity.cache_clear()
    start = time.perf_counter()
    for _ in range(repeat):
        origin.origin_of(paths)
    return round((time.perf_counter() - start) * 1000 / repeat, 3)


def main() -> None:
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_AUTHOR_NAME="b", GIT_COMMITTER_NAME="b",
               GIT_AUTHOR_EMAIL="b@example.com", GIT_COMMITTER_EMAIL="b@example.com")
    with tempfile.TemporaryDirectory() as tmp:
        remote, local, plain = Path(tmp, "remote"), Path(tmp, "local"), Path(tmp, "plain")
        for root in (remote, local, plain):
            (root / "k8s").mkdir(parents=True)
        for root in (remote, local):
            subprocess.run(["git", "init", "-q"], cwd=root, env=env, check=True)
            subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=root, env=env, check=True)
        subprocess.run(["git", "remote", "add", "origin", "git@github.com:org/app.git"], cwd=remote, env=env,
                       check=True)
        print(json.dumps({
            "bench": "origin",
            "with_remote_ms": _ms([str(remote / "k8s")]),
            "with_remote_cached_ms": _ms([str(remote / "k8s")], repeat=1000, clear=False),
            "root_commit_ms": _ms([str(local / "k8s")]),
            "outside_git_ms": _ms([str(plain / "k8s")]),
        }))


if __name__ == "__main__":
    main()
