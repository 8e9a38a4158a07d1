"""`kapply watch` as a real process on a temporary folder: the cluster follows the files.

Polls with deadlines (never fixed sleeps). The cluster uses a wall clock with a short pod
start-up so rollouts finish in well under a second.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

KAPPLY = str(Path(sys.executable).parent / "kapply")

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: {image}
          ports:
            - containerPort: 80
"""
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  key: value\n"


class Watcher:
    def __init__(self, home: Path, folder: Path, *extra: str) -> None:
        self.env = dict(os.environ, KAPPLY_HOME=str(home), NO_COLOR="1")
        self.log = folder.parent / "watch.log"
        self._out = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([KAPPLY, "watch", str(folder), "-o", "json", *extra],
                                     stdout=self._out, stderr=subprocess.STDOUT, env=self.env)

    def kapply(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([KAPPLY, *args], capture_output=True, text=True, env=self.env, timeout=60)

    def events(self) -> list[dict[str, Any]]:
        lines = self.log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def until(self, what: str, check: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            assert self.proc.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}\n--- watch log ---\n{self.log.read_text()}")

    def get(self, *args: str) -> Any:
        res = self.kapply("get", *args, "-o", "json")
        return json.loads(res.stdout) if res.returncode == 0 else None

    def replicas_ready(self, want: int) -> bool:
        d = self.get("deploy/web")
        return bool(d) and d["status"].get("readyReplicas") == want and d["status"].get("replicas") == want

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=20)
        self._out.close()
        return code


@pytest.fixture
def watcher(tmp_path: Path, kapply_home: Path) -> Iterator[Callable[..., Watcher]]:
    started: list[Watcher] = []
    subprocess.run([KAPPLY, "cluster", "create", "default", "--nodes", "2", "--pod-startup", "0.2s"],
                   check=True, capture_output=True, env=dict(os.environ, KAPPLY_HOME=str(kapply_home)))

    def start(folder: Path, *extra: str) -> Watcher:
        w = Watcher(kapply_home, folder, *extra)
        started.append(w)
        w.until("the start-up reconcile", lambda: any(e["trigger"] == "start" for e in w.events()))
        return w

    yield start
    for w in started:
        w.stop()


def write(path: Path, text: str) -> None:
    """Save like an editor does: write a temp file, then rename it over the original."""
    tmp = path.parent / f".{path.name}.tmp"
    tmp.write_text(text)
    os.replace(tmp, path)


def test_edits_flow_into_the_cluster(watcher: Callable[..., Watcher], tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write(folder / "web.yaml", DEPLOY.format(replicas=1, image="nginx:1.27"))
    write(folder / "cfg.yaml", CONFIG.format(name="cfg"))
    w = watcher(folder, "--prune", "--interval", "1s")
    w.until("1 ready replica", lambda: w.replicas_ready(1))

    write(folder / "web.yaml", DEPLOY.format(replicas=3, image="nginx:1.27"))
    w.until("3 ready replicas", lambda: w.replicas_ready(3))

    write(folder / "web.yaml", DEPLOY.format(replicas=3, image="nginx:1.28"))
    w.until("the rolling update", lambda: w.replicas_ready(3) and
            w.get("deploy/web")["status"].get("updatedReplicas") == 3 and
            w.get("deploy/web")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28")
    rs = w.get("rs")["items"]
    assert len(rs) == 2  # old and new ReplicaSet: it rolled, it was not recreated

    # a broken file keeps its objects; nothing is pruned
    (folder / "cfg.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  bad: [\n")
    w.until("the error report", lambda: any(e["diagnostics"] for e in w.events()))
    assert w.get("cm/cfg") is not None
    bad = next(e for e in w.events() if e["diagnostics"])
    assert bad["diagnostics"][0]["file"].endswith("cfg.yaml") and bad["diagnostics"][0]["line"] >= 1

    write(folder / "cfg.yaml", CONFIG.format(name="cfg2"))  # fixed, and renamed the object
    w.until("cfg pruned and cfg2 created", lambda: w.get("cm/cfg") is None and w.get("cm/cfg2") is not None)

    (folder / "cfg.yaml").unlink()
    w.until("cfg2 pruned", lambda: w.get("cm/cfg2") is None)
    assert w.get("deploy/web") is not None
    assert w.stop() == 0


def test_drift_is_healed(watcher: Callable[..., Watcher], tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write(folder / "web.yaml", DEPLOY.format(replicas=2, image="nginx:1.27"))
    w = watcher(folder, "--interval", "0.5s")
    w.until("2 ready replicas", lambda: w.replicas_ready(2))
    assert w.kapply("scale", "deploy/web", "--replicas", "5").returncode == 0
    w.until("drift reported", lambda: any(e["trigger"] == "drift" and e["drift"] for e in w.events()))
    w.until("replicas healed to 2", lambda: w.get("deploy/web")["spec"]["replicas"] == 2)
    healed = next(e for e in w.events() if e["trigger"] == "drift" and e["drift"])
    assert healed["healed"] and healed["drift"][0]["ref"] == "deployment.apps/web"


def test_no_self_heal_only_reports(watcher: Callable[..., Watcher], tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write(folder / "cfg.yaml", CONFIG.format(name="cfg"))
    w = watcher(folder, "--interval", "0.5s", "--no-self-heal")
    assert w.kapply("delete", "configmap", "cfg").returncode == 0
    w.until("drift reported", lambda: any(e["trigger"] == "drift" and e["drift"] for e in w.events()))
    assert w.get("cm/cfg") is None
    report = next(e for e in w.events() if e["drift"])
    assert report["healed"] is False


def test_empty_folder_is_not_pruned(watcher: Callable[..., Watcher], tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write(folder / "cfg.yaml", CONFIG.format(name="cfg"))
    w = watcher(folder, "--prune", "--interval", "30s")
    (folder / "cfg.yaml").unlink()
    w.until("the refusal", lambda: any("refusing to prune" in " ".join(e["errors"]) for e in w.events()))
    assert w.get("cm/cfg") is not None


def test_another_process_applying_meanwhile(watcher: Callable[..., Watcher], tmp_path: Path) -> None:
    folder, other = tmp_path / "app", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    write(folder / "cfg.yaml", CONFIG.format(name="watched"))
    w = watcher(folder, "--prune", "--interval", "0.3s")
    for i in range(5):
        write(other / f"c{i}.yaml", CONFIG.format(name=f"other-{i}"))
        assert w.kapply("apply", str(other)).returncode == 0
        write(folder / f"w{i}.yaml", CONFIG.format(name=f"watched-{i}"))
    w.until("all watched objects", lambda: all(w.get(f"cm/watched-{i}") is not None for i in range(5)))
    assert all(w.get(f"cm/other-{i}") is not None for i in range(5))  # not pruned by the watcher
    assert w.stop() == 0
