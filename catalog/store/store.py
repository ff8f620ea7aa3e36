"""The DuckDB store: the only place that opens the database for writing or issues DDL."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from catalog.errors import StoreError
from catalog.store.gaps import refresh_gap_episodes
from catalog.store.loading import ensure_row_hashes, replace_snapshot_table
from catalog.store.migrations import MIGRATIONS, SNAPSHOT_TABLES

Columns = Mapping[str, Sequence[Any]]
"""A batch in columnar form: column name -> values, all the same length."""

SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """A read-write handle on one Steward database file.

    Opening it applies pending migrations; a file whose schema is newer than this code is
    refused, so an older Steward never corrupts data written by a newer one.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # No file access beyond the database itself: author SQL (scorecard `sql` checks)
            # runs on this connection too, and must not reach read_text('/etc/…') or COPY.
            self._con = duckdb.connect(str(self.path), config={"enable_external_access": False})
        except duckdb.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        self._migrate()

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self._con.close()

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
        """The underlying connection, for read queries by other packages in this process."""
        return self._con

    # -- schema ----------------------------------------------------------------------------
    def schema_version(self) -> int:
        row = self._con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _migrate(self) -> None:
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
        )
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            self._con.close()
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
        row = self._con.execute("SELECT nextval('run_ids')").fetchone()
        assert row is not None
        run_id = int(row[0])
        self._con.execute(
            "INSERT INTO runs (run_id, source, source_type, started_at, status) "
            "VALUES (?, ?, ?, ?, 'running')",
            [run_id, source, source_type, datetime.now(UTC)],
        )
        return run_id

    def last_fingerprint(self, source: str) -> str | None:
        """Fingerprint of the source's last successful run whose snapshot is in place."""
        row = self._con.execute(
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
        source_row = self._con.execute(
            "SELECT source FROM runs WHERE run_id = ?", [run_id]
        ).fetchone()
        if source_row is None:
            raise StoreError(f"unknown run {run_id}")
        source = str(source_row[0])
        self._con.begin()
        try:
            for table_name, columns in (snapshot or {}).items():
                table = SNAPSHOT_TABLES.get(table_name)
                if table is None:
                    raise StoreError(f"unknown snapshot table {table_name}")
                replace_snapshot_table(self._con, table, source, run_id, columns)
            self._con.execute(
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
            self._con.commit()
        except BaseException:
            self._con.rollback()
            raise

    # -- derived history -------------------------------------------------------------------
    def refresh_gaps(
        self, *, stale_after_days: int | None = None, now: datetime | None = None
    ) -> int:
        """Fold the current ownership gaps into their episode history (after every ingest)."""
        self._con.begin()
        try:
            open_gaps = refresh_gap_episodes(self._con, now or datetime.now(UTC), stale_after_days)
            self._con.commit()
        except BaseException:
            self._con.rollback()
            raise
        return open_gaps
