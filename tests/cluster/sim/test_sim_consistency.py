"""Property: two handles on one cluster (as two processes) always agree with the state file.

Random interleavings of creates, updates, deletes, refused writes, dry runs and clock advances
through either handle; after each step both handles' views (their caches, when loaded) equal a
fresh read of the file. This exercises changelog replay, lazy loading and rollback paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapply.cluster.sim import cluster as cluster_module
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.store import Store
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import ClusterError

NAMES = ["a", "b", "c"]
OPS = st.lists(st.tuples(st.sampled_from(["create", "update", "delete", "dry", "bad", "advance", "read"]),
                         st.sampled_from(NAMES), st.integers(0, 1)), min_size=1, max_size=25)


def cm(name: str, value: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": value}}


def snapshot(objs: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    return {o["metadata"]["name"]: (o["metadata"]["resourceVersion"], o["data"]["v"]) for o in objs}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_two_handles_agree_with_the_file(tmp_path_factory: Any, ops: list[tuple[str, str, int]]) -> None:
    check(tmp_path_factory.mktemp("consistency"), ops)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_two_handles_agree_with_a_tiny_changelog(tmp_path_factory: Any, monkeypatch: Any,
                                                 ops: list[tuple[str, str, int]]) -> None:
    monkeypatch.setattr(cluster_module, "CHANGELOG_KEEP", 2)  # replay falls back to full reloads
    check(tmp_path_factory.mktemp("compacted"), ops)


def check(home: Path, ops: list[tuple[str, str, int]]) -> None:
    first = new_test_cluster(home)
    handles = [first, SimCluster("test", Store.open(home / "test.db"), first.clock)]
    for step, (op, name, which) in enumerate(ops):
        c = handles[which]
        try:
            if op == "create":
                c.create(cm(name, str(step)))
            elif op == "update":
                obj = c.get("ConfigMap", "default", name)
                obj["data"] = {"v": str(step)}
                c.update(obj)
            elif op == "delete":
                c.delete("ConfigMap", "default", name)
            elif op == "dry":
                c.create(cm(name + "-dry", "x"), dry_run=True)
            elif op == "bad":
                c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name,
                                                                                   "namespace": "nope"}})
            elif op == "advance":
                c.advance(30)
            else:
                c.list("ConfigMap", "default")
        except ClusterError:
            pass
        truth = snapshot(Store.open(home / "test.db").list("ConfigMap", "default"))
        for h in handles:
            assert snapshot(h.list("ConfigMap", "default")) == truth
            if h._cache is not None and h._epoch == int(h.store.meta().get("epoch", 0)):
                assert snapshot(h._cache.list("ConfigMap", "default")) == truth
