"""Read-only SQL for platform leads: the store's entry points over :mod:`catalog.sqlguard`
(one SELECT, no external access, configuration locked, a timeout and a row cap)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from catalog.sqlguard import QueryResult, check_query, connect_readonly, run_query

DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT_SECONDS = 30.0

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT_SECONDS",
    "QueryResult",
    "check_readonly",
    "connect_readonly",
    "execute_capped",
    "run_readonly_query",
]


def check_readonly(sql: str) -> None:
    """Refuse anything but exactly one read-only SELECT statement (CTEs included)."""
    check_query(sql)


def run_readonly_query(
    source: Path | duckdb.DuckDBPyConnection,
    sql: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> QueryResult:
    """Check and run ``sql`` on ``source``: a connection or cursor (``Store.reader()``; the
    query gets a cursor of its own, which the timeout interrupts) or a database file opened
    read-only."""
    check_query(sql)
    if not isinstance(source, Path):
        return run_query(source, sql, max_rows=max_rows, timeout_seconds=timeout_seconds)
    con = connect_readonly(source)
    try:
        return run_query(con, sql, max_rows=max_rows, timeout_seconds=timeout_seconds)
    finally:
        con.close()


def execute_capped(
    con: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int, timeout_seconds: float
) -> QueryResult:
    """Check and run ``sql`` on its own cursor of ``con``, interrupted after the timeout."""
    return run_query(con, sql, max_rows=max_rows, timeout_seconds=timeout_seconds)
