"""Real kubectl against a real `kapply serve` process: the harness of the kubectl end-to-end tests.

`Served` starts `kapply serve --port 0` on 127.0.0.1 with a temporary kubeconfig and KAPPLY_HOME,
reads its one line for the URL, and runs kubectl with that kubeconfig and a private HOME (so no
discovery cache is shared between tests). Tests using it skip with a reason when kubectl is not
installed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

KAPPLY = str(Path(sys.executable).parent / "kapply")


def kubectl_binaries() -> dict[str, str]:
    """{"default": path, "1.27": path, ...}: the kubectl on PATH and the versioned ones beside it."""
    found = shutil.which("kubectl")
    if not found:
        return {}
    out = {"default": found}
    for path in sorted(Path(os.path.realpath(found)).parent.glob("kubectl.1.*")):
        out[path.name.removeprefix("kubectl.")] = str(path)
    return out


def require_kubectl(version: str = "default") -> str:
    binary = kubectl_binaries().get(version)
    if binary is None:
        pytest.skip(f"kubectl {version} is not installed")
    return binary


@dataclass
class Result:
    code: int
    out: str
    err: str


class Served:
    """A `kapply serve` subprocess and a kubectl to talk to it."""

    def __init__(
        self,
        home: Path,
        cluster: str = "default",
        kubectl: str = "default",
        extra: tuple[str, ...] = (),
        setup: tuple[str, ...] = (),
    ) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.kubeconfig = home / "kubeconfig"
        self.kubectl_bin = require_kubectl(kubectl)
        self.env = dict(
            os.environ,
            KAPPLY_HOME=str(home / "kapply"),
            HOME=str(home),
            NO_COLOR="1",
            KUBECONFIG=str(self.kubeconfig),
            KUBECACHEDIR=str(home / "kube-cache"),
        )
        self.env.pop("KAPPLY_CLUSTER", None)
        if setup:  # e.g. `kapply cluster create NAME ...` before serving it
            done = subprocess.run([KAPPLY, *setup], capture_output=True, text=True, env=self.env, timeout=60)
            assert done.returncode == 0, f"kapply {' '.join(setup)}: {done.stderr}"
        self.log = open(home / "serve.log", "w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                KAPPLY,
                "serve",
                "--cluster",
                cluster,
                "--port",
                "0",
                "--kubeconfig",
                str(self.kubeconfig),
                *extra,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        self.line = ""
        while time.monotonic() < deadline:
            self.log.seek(0)
            self.line = self.log.readline()
            if self.line.endswith("\n") or self.proc.poll() is not None:
                break
            time.sleep(0.02)
        found = re.search(r"at (https?://\S+);", self.line)
        if not found:
            self.stop()
            raise AssertionError(f"kapply serve did not start: {self.output()}")
        self.url = found.group(1)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def kubectl(self, *args: str, input: str | None = None, timeout: float = 60) -> Result:
        proc = subprocess.run(
            [self.kubectl_bin, *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str, input: str | None = None, timeout: float = 60) -> str:
        res = self.kubectl(*args, input=input, timeout=timeout)
        assert res.code == 0, f"kubectl {' '.join(args)} failed ({res.code}): {res.err}{res.out}"
        return res.out

    def kapply(self, *args: str) -> Result:
        proc = subprocess.run([KAPPLY, *args], capture_output=True, text=True, env=self.env, timeout=60)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code
