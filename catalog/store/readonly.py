"""Read-only SQL for platform leads: one SELECT, no external access, a timeout and a row cap."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from catalog.errors import QueryRefused, StoreError

DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


def check_readonly(sql: str) -> None:
    """Refuse anything but exactly one SELECT statement (CTEs included)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot parse query: {exc}") from exc
    if len(statements) != 1:
        raise QueryRefused(f"exactly one statement is allowed, got {len(statements)}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise QueryRefused(
            f"only read-only SELECT queries are allowed; this is a {kind.name} statement"
        )


def connect_readonly(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not db_path.exists():
        raise StoreError(f"no database at {db_path}; run 'steward ingest' first")
    try:
        return duckdb.connect(
            str(db_path), read_only=True, config={"enable_external_access": False}
        )
    except duckdb.Error as exc:
        raise StoreError(f"cannot open database {db_path} read-only: {exc}") from exc


def run_readonly_query(
    source: Path | duckdb.DuckDBPyConnection,
    sql: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> QueryResult:
    """Check and run ``sql`` on ``source``: a cursor of the caller's own (``Store.reader()``,
    whose timeout then interrupts only that cursor) or a database file opened read-only."""
    check_readonly(sql)
    if not isinstance(source, Path):
        return execute_capped(source, sql, max_rows=max_rows, timeout_seconds=timeout_seconds)
    con = connect_readonly(source)
    try:
        return execute_capped(con, sql, max_rows=max_rows, timeout_seconds=timeout_seconds)
    finally:
        con.close()


def execute_capped(
    con: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int, timeout_seconds: float
) -> QueryResult:
    """Run an already-checked query, interrupting it after ``timeout_seconds``.

    ``con`` must be a cursor used by this call alone: the timeout interrupts it."""
    timer = threading.Timer(timeout_seconds, con.interrupt)
    timer.start()
    try:
        cursor = con.execute(sql)
        rows = cursor.fetchmany(max_rows + 1)
        columns = [d[0] for d in cursor.description or []]
    except duckdb.InterruptException as exc:
        raise QueryRefused(f"query exceeded the {timeout_seconds:g} s timeout") from exc
    except duckdb.Error as exc:
        raise QueryRefused(f"query failed: {exc}") from exc
    finally:
        timer.cancel()
    return QueryResult(columns=columns, rows=rows[:max_rows], truncated=len(rows) > max_rows)
