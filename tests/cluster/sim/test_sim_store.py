"""The state file: format checks, changelog resume and compaction, concurrency, crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.protocol import ResourceExpiredError
from kapply.cluster.sim import store as store_module
from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.home import create_cluster, delete_cluster, open_cluster
from kapply.cluster.sim.settings import ClusterSettings
from kapply.cluster.sim.store import Store
from kapply.cluster.sim.testing import new_test_cluster
from kapply.errors import AlreadyExistsError, NotFoundError, StateError


def cm(name: str, value: str = "v") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": value}}


def test_foreign_text_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "default.db"
    path.write_text("my notes\n")
    with pytest.raises(StateError, match="not a kapply cluster state file"):
        open_cluster("default", home=tmp_path)
    assert path.read_text() == "my notes\n"


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StateError, match="another application's SQLite database"):
        open_cluster("other", home=tmp_path)
    assert path.read_bytes() == before
    with pytest.raises(StateError, match="--force"):
        delete_cluster("other", home=tmp_path)
    delete_cluster("other", home=tmp_path, force=True)
    assert not path.exists()


def test_corrupt_state_file_gets_a_clear_error(tmp_path: Path) -> None:
    c = new_test_cluster(tmp_path)
    for i in range(50):
        c.create(cm(f"c{i}", "x" * 500))
    c.close()
    path = tmp_path / "test.db"
    data = bytearray(path.read_bytes())
    for off in range(4096, len(data), 97):  # scribble over every page after the first
        data[off] = 0xFF
    path.write_bytes(bytes(data))
    Path(f"{path}-wal").unlink(missing_ok=True)
    with pytest.raises(StateError, match=r"corrupt state file|not a kapply"):
        reopened = SimCluster("test", Store.open(path), FakeClock())
        reopened.list("ConfigMap")


def test_newer_format_version_is_refused(tmp_path: Path) -> None:
    new_test_cluster(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "test.db")
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="state format version 99, this kapply reads version 1"):
        Store.open(tmp_path / "test.db")


def test_create_twice_and_missing_cluster(tmp_path: Path) -> None:
    create_cluster("a", ClusterSettings(manual_clock=True), home=tmp_path, clock=FakeClock())
    with pytest.raises(AlreadyExistsError, match='cluster "a" already exists'):
        create_cluster("a", home=tmp_path)
    with pytest.raises(NotFoundError, match='cluster "b" not found'):
        open_cluster("b", home=tmp_path)


def test_first_use_creates_default_with_one_node(tmp_path: Path) -> None:
    c = open_cluster(home=tmp_path, clock=FakeClock())
    assert c.name == "default" and c.settings.nodes == 1
    assert (tmp_path / "default.db").exists()


def test_watch_resumes_from_resource_version(cluster: SimCluster) -> None:
    rv = cluster.resource_version()
    cluster.create(cm("a"))
    obj = cluster.get("ConfigMap", "default", "a")
    obj["data"] = {"k": "2"}
    cluster.update(obj)
    cluster.delete("ConfigMap", "default", "a")
    events = list(cluster.watch("ConfigMap", "default", resource_version=rv))
    assert [(e.type, e.object["data"]["k"]) for e in events] == [("ADDED", "v"), ("MODIFIED", "2"),
                                                                  ("DELETED", "2")]
    rvs = [int(e.object["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs)
    later = list(cluster.watch("ConfigMap", "default", resource_version=str(rvs[1])))
    assert [e.type for e in later] == ["DELETED"]


def test_changelog_is_compacted(cluster: SimCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "CHANGELOG_KEEP", 10)
    from kapply.cluster.sim import cluster as cluster_module
    monkeypatch.setattr(cluster_module, "CHANGELOG_KEEP", 10)
    with cluster.session() as rt:
        for i in range(40):
            rt.api.create(cm(f"c{i}"))
    assert len(cluster.store.changes_since(0)) <= 10
    with pytest.raises(ResourceExpiredError, match=r"too old resource version: 1 \(\d+\)"):
        list(cluster.watch("ConfigMap", resource_version="1"))


_WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from kapply.cluster.sim.clock import FakeClock
    from kapply.cluster.sim.cluster import SimCluster
    from kapply.cluster.sim.store import Store
    from kapply.errors import ConflictError

    c = SimCluster("test", Store.open(Path(sys.argv[1])), FakeClock())
    for _ in range(int(sys.argv[2])):
        with c.session() as rt:
            obj = dict(rt.api.get("ConfigMap", "default", "counter"))
            obj["data"] = {"n": str(int(obj["data"]["n"]) + 1)}
            obj["metadata"] = dict(obj["metadata"])
            rt.api.update(obj)
""")


