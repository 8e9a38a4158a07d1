"""Benchmark: server-side apply and managedFields on the embedded cluster.

Prints one JSON line: CPU milliseconds per object of a server-side apply that creates 300
Deployments, of re-applying them unchanged (no writes), of a server-side apply changing one field
of each, and the cost managedFields tracking adds to a plain create (the same creates untracked).
CPU time, not wall time, so a busy machine moves the figures less.
Run: .venv/bin/python tests/bench/bench_ssa.py [OBJECTS]
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from gen_manifests import deployment

from kapply.cluster.sim.testing import new_test_cluster


def _ms_each(seconds: float, count: int) -> float:
    return round(seconds * 1000 / count, 3)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    objs: list[dict[str, Any]] = [yaml.safe_load(deployment(i)) for i in range(count)]
    with tempfile.TemporaryDirectory() as tmp:
        untracked = new_test_cluster(Path(tmp) / "a")
        start = time.process_time()
        with untracked.session() as rt:
            for obj in objs:
                rt.api.create(copy.deepcopy(obj))
            plain = time.process_time() - start
        tracked = new_test_cluster(Path(tmp) / "b")
        start = time.process_time()
        with tracked.session() as rt:
            for obj in objs:
                rt.api.create(copy.deepcopy(obj), manager="kapply")
            recorded = time.process_time() - start
        cluster = new_test_cluster(Path(tmp) / "c")
        start = time.process_time()
        with cluster.session() as rt:
            for obj in objs:
                rt.api.apply(copy.deepcopy(obj), "kapply")
            first = time.process_time() - start
        cluster.advance_until_idle()
        rv = cluster.resource_version()
        start = time.process_time()
        with cluster.session() as rt:
            for obj in objs:
                rt.api.apply(copy.deepcopy(obj), "kapply")
        again = time.process_time() - start
        writes = int(cluster.resource_version()) - int(rv)
        changed = []
        for obj in objs:
            obj = copy.deepcopy(obj)
            obj["spec"]["template"]["metadata"].setdefault("annotations", {})["bench"] = "1"
            changed.append(obj)
        start = time.process_time()
        with cluster.session() as rt:
            for obj in changed:
                rt.api.apply(obj, "kapply")
            change = time.process_time() - start
    print(json.dumps({
        "bench": "ssa", "objects": count,
        "create_untracked_ms": _ms_each(plain, count), "create_tracked_ms": _ms_each(recorded, count),
        "apply_create_ms": _ms_each(first, count), "apply_noop_ms": _ms_each(again, count),
        "apply_noop_writes": writes, "apply_change_ms": _ms_each(change, count),
    }))


if __name__ == "__main__":
    main()
