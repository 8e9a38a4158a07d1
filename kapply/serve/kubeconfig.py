"""The kubeconfig entry of a served cluster, merged as minikube and kind merge theirs.

A cluster, a user and a context all named `kapply-NAME` go into the file kubectl would use (the
first file of `$KUBECONFIG`, else `~/.kube/config`), replacing entries of those names and keeping
every other one, and the context becomes the current one. The write is atomic (a temporary file
renamed over the old one, mode 0600) and holds kubectl's own lock file (`<file>.lock`) meanwhile,
so a concurrent `kubectl config` never interleaves. A file that is not a kubeconfig is refused,
never overwritten.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kapply.errors import KapplyError

LOCK_WAIT = 5.0  # seconds to wait for another writer's lock file


class KubeconfigError(KapplyError):
    """The kubeconfig cannot be read or written (not YAML, not a Config, permissions)."""

    exit_code = 2


@dataclass(frozen=True)
class Entry:
    name: str  # cluster, user and context name: kapply-NAME
    server: str  # http://127.0.0.1:6443
    ca_data: str = ""  # base64 PEM of the CA, with TLS
    token: str = ""  # bearer token, with TLS
    namespace: str = "default"


def default_path(environ: dict[str, str] | None = None) -> Path:
    """The file kubectl writes to: the first of $KUBECONFIG, else ~/.kube/config."""
    env = os.environ if environ is None else environ
    for part in env.get("KUBECONFIG", "").split(os.pathsep):
        if part:
            return Path(part).expanduser()
    return Path.home() / ".kube" / "config"


def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise KubeconfigError(f"cannot read kubeconfig {path}: {exc.strerror or exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KubeconfigError(
            f"{path} is not a kubeconfig (YAML error: {exc}); not touching it".replace("\n", " ")
        ) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict) or doc.get("kind", "Config") != "Config":
        raise KubeconfigError(f"{path} is not a kubeconfig (no kind: Config mapping); not touching it")
    for section in ("clusters", "users", "contexts"):
        if not isinstance(doc.get(section) or [], list):
            raise KubeconfigError(f"{path} is not a kubeconfig ({section} is not a list); not touching it")
    return doc


def _replace(items: list[Any], name: str, value: dict[str, Any]) -> list[Any]:
    kept = [i for i in items if not (isinstance(i, dict) and i.get("name") == name)]
    return [*kept, value]


def merged(doc: dict[str, Any], entry: Entry, make_current: bool = True) -> dict[str, Any]:
    """`doc` with the entry's cluster, user and context (pure: `doc` is not changed)."""
    out = dict(doc)
    out.setdefault("apiVersion", "v1")
    out.setdefault("kind", "Config")
    cluster: dict[str, Any] = {"server": entry.server}
    if entry.ca_data:
        cluster["certificate-authority-data"] = entry.ca_data
    user: dict[str, Any] = {"token": entry.token} if entry.token else {}
    context = {"cluster": entry.name, "user": entry.name, "namespace": entry.namespace}
    out["clusters"] = _replace(
        list(doc.get("clusters") or []), entry.name, {"name": entry.name, "cluster": cluster}
    )
    out["users"] = _replace(list(doc.get("users") or []), entry.name, {"name": entry.name, "user": user})
    out["contexts"] = _replace(
        list(doc.get("contexts") or []), entry.name, {"name": entry.name, "context": context}
    )
    if make_current:
        out["current-context"] = entry.name
    out.setdefault("preferences", {})
    return out


def write_entry(path: Path, entry: Entry) -> None:
    """Merge the entry into the kubeconfig at `path` (created if absent) and make it current."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = Path(f"{path}.lock")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise KubeconfigError(
                    f"{lock} exists: another program is writing the kubeconfig (remove "
                    "the lock file if none is)"
                ) from None
            time.sleep(0.05)
        except OSError as exc:
            raise KubeconfigError(f"cannot write kubeconfig {path}: {exc.strerror or exc}") from None
    try:
        os.close(fd)
        doc = merged(_load(path), entry)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", opener=lambda p, flags: os.open(p, flags, 0o600)) as fh:
                yaml.safe_dump(doc, fh, sort_keys=False, default_flow_style=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise KubeconfigError(f"cannot write kubeconfig {path}: {exc.strerror or exc}") from None
    finally:
        lock.unlink(missing_ok=True)
