"""`kapply watch` as a real process on a temporary folder: the cluster follows the files.

Polls with deadlines (never fixed sleeps). The cluster uses a wall clock with a short pod
start-up so rollouts finish in well under a second.
"""

from __future__ import annotations

import json
import os
import shutil
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
    w = watcher(folder, "--prune", "--interval", "1s", "--prune-after", "0.3s")
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
    w = watcher(folder, "--prune", "--interval", "0.3s", "--prune-after", "0.3s")
    for i in range(5):
        write(other / f"c{i}.yaml", CONFIG.format(name=f"other-{i}"))
        assert w.kapply("apply", str(other)).returncode == 0
        write(folder / f"w{i}.yaml", CONFIG.format(name=f"watched-{i}"))
    w.until("all watched objects", lambda: all(w.get(f"cm/watched-{i}") is not None for i in range(5)))
    assert all(w.get(f"cm/other-{i}") is not None for i in range(5))  # not pruned by the watcher
    assert w.stop() == 0


CRASHED = {  # inputs that ended `kapply watch` (exit 3) before watch isolated files
    "string-matchLabels": DEPLOY.format(replicas=1, image="nginx:1").replace(
        "matchLabels:\n      app: web", 'matchLabels: "app=web"'),
    "4400-digit-integer": DEPLOY.format(replicas="9" * 4400, image="nginx:1"),
}


@pytest.mark.parametrize("name", sorted(CRASHED))
def test_a_file_that_crashed_the_watch_is_reported_and_the_watch_goes_on(
        watcher: Callable[..., Watcher], tmp_path: Path, name: str) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write(folder / "cfg.yaml", CONFIG.format(name="cfg"))
    w = watcher(folder, "--prune", "--interval", "0.5s", "--prune-after", "0.3s")
    write(folder / "web.yaml", CRASHED[name])
    w.until("the report", lambda: any(d["file"].endswith("web.yaml")
                                      for e in w.events() for d in e["diagnostics"]))
    write(folder / "other.yaml", CONFIG.format(name="other"))
    w.until("the other file applied", lambda: w.get("cm/other") is not None)
    assert w.proc.poll() is None and w.get("cm/cfg") is not None
    assert w.stop() == 0


def next_event(w: Watcher, trigger: str, after: int) -> dict[str, Any]:
    """The first `trigger` event logged after the first `after` events."""
    w.until(f"a {trigger} event", lambda: any(e["trigger"] == trigger for e in w.events()[after:]))
    return next(e for e in w.events()[after:] if e["trigger"] == trigger)


def uids(w: Watcher, *names: str) -> dict[str, str]:
    return {n: w.get(f"cm/{n}")["metadata"]["uid"] for n in names}


def refill(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text)


@pytest.mark.parametrize("how", ["rm-rf-and-re-create", "mv-away-and-back", "rsync-to-temp-then-rename"])
def test_a_folder_that_goes_is_followed_again_when_back(watcher: Callable[..., Watcher], tmp_path: Path,
                                                        how: str) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    files = {"a.yaml": CONFIG.format(name="a"), "b.yaml": CONFIG.format(name="b")}
    refill(folder, files)
    w = watcher(folder, "--prune", "--interval", "0.3s", "--prune-after", "0.5s")
    w.until("both applied", lambda: w.get("cm/a") is not None and w.get("cm/b") is not None)
    before = uids(w, "a", "b")
    if how == "mv-away-and-back":
        os.rename(folder, tmp_path / "away")
    else:
        shutil.rmtree(folder)
    seen, gone_at = len(w.events()), time.monotonic()
    while time.monotonic() - gone_at < 1.5:  # said on every interval, long past --prune-after
        event = next_event(w, "drift", seen)
        assert event["gone"] == [str(folder)] and not event["inSync"]
        seen = w.events().index(event) + 1
    assert uids(w, "a", "b") == before  # nothing pruned meanwhile
    assert w.kapply("diff", str(folder), "--prune").returncode == 2
    if how == "mv-away-and-back":
        os.rename(tmp_path / "away", folder)
    elif how == "rsync-to-temp-then-rename":
        staged = tmp_path / ".app.tmp"
        staged.mkdir()
        refill(staged, files)
        os.rename(staged, folder)
    else:
        folder.mkdir()
        refill(folder, files)
    w.until("back and in sync", lambda: any(e["inSync"] for e in w.events()[seen:]))
    seen = len(w.events())
    write(folder / "a.yaml", CONFIG.format(name="a").replace("value", "edited"))
    w.until("the edit applied", lambda: w.get("cm/a")["data"] == {"key": "edited"})
    w.until("the folder's new watch reporting the edit", lambda: any(  # not only the drift check's rescan
        e["trigger"] == "change" and any(f.endswith("a.yaml") for f in e["files"])
        for e in w.events()[seen:]))
    assert uids(w, "a", "b") == before  # never pruned and re-created
    assert all("pruned" not in " ".join(r["result"] for r in e["results"]) for e in w.events())
    assert w.stop() == 0


def test_watch_never_says_in_sync_when_diff_would_not(watcher: Callable[..., Watcher],
                                                       tmp_path: Path) -> None:
    folder, other = tmp_path / "app", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    service = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  type: NodePort\n"
               "  selector: {{app: x}}\n  ports: [{{port: 80, nodePort: 30111}}]\n")
    write(folder / "cfg.yaml", CONFIG.format(name="cfg"))
    w = watcher(folder, "--prune", "--interval", "0.3s", "--prune-after", "0.3s")

    def claim_and_diff() -> tuple[bool, int]:
        """A drift check that started after now, and `kapply diff` of the folder right after it."""
        event = next_event(w, "drift", len(w.events()))
        return event["inSync"], w.kapply("diff", str(folder), "--prune").returncode

    assert claim_and_diff() == (True, 0)
    (folder / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  x: [\n")
    assert claim_and_diff() == (False, 2)  # a broken file
    (folder / "bad.yaml").unlink()
    w.until("in sync again", lambda: claim_and_diff() == (True, 0))
    write(other / "svc.yaml", service.format(name="theirs"))
    assert w.kapply("apply", str(other)).returncode == 0
    write(folder / "svc.yaml", service.format(name="mine"))  # the cluster refuses it: port taken
    w.until("the refusal", lambda: any("already allocated" in json.dumps(e) for e in w.events()))
    assert claim_and_diff() == (False, 2)  # diff's dry run is refused too
    (folder / "svc.yaml").unlink()
    w.until("in sync again", lambda: claim_and_diff() == (True, 0))
    os.rename(folder, tmp_path / "away")  # the folder gone
    assert claim_and_diff() == (False, 2)
    os.rename(tmp_path / "away", folder)
    w.until("in sync again", lambda: claim_and_diff() == (True, 0))
    assert w.stop() == 0
