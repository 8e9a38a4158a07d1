"""The SQLite state file of one embedded cluster: objects, changelog, timers, metadata.

One file per cluster (`$KAPPLY_HOME/<name>.db`), WAL mode. Every write batch runs inside
`BEGIN IMMEDIATE` (one writer at a time, a busy timeout for the others), so two kapply processes
never interleave and a killed process leaves the last committed state. The runtime batches a whole
catch-up into one transaction: the cache holds the working state and `write_batch` receives only
the final rows. A file that is not ours (no SQLite header, another application id, no format
marker) raises StateError and is never written to.

A state file kapply may not write (the file or its folder read-only, a read-only mount) is opened
read-only: reads work, `transaction()` raises ReadOnlyError, and no SQLite error is ever reported
as corruption unless SQLite says the file is corrupt (`storefile.classify`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kapply.cluster.sim.codec import loads
from kapply.cluster.sim.storefile import classify, connect, state_error, writable
from kapply.errors import ReadOnlyError, StateError

FORMAT = "kapply-sim-state"
SCHEMA_VERSION = 1
APPLICATION_ID = 0x6B61706C  # "kapl"
CHANGELOG_KEEP = 10_000  # rows kept after compaction; older resourceVersions are "too old"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE objects (
    kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    grp TEXT NOT NULL, uid TEXT NOT NULL, rv INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (kind, namespace, name));
CREATE TABLE changelog (
    rv INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL,
    namespace TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE timers (
    controller TEXT NOT NULL, key TEXT NOT NULL, due REAL NOT NULL,
    PRIMARY KEY (controller, key));
CREATE INDEX timers_due ON timers (due);
"""

_SQLITE_HEADER = b"SQLite format 3\x00"

Row = tuple[str, str, str, str, str, int, str]  # kind, namespace, name, grp, uid, rv, json
TimerRow = tuple[float, str, str]  # due, controller, key