def test_two_processes_never_lose_updates(tmp_path: Path) -> None:
    c = new_test_cluster(tmp_path)
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "counter"}, "data": {"n": "0"}})
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path / "test.db"), "40"])
             for _ in range(2)]
    for _ in range(20):  # this process writes too, with its cache kept between sessions
        with c.session() as rt:
            obj = dict(rt.api.get("ConfigMap", "default", "counter"))
            obj["data"] = {"n": str(int(obj["data"]["n"]) + 1)}
            obj["metadata"] = dict(obj["metadata"])
            rt.api.update(obj)
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert c.get("ConfigMap", "default", "counter")["data"]["n"] == "100"
    check = sqlite3.connect(tmp_path / "test.db").execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)


_KILLED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from kapply.cluster.sim.clock import FakeClock
    from kapply.cluster.sim.cluster import SimCluster
    from kapply.cluster.sim.store import Store

    c = SimCluster("test", Store.open(Path(sys.argv[1])), FakeClock())
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "committed"}})
    with c.session() as rt:
        for i in range(500):
            rt.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"lost-{i}"}})
        c.store.write_batch(*rt.api.journal.rows(), [], [])  # rows written, transaction still open
        print("inside", flush=True)
        time.sleep(60)
""")


def test_killed_process_leaves_last_committed_state(tmp_path: Path) -> None:
    c = new_test_cluster(tmp_path)
    script = tmp_path / "killed.py"
    script.write_text(_KILLED)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "test.db")],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "inside"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    names = [o["metadata"]["name"] for o in c.list("ConfigMap", "default")]
    assert names == ["committed"]
    c.create(cm("after"))  # the cluster is usable, the lock is gone
    assert sqlite3.connect(tmp_path / "test.db").execute("PRAGMA integrity_check").fetchone() == ("ok",)


_FIRST_USE = textwrap.dedent("""
    import sys
    from kapply.cluster.sim.home import open_cluster
    c = open_cluster("default", home=sys.argv[1])
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": sys.argv[2]}})
""")


def test_processes_racing_to_create_default_all_see_a_complete_cluster(tmp_path: Path) -> None:
    script = tmp_path / "first.py"
    script.write_text(_FIRST_USE)
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path / "home"), f"cm{i}"],
                              stderr=subprocess.PIPE, text=True) for i in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    c = open_cluster("default", home=tmp_path / "home", clock=FakeClock())
    assert [o["metadata"]["name"] for o in c.list("ConfigMap", "default")] == ["cm0", "cm1", "cm2", "cm3"]
    assert not [p.name for p in (tmp_path / "home").iterdir() if p.name.endswith(".tmp")]


def test_watch_follows_writes_of_another_process(tmp_path: Path) -> None:
    import threading

    c = new_test_cluster(tmp_path)
    rv = c.resource_version()
    other = SimCluster("test", Store.open(tmp_path / "test.db"), c.clock)
    writer = threading.Timer(0.2, lambda: other.create(cm("late")))
    writer.start()
    seen = []
    for event in c.watch("ConfigMap", "default", resource_version=rv, timeout_seconds=1.0):
        seen.append((event.type, event.object["metadata"]["name"]))
        break
    writer.join()
    assert seen == [("ADDED", "late")]


def test_watch_from_now_lists_current_objects_first(cluster: SimCluster) -> None:
    cluster.create(cm("a"))
    events = list(cluster.watch("ConfigMap", "default"))
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [("ADDED", "a")]
