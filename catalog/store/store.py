"""The DuckDB store: the only place that opens the database for writing or issues DDL.

One process holds the file read-write. Inside it, one writer cursor does every write, serialised
by :attr:`Store.write_lock` (ingest loads, gap folding, scorecard runs); every reader gets its own
cursor from :meth:`Store.reader`, so it sees the last committed state, never blocks on a write in
progress, and a timeout interrupts only that cursor.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from catalog.errors import StoreError
from catalog.store.gaps import refresh_gap_episodes
from catalog.store.loading import ensure_row_hashes, replace_snapshot_table, to_arrow
from catalog.store.migrations import MIGRATIONS, SNAPSHOT_TABLES
from catalog.store.ownership import needs_refresh, refresh_ownership
from catalog.store.retention import Pruned, prune_history
from catalog.store.snapshot import Snapshot, copy_checkpointed, install_snapshot, snapshot_path

Columns = Mapping[str, Sequence[Any]]
"""A batch in columnar form: column name -> values, all the same length."""

SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """A read-write handle on one Steward database file.

    Opening it applies pending migrations; a file whose schema is newer than this code is
    refused, so an older Steward never corrupts data written by a newer one.
    """

    def __init__(self, path: Path | str, *, memory_limit: str | None = None) -> None:
        """``memory_limit``: DuckDB's (e.g. ``384MB``; None: DuckDB's default, 80% of RAM)."""
        self.path = Path(path)
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # No file access beyond the database itself: author SQL (scorecard `sql` checks)
            # runs on this connection too, and must not reach read_text('/etc/…') or COPY.
            settings: dict[str, str | bool | int | float | list[str]] = {
                "enable_external_access": False
            }
            if memory_limit is not None:
                settings["memory_limit"] = memory_limit
            self._db = duckdb.connect(str(self.path), config=settings)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        # The root connection only hands out cursors; queries never run on it, so creating a
        # reader's cursor never waits for a statement in progress.
        self._cursor_lock = threading.Lock()
        self._con = self._db.cursor()
        self.write_lock = threading.RLock()
        """Held by every write (and by the writer's own reads); readers never take it."""
        self._closed = False
        self._file_fd: int | None = None
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._cursor_lock:
            self._con.close()
            self._db.close()
            if self._file_fd is not None:
                os.close(self._file_fd)
                self._file_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The writer's cursor. Writes go through :meth:`transaction` (which holds the write
        lock); code that only reads, from any thread, uses :meth:`reader` instead."""
        return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the database for one reader; the caller closes it."""
        with self._cursor_lock:
            if self._closed:
                raise StoreError(f"database {self.path} is closed")
            return self._db.cursor()

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one read (or a few): sees the last committed state."""
        cur = self.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer's cursor inside one transaction, under the write lock.

        Committed when the block ends (rolled back instead with ``commit=False``, for dry
        runs, or on any exception)."""
        with self.write_lock:
            self._con.begin()
            try:
                yield self._con
            except BaseException:
                self._con.rollback()
                raise
            if commit:
                self._con.commit()
            else:
                self._con.rollback()

    # -- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self._con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _migrate(self) -> None:
        with self.write_lock:
            self._migrate_locked()

    def _migrate_locked(self) -> None:
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
        )
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema version {current}, newer than this Steward "
                f"understands ({SCHEMA_VERSION}); upgrade Steward or use another database file"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            self._con.begin()
            try:
                self._con.execute(MIGRATIONS[version - 1].statements())
                self._con.execute(
                    "INSERT INTO schema_version VALUES (?, ?)", [version, datetime.now(UTC)]
                )
                self._con.commit()
            except duckdb.Error as exc:
                self._con.rollback()
                raise StoreError(f"migration {version} failed on {self.path}: {exc}") from exc
        ensure_row_hashes(self._con, SNAPSHOT_TABLES.values())

    # -- runs ------------------------------------------------------------------------------
    def begin_run(self, source: str, source_type: str) -> int:
        with self.write_lock:
            row = self._con.execute("SELECT nextval('run_ids')").fetchone()
            assert row is not None
            run_id = int(row[0])
            self._con.execute(
                "INSERT INTO runs (run_id, source, source_type, started_at, status) "
                "VALUES (?, ?, ?, ?, 'running')",
                [run_id, source, source_type, datetime.now(UTC)],
            )
        return run_id

    def abandon_unfinished_runs(self) -> int:
        """Mark runs a previous process left ``running`` (it stopped mid-run) ``abandoned``.

        Only the process that holds the database writes, so none of them can still be going."""
        with self.write_lock:
            rows = self._con.execute(
                "UPDATE runs SET status = 'abandoned', finished_at = ?, "
                "message = 'the process stopped during this run; its snapshot was not stored' "
                "WHERE status = 'running' RETURNING run_id",
                [datetime.now(UTC)],
            ).fetchall()
        return len(rows)

    def empty_snapshot(self, table: str) -> Columns:
        """The columns of snapshot table ``table`` with no rows (a source that emitted none)."""
        found = SNAPSHOT_TABLES.get(table)
        if found is None:
            raise StoreError(f"unknown snapshot table {table}")
        return {name: [] for name in found.column_names}

    def last_fingerprint(self, source: str) -> str | None:
        """Fingerprint of the source's last successful run whose snapshot is in place."""
        with self.reader() as cur:
            row = cur.execute(
                "SELECT fingerprint FROM runs WHERE source = ? AND status IN ('ok', 'unchanged') "
                "ORDER BY run_id DESC LIMIT 1",
                [source],
            ).fetchone()
        return None if row is None else row[0]

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        fingerprint: str | None = None,
        record_counts: Mapping[str, int] | None = None,
        warning_count: int = 0,
        error_count: int = 0,
        message: str | None = None,
        snapshot: Mapping[str, Columns] | None = None,
    ) -> None:
        """Close a run; with ``snapshot``, replace the source's rows in the same transaction.

        ``snapshot`` maps every snapshot table the source owns to its complete new content;
        tables not named keep their rows (a source only replaces what it emits).
        """
        with self.reader() as cur:
            source_row = cur.execute(
                "SELECT source FROM runs WHERE run_id = ?", [run_id]
            ).fetchone()
        if source_row is None:
            raise StoreError(f"unknown run {run_id}")
        source = str(source_row[0])
        # Convert before taking the write lock: the lock is held only to load.
        batches = []
        for table_name, columns in (snapshot or {}).items():
            table = SNAPSHOT_TABLES.get(table_name)
            if table is None:
                raise StoreError(f"unknown snapshot table {table_name}")
            batches.append((table, to_arrow(table, columns)))
        with self.transaction() as con:
            changed = {
                table.name
                for table, arrow in batches
                if replace_snapshot_table(con, table, source, run_id, arrow)
            }
            if needs_refresh(con, changed):  # claims changed: ownership follows in this transaction
                refresh_ownership(con)
            con.execute(
                "UPDATE runs SET finished_at = ?, status = ?, fingerprint = ?, record_counts = ?,"
                " warning_count = ?, error_count = ?, message = ? WHERE run_id = ?",
                [
                    datetime.now(UTC),
                    status,
                    fingerprint,
                    json.dumps(dict(record_counts or {}), sort_keys=True),
                    warning_count,
                    error_count,
                    message,
                    run_id,
                ],
            )

    # -- derived history -------------------------------------------------------------------
    def refresh_gaps(
        self, *, stale_after_days: int | None = None, now: datetime | None = None
    ) -> int:
        """Fold the current ownership gaps into their episode history (after every ingest)."""
        with self.transaction() as con:
            return refresh_gap_episodes(con, now or datetime.now(UTC), stale_after_days)

    def prune_history(self, keep_days: int, *, now: datetime | None = None) -> Pruned:
        """Delete history older than ``keep_days`` (see ``catalog.store.retention``)."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
        with self.transaction() as con:
            return prune_history(con, list(SNAPSHOT_TABLES.values()), cutoff)

    # -- publishing ------------------------------------------------------------------------
    def publish_snapshot(self) -> Snapshot:
        """Write the read-only snapshot beside the database (see ``catalog.store.snapshot``).

        The write lock is held only while checkpointing and copying."""
        if str(self.path) == ":memory:":
            raise StoreError("an in-memory database has no snapshot")
        target = snapshot_path(self.path)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with self.write_lock:
            if self._file_fd is None:
                # Opened once and closed only after DuckDB: see copy_checkpointed.
                self._file_fd = os.open(self.path, os.O_RDONLY)
            try:
                copy_checkpointed(self._con, self.path, self._file_fd, tmp)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        return install_snapshot(tmp, target)
