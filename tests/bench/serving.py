"""What the `kapply serve` benchmarks share: a real `kapply serve --port 0` process on a
cluster under a temporary KAPPLY_HOME, its URL, and a kubectl that talks to it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

KAPPLY = str(Path(sys.executable).parent / "kapply")


class Server:
    def __init__(self, home: Path, cluster: str = "default") -> None:
        self.home = home
        self.kubeconfig = home / "kubeconfig"
        self.env = dict(os.environ, KAPPLY_HOME=str(home), HOME=str(home), KUBECONFIG=str(self.kubeconfig))
        self.log = open(home / "serve.log", "w+")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [KAPPLY, "serve", "--cluster", cluster, "--port", "0"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        self.url = ""
        while time.perf_counter() - self.started < 60:
            self.log.seek(0)
            found = re.search(r"at (http://\S+);", self.log.read())
            if found:
                self.url = found.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.005)
        raise RuntimeError(f"kapply serve did not start: {self.log.read()}")

    def kubectl(self, *args: str) -> subprocess.CompletedProcess[str]:
        binary = shutil.which("kubectl")
        if binary is None:
            raise SystemExit("kubectl is not installed")
        return subprocess.run([binary, *args], capture_output=True, text=True, env=self.env, check=True)

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (from /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()
