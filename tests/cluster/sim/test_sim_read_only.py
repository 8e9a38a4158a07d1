"""A state file kapply may not write: reads catch up in memory, writes say read-only, and SQLite's
failures are named for what they are (never "corrupt" for a healthy file)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kapply.cluster.sim import store as store_module
from kapply.cluster.sim import storefile
from kapply.cluster.sim.clock import FakeClock
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.home import create_cluster, kapply_home, open_cluster
from kapply.cluster.sim.settings import ClusterSettings
from kapply.cluster.sim.store import Store
from kapply.errors import ClusterError, ReadOnlyError, StateError, UsageError


def replica_set(replicas: int = 2) -> dict[str, Any]:
    labels = {"app": "web"}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def phases(cluster: SimCluster) -> list[str]:
    return sorted(p["status"]["phase"] for p in cluster.list("Pod", "default"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def read_only(tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> SimCluster:
    """A wall-clock cluster with pods starting, then reopened as a process that may not write."""
    writer = create_cluster("ro", ClusterSettings(nodes=1), home=tmp_path, clock=clock)
    writer.create(replica_set())
    writer.close()
    clock.advance(30)  # the pods' start-up timers are due now
    monkeypatch.setattr(store_module, "writable", lambda path: False)
    return open_cluster("ro", home=tmp_path, clock=clock)


def test_reads_catch_up_in_memory_and_the_file_is_untouched(read_only: SimCluster, tmp_path: Path) -> None:
    before = (tmp_path / "ro.db").read_bytes()
    assert read_only.store.read_only
    assert phases(read_only) == ["Running", "Running"]  # caught up to now, in memory
    status = read_only.get("ReplicaSet", "default", "web")["status"]
    assert status["readyReplicas"] == 2
    assert read_only.info()["counts"]["Pod"] == 2 and read_only.info()["readOnly"] is True
    read_only.close()
    assert (tmp_path / "ro.db").read_bytes() == before  # the file's clock lags until a write
    committed = Store.open(tmp_path / "ro.db", read_only=True)
    assert {p["status"]["phase"] for p in committed.list("Pod", "default")} == {"Pending"}
    committed.close()


@pytest.mark.parametrize("write", [
    lambda c: c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
    lambda c: c.patch("ReplicaSet", "default", "web", {"spec": {"replicas": 3}}, patch_type="merge"),
    lambda c: c.delete("ReplicaSet", "default", "web"),
    lambda c: c.advance(5),
    lambda c: c.advance_until_idle(),
    lambda c: c.update_settings(image_faults={}),
])
def test_writes_say_read_only(read_only: SimCluster, write: Any) -> None:
    with pytest.raises(ReadOnlyError) as caught:
        write(read_only)
    message = str(caught.value)
    assert message.startswith(f"state file {read_only.store.path} is read-only")
    assert "corrupt" not in message and "delete" not in message
    assert len(read_only.list("Pod", "default")) == 2  # nothing changed, reads still work


def test_dry_runs_work_on_a_read_only_file(read_only: SimCluster) -> None:
    created = read_only.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}},
                               dry_run=True)
    assert created["metadata"]["name"] == "x"
    with read_only.session(dry_run=True) as rt:  # how diff and apply --dry-run check a plan
        rt.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"}})
    assert read_only.list("ConfigMap", "default") == []


def test_an_idle_read_only_cluster_reads_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    create_cluster("idle", ClusterSettings(manual_clock=True), home=tmp_path).close()
    monkeypatch.setattr(store_module, "writable", lambda path: False)
    cluster = open_cluster("idle", home=tmp_path)
    assert [n["metadata"]["name"] for n in cluster.list("Node")] == ["minikube"]
    assert cluster._detached_runtime is None  # nothing was due: no catch-up was needed


def test_read_only_folder_cannot_take_a_new_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module.os, "access", lambda path, mode: False)
    with pytest.raises(StateError, match=r"cannot create the state file .*default\.db: .* is read-only"):
        open_cluster("default", home=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_kapply_home_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.write_text("")
    monkeypatch.setenv("KAPPLY_HOME", str(home))
    with pytest.raises(UsageError, match=rf"^KAPPLY_HOME {home} is a file, not a folder"):
        kapply_home()


def _sqlite_error(name: str, text: str,
                  kind: type[sqlite3.Error] = sqlite3.OperationalError) -> sqlite3.Error:
    exc = kind(text)
    exc.sqlite_errorname = name  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize(("error", "kind", "words"), [
    (_sqlite_error("SQLITE_READONLY", "attempt to write a readonly database"), ReadOnlyError, "is read-only"),
    (_sqlite_error("SQLITE_READONLY_DIRECTORY", "attempt to write a readonly database"), ReadOnlyError,
     "is read-only"),
    (_sqlite_error("SQLITE_FULL", "database or disk is full"), StateError, "the disk is full"),
    (_sqlite_error("SQLITE_CANTOPEN", "unable to open database file"), StateError, "can be read"),
    (_sqlite_error("SQLITE_IOERR_SHORT_READ", "disk I/O error"), StateError, "can be read"),
    (_sqlite_error("SQLITE_BUSY", "database is locked"), ClusterError, "is busy"),
])
def test_a_healthy_file_is_never_called_corrupt(error: sqlite3.Error, kind: type, words: str) -> None:
    found = storefile.classify(Path("/k/default.db"), error)
    assert type(found) is kind and words in str(found)
    assert "corrupt" not in str(found) and "--force" not in str(found)


@pytest.mark.parametrize("error", [
    _sqlite_error("SQLITE_CORRUPT", "database disk image is malformed", sqlite3.DatabaseError),
    _sqlite_error("SQLITE_NOTADB", "file is not a database", sqlite3.DatabaseError),
])
def test_a_corrupt_file_is_called_corrupt(error: sqlite3.Error) -> None:
    found = storefile.classify(Path("/k/default.db"), error)
    assert "corrupt state file" in str(found) and "`kapply cluster delete default --force`" in str(found)
