"""Opening a state file with SQLite, and naming SQLite's failures for a user.

`connect` opens read-write, or read-only for a process that may not write the file (`writable`);
`classify` turns an sqlite3 error into the KapplyError a user sees, by SQLite's result code, so
a read-only file, a full disk or a busy file is never reported as corruption. `store.py` holds
everything else.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from kapply.errors import ClusterError, KapplyError, ReadOnlyError, StateError

BUSY_TIMEOUT = 30.0


def writable(path: Path) -> bool:
    """Whether this process may write the state file and create its journal files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    target, uri = str(path), False
    if read_only:
        # mode=ro needs a -shm beside the file: a read-only folder cannot get one, and a writable
        # one would keep it, read-only, after the file is made writable again. With no journal
        # content (-wal absent or empty) the file alone is the state: read it immutable, without
        # locks (a process writing it meanwhile is not seen; kapply's reads are short).
        wal = Path(f"{path}-wal")
        journal = wal.exists() and wal.stat().st_size > 0
        target, uri = path.resolve().as_uri() + ("?mode=ro" if journal else "?immutable=1"), True
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False,
                           uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    return conn


def state_error(path: Path, why: str) -> StateError:
    """A file that is not (or no longer) a usable kapply state file: the advice includes --force."""
    return StateError(f"{path}: {why}; refusing to use it (move it away, or `kapply cluster delete "
                      f"{path.stem} --force` if it is a broken kapply cluster)")


def classify(path: Path, exc: sqlite3.Error) -> KapplyError:
    """The error a user sees for an SQLite failure, by SQLite's own result code.

    Only what the file holds (SQLITE_CORRUPT, SQLITE_NOTADB, rows that do not decode, a schema
    that is not ours) calls it corrupt and suggests deleting it; a read-only file, a full disk or
    an unreadable folder says so, and the file stays as it is.
    """
    code = getattr(exc, "sqlite_errorname", "") or ""
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return ClusterError(f"cluster state {path} is busy: another kapply process held it for more than "
                            f"{BUSY_TIMEOUT:.0f}s")
    if code.startswith("SQLITE_READONLY") or code == "SQLITE_PERM":
        return ReadOnlyError(path)
    if code == "SQLITE_FULL":
        return StateError(f"cannot write state file {path}: the disk is full; nothing was written")
    if code.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_AUTH")):
        return StateError(f"cannot use state file {path} ({exc}): check that the file and its folder "
                          "can be read (and written, for commands that change the cluster)")
    return state_error(path, f"corrupt state file ({exc})")  # SQLITE_CORRUPT, NOTADB, undecodable data