class Store:
    """Open state file; all SQL of the embedded cluster lives here."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool = False) -> None:
        self.path = path
        self._conn = conn
        self._in_tx = False
        self.read_only = read_only

    # ---- lifecycle -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, meta: dict[str, Any],
               init: Callable[[Store], None] | None = None) -> Store:
        """Create a new state file atomically, after `init` filled it; StateError if it exists.

        The file is built under a temporary name and linked into place only when complete, so
        another process never sees a half-created cluster and an existing file is never replaced.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create the folder {path.parent} for the state file: "
                             f"{exc.strerror or exc}") from None
        if not os.access(path.parent, os.W_OK):
            raise StateError(f"cannot create the state file {path}: {path.parent} is read-only")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            conn = connect(tmp)
            try:
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # first: expired events give space back
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(_SCHEMA)
                rows = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "rv": 0, "changelog_floor": 0,
                        **meta}
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO meta VALUES (?, ?)",
                                 [(k, json.dumps(v)) for k, v in rows.items()])
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error as exc:  # a read-only or full file system: not a kapply bug
            for suffix in ("", "-wal", "-shm"):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
            raise StateError(f"{path}: cannot create the state file ({exc})") from None
        try:
            if init is not None:
                building = cls.open(tmp)
                try:
                    init(building)
                finally:
                    building.close()
            os.link(tmp, path)  # atomic, never replaces an existing file
        except FileExistsError:
            raise StateError(f"{path} already exists") from None
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        return cls.open(path)

    @classmethod
    def open(cls, path: Path, read_only: bool | None = None) -> Store:
        """Open and check an existing state file (read-only when this process may not write it)."""
        try:
            with path.open("rb") as fh:
                header = fh.read(16)
        except FileNotFoundError:
            raise StateError(f"{path} does not exist") from None
        except IsADirectoryError:
            raise StateError(f"{path} is a directory, not a kapply cluster state file") from None
        if header != _SQLITE_HEADER:
            raise state_error(path, "not a kapply cluster state file (not an SQLite database)")
        if read_only is None:
            read_only = not writable(path)
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(path, read_only)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                conn.close()
                raise state_error(path, "not a kapply cluster state file (another application's "
                                        "SQLite database)")
            if not read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA journal_size_limit = 67108864")  # trim the WAL after big batches
            rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                                     "('format', 'schema_version')").fetchall())
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise classify(path, exc) from exc
        if json.loads(rows.get("format", "null")) != FORMAT:
            conn.close()
            raise state_error(path, "not a kapply cluster state file (no format marker)")
        version = json.loads(rows.get("schema_version", "0"))
        if version != SCHEMA_VERSION:
            conn.close()
            raise state_error(path, f"state format version {version}, this kapply reads version "
                                    f"{SCHEMA_VERSION}")
        return cls(path, conn, read_only)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # ---- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error); not re-entrant. ReadOnlyError when the
        file cannot be written."""
        if self.read_only:
            raise ReadOnlyError(self.path)
        with self._errors():
            self._conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self._in_tx = False
            with self._errors():
                self._conn.execute("ROLLBACK")
            raise
        self._in_tx = False
        with self._errors():
            self._conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: consistent reads without taking the write lock; whatever happens
        inside is rolled back (sessions that must not write run in one)."""
        if self._in_tx:
            yield
            return
        with self._errors():
            self._conn.execute("BEGIN")
        self._in_tx = True
        try:
            yield
        finally:
            self._in_tx = False
            with self._errors():
                self._conn.execute("ROLLBACK")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise classify(self.path, exc) from exc

    # ---- reads -----------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        """All metadata (settings, rv, clock)."""
        with self._errors():
            rows = self._conn.execute("SELECT key, value FROM meta").fetchall()
        return {k: json.loads(v) for k, v in rows}

    def min_due(self, exclude: Iterable[str] = ()) -> float | None:
        """The earliest timer (one indexed query), optionally ignoring some controllers (a
        `*suffix` entry ignores every controller whose name ends so)."""
        names = tuple(e for e in exclude if not e.startswith("*"))
        suffixes = tuple("%" + e[1:] for e in exclude if e.startswith("*"))
        sql = "SELECT min(due) FROM timers"
        if names or suffixes:
            where = ["controller NOT IN (" + ",".join("?" * len(names)) + ")"] if names else []
            where += ["controller NOT LIKE ?"] * len(suffixes)
            sql = "SELECT due FROM timers WHERE " + " AND ".join(where) + " ORDER BY due LIMIT 1"
        with self._errors():
            row = self._conn.execute(sql, (*names, *suffixes)).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """One object by key, straight from the file."""
        with self._errors():
            row = self._conn.execute("SELECT data FROM objects WHERE kind=? AND namespace=? AND name=?",
                                     (kind, namespace, name)).fetchone()
        return None if row is None else loads(row[0])

    def list(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Objects of a kind (in one namespace or all), in namespace/name order."""
        with self._errors():
            if namespace is None:
                rows = self._conn.execute("SELECT data FROM objects WHERE kind=? ORDER BY namespace, name",
                                          (kind,)).fetchall()
            else:
                rows = self._conn.execute("SELECT data FROM objects WHERE kind=? AND namespace=? "
                                          "ORDER BY name", (kind, namespace)).fetchall()
        return [loads(r[0]) for r in rows]

    def names(self, kind: str, namespace: str | None = None) -> list[tuple[str, str]]:
        """(namespace, name) of the objects of a kind, without decoding them."""
        with self._errors():
            if namespace is None:
                rows = self._conn.execute("SELECT namespace, name FROM objects WHERE kind=? "
                                          "ORDER BY namespace, name", (kind,)).fetchall()
            else:
                rows = self._conn.execute("SELECT namespace, name FROM objects WHERE kind=? AND namespace=? "
                                          "ORDER BY name", (kind, namespace)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def with_prefix(self, kind: str, namespace: str, prefix: str) -> list[dict[str, Any]]:
        """Objects whose name starts with `prefix` (an indexed range scan): an object's events."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        with self._errors():
            rows = self._conn.execute("SELECT data FROM objects WHERE kind=? AND namespace=? AND name >= ? "
                                      "AND name < ? ORDER BY name",
                                      (kind, namespace, prefix, upper)).fetchall()
        return [loads(r[0]) for r in rows]

    def all_objects(self, exclude: tuple[str, ...] = ()) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every object as (kind, obj), for loading the cache (minus the lazily loaded kinds)."""
        sql = "SELECT kind, data FROM objects"
        if exclude:
            sql += " WHERE kind NOT IN (" + ",".join("?" * len(exclude)) + ")"
        with self._errors():
            rows = self._conn.execute(sql + " ORDER BY kind, namespace, name", exclude).fetchall()
        for kind, data in rows:
            yield kind, loads(data)

    def counts(self) -> dict[str, int]:
        """Number of objects per kind."""
        with self._errors():
            return dict(self._conn.execute("SELECT kind, count(*) FROM objects GROUP BY kind").fetchall())

    def timer_count(self) -> int:
        """Number of pending timers."""
        with self._errors():
            return int(self._conn.execute("SELECT count(*) FROM timers").fetchone()[0])

    def timers(self) -> list[TimerRow]:
        """Every pending timer."""
        with self._errors():
            return [(float(d), c, k) for c, k, d in
                    self._conn.execute("SELECT controller, key, due FROM timers").fetchall()]

    def changes_since(self, rv: int, kind: str | None = None, namespace: str | None = None,
                      limit: int = 0) -> list[tuple[int, str, str, dict[str, Any]]]:
        """Changelog records after `rv` as (rv, type, kind, obj), oldest first (at most `limit`)."""
        sql = "SELECT rv, type, kind, data FROM changelog WHERE rv > ?"
        args: list[Any] = [rv]
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        if namespace is not None:
            sql += " AND namespace = ?"
            args.append(namespace)
        sql += " ORDER BY rv"
        if limit > 0:
            sql += " LIMIT ?"
            args.append(limit)
        with self._errors():
            rows = self._conn.execute(sql, args).fetchall()
        return [(r, t, k, loads(d)) for r, t, k, d in rows]

    def page(self, kind: str, namespace: str | None, after: tuple[str, str] | None,
             limit: int) -> list[dict[str, Any]]:
        """Up to `limit` objects of a kind after the (namespace, name) key, in key order (an
        index range scan: a page of a long list decodes only its own rows)."""
        where, args = _key_range(kind, namespace, after)
        with self._errors():
            rows = self._conn.execute(f"SELECT data FROM objects WHERE {where} ORDER BY namespace, name "
                                      "LIMIT ?", [*args, limit]).fetchall()
        return [loads(r[0]) for r in rows]

    def count_after(self, kind: str, namespace: str | None, after: tuple[str, str] | None) -> int:
        """How many objects of a kind sort after the (namespace, name) key."""
        where, args = _key_range(kind, namespace, after)
        with self._errors():
            return int(self._conn.execute(f"SELECT count(*) FROM objects WHERE {where}", args).fetchone()[0])

    def data_version(self) -> int:
        """SQLite's data_version: changes whenever another connection commits to the file."""
        with self._errors():
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    # ---- writes (inside transaction()) -------------------------------------------------------

    def set_meta(self, values: dict[str, Any]) -> None:
        """Upsert metadata keys."""
        with self._errors():
            self._conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                   [(k, json.dumps(v)) for k, v in values.items()])

    def write_batch(self, upserts: list[Row], deletes: list[tuple[str, str, str]],
                    changelog: list[tuple[int, str, str, str, str, str]],
                    timers_set: list[tuple[str, str, float]], timers_del: list[tuple[str, str]]) -> None:
        """Apply the final state of one catch-up/command in the current transaction."""
        with self._errors():
            c = self._conn
            if deletes:
                c.executemany("DELETE FROM objects WHERE kind=? AND namespace=? AND name=?", deletes)
            if upserts:
                c.executemany("INSERT OR REPLACE INTO objects (kind, namespace, name, grp, uid, rv, data) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", upserts)
            if changelog:
                c.executemany("INSERT INTO changelog (rv, type, kind, namespace, name, data) "
                              "VALUES (?, ?, ?, ?, ?, ?)", changelog)
            if timers_del:
                c.executemany("DELETE FROM timers WHERE controller=? AND key=?", timers_del)
            if timers_set:
                c.executemany("INSERT OR REPLACE INTO timers (controller, key, due) VALUES (?, ?, ?)",
                              timers_set)

    def reclaim(self) -> None:
        """Return free pages to the file system (after big deletions); outside a transaction.

        executescript steps the pragma to completion (execute() would free a single page).
        """
        if self._in_tx:
            return
        with self._errors():
            self._conn.executescript("PRAGMA incremental_vacuum;")

    def compact(self, last_rv: int, keep: int = CHANGELOG_KEEP) -> int:
        """Drop changelog rows beyond the newest `keep`; returns the new floor rv."""
        floor = max(0, last_rv - keep)
        with self._errors():
            self._conn.execute("DELETE FROM changelog WHERE rv <= ?", (floor,))
        return floor


def _key_range(kind: str, namespace: str | None, after: tuple[str, str] | None) -> tuple[str, list[Any]]:
    """The WHERE clause (and its arguments) of a kind's objects, in a namespace or all, after a key."""
    where, args = "kind = ?", [kind]
    if namespace is not None:
        where += " AND namespace = ?"
        args.append(namespace)
    if after is not None:
        where += " AND (namespace, name) > (?, ?)"
        args.extend(after)
    return where, args
