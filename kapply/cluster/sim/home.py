"""Where embedded clusters live and their lifecycle: create, open, delete, list.

One SQLite file per cluster under `$KAPPLY_HOME` (default `~/.kapply`). Creating a cluster
writes its settings, the standard namespaces, its Nodes (`nodes.make_nodes`), the `kubernetes`
Service and the default StorageClass (`standard`, as minikube's); the first use of `default`
creates it with one node so nothing needs setting up.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from kapply.cluster.sim.clock import SystemClock, WallClock
from kapply.cluster.sim.cluster import SimCluster
from kapply.cluster.sim.nodes import check_node_count
from kapply.cluster.sim.settings import ClusterSettings
from kapply.cluster.sim.store import Store
from kapply.errors import AlreadyExistsError, NotFoundError, StateError, UsageError

DEFAULT_CLUSTER = "default"
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def kapply_home(home: str | Path | None = None) -> Path:
    """`home`, else $KAPPLY_HOME, else ~/.kapply; UsageError if it exists and is not a folder."""
    env = os.environ.get("KAPPLY_HOME")
    root = Path(home) if home is not None else Path(env) if env else Path.home() / ".kapply"
    if root.exists() and not root.is_dir():
        what = "KAPPLY_HOME" if home is None and env else "the kapply home"
        raise UsageError(f"{what} {root} is a file, not a folder: kapply keeps one state file per cluster "
                         "there (point KAPPLY_HOME at a folder)")
    return root


def state_path(name: str, home: str | Path | None = None) -> Path:
    """The state file of cluster `name` (the name is checked first)."""
    if not _NAME.match(name) or len(name) > 63:
        raise UsageError(f'invalid cluster name "{name}": a lowercase RFC 1123 label must consist of lower '
                         "case alphanumeric characters or '-', and must start and end with an "
                         "alphanumeric character")
    return kapply_home(home) / f"{name}.db"


def list_clusters(home: str | Path | None = None) -> list[str]:
    """Names of the clusters under the home directory."""
    root = kapply_home(home)
    if not root.is_dir():
        return []
    return sorted(p.stem for p in root.glob("*.db") if _NAME.match(p.stem))


def create_cluster(name: str, settings: ClusterSettings | None = None, home: str | Path | None = None,
                   clock: WallClock | None = None) -> SimCluster:
    """Create a new cluster; AlreadyExistsError if it exists."""
    settings = settings or ClusterSettings()
    check_node_count(settings.nodes)
    path = state_path(name, home)
    if path.exists():
        raise AlreadyExistsError(f'cluster "{name}" already exists')
    clock = clock or SystemClock()
    wall = clock.time()
    meta = {"settings": settings.to_dict(), "offset": 0.0, "now": wall, "created": wall, "epoch": 0}
    try:
        store = Store.create(path, meta, lambda building: _bootstrap(SimCluster(name, building, clock),
                                                                     settings))
    except StateError:
        if path.exists():
            raise AlreadyExistsError(f'cluster "{name}" already exists') from None
        raise
    return SimCluster(name, store, clock)


def _bootstrap(cluster: SimCluster, settings: ClusterSettings) -> None:
    with cluster.session() as rt:
        api = rt.api
        for ns in SYSTEM_NAMESPACES:
            api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, validate=False)
        nodes = _optional("kapply.cluster.sim.nodes", "make_nodes")
        node_objs: list[dict[str, Any]] = list(nodes(settings)) if nodes else []
        for node in node_objs:
            api.create(node, validate=False)
        make_class = _optional("kapply.cluster.sim.storage.classes", "make_default_storage_class")
        if make_class is not None:
            api.create(make_class(), validate=False)
        make_svc = _optional("kapply.cluster.sim.services", "make_kubernetes_service")
        if make_svc is not None:
            api.create(make_svc(settings), validate=False)
        make_eps = _optional("kapply.cluster.sim.services", "make_kubernetes_endpoints")
        if make_eps is not None:
            addresses = (node_objs[0].get("status") or {}).get("addresses") or [] if node_objs else []
            ip = next((a["address"] for a in addresses if a.get("type") == "InternalIP"), "192.168.49.2")
            api.create(make_eps(ip), validate=False)
            make_slice = _optional("kapply.cluster.sim.services", "make_kubernetes_endpointslice")
            if make_slice is not None:
                api.create(make_slice(ip), validate=False)


def _optional(module: str, attr: str) -> Any:
    import importlib

    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def open_cluster(name: str = DEFAULT_CLUSTER, home: str | Path | None = None,
                 clock: WallClock | None = None) -> SimCluster:
    """Open a cluster and catch it up to now; `default` is created on first use."""
    path = state_path(name, home)
    if not path.exists():
        if name != DEFAULT_CLUSTER:
            raise NotFoundError(f'cluster "{name}" not found (create it with `kapply cluster create {name}`)')
        try:
            return create_cluster(name, ClusterSettings(), home, clock)
        except AlreadyExistsError:
            pass  # another process created it just now
    cluster = SimCluster(name, Store.open(path), clock)
    cluster.catch_up()
    return cluster


def delete_cluster(name: str, home: str | Path | None = None, force: bool = False) -> None:
    """Delete a cluster's state; a file that is not a kapply state file needs `force`."""
    path = state_path(name, home)
    if not path.exists():
        raise NotFoundError(f'cluster "{name}" not found')
    if not force:
        Store.open(path).close()  # a file kapply cannot read: its StateError says to add --force
    if not os.access(path.parent, os.W_OK):
        raise StateError(f'cannot delete cluster "{name}": {path.parent} is read-only')
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    except OSError as exc:
        raise StateError(f'cannot delete cluster "{name}": {exc.strerror or exc}: {exc.filename}') from None
