"""Writes hidden inside a SELECT (a data-modifying CTE) are refused, and whatever a query does on
a read-write connection is rolled back (issue 12: the SQL guard; issue 15 item 7)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from catalog.errors import QueryRefused
from catalog.sqlguard import _execute, check_query, run_query


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("CREATE TABLE t AS SELECT range AS a FROM range(3)")
    return connection


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "DELETE"),
        ("WITH x AS (INSERT INTO t VALUES (9) RETURNING *) SELECT 1", "INSERT"),
        ("WITH x AS (UPDATE t SET a = 0 RETURNING a) SELECT count(*) FROM x", "UPDATE"),
        ("SELECT * FROM (WITH y AS (DELETE FROM t RETURNING *) SELECT * FROM y)", "DELETE"),
        ("SELECT 1 UNION ALL (WITH y AS (DELETE FROM t RETURNING a) SELECT a FROM y)", "DELETE"),
    ],
)
def test_a_write_inside_a_select_is_refused(
    con: duckdb.DuckDBPyConnection, sql: str, what: str
) -> None:
    with pytest.raises(QueryRefused, match=f"holds a {what} statement"):
        run_query(con, sql, max_rows=10, timeout_seconds=5)
    assert con.execute("SELECT count(*), sum(a) FROM t").fetchall() == [(3, 3)]


@pytest.mark.parametrize(
    "sql",
    [
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT * FROM r",
        "WITH x AS MATERIALIZED (SELECT a FROM t) SELECT * FROM x",
        "SELECT a FROM t EXCEPT SELECT 1",
    ],
)
def test_reads_with_ctes_and_set_operations_still_run(
    con: duckdb.DuckDBPyConnection, sql: str
) -> None:
    check_query(sql)
    assert run_query(con, sql, max_rows=10, timeout_seconds=5).rows


def test_whatever_runs_is_rolled_back(con: duckdb.DuckDBPyConnection) -> None:
    # _execute is what runs after the checks: even a write that got past them is not kept
    cursor = con.cursor()
    result = _execute(
        cursor,
        "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
        max_rows=10,
        timeout_seconds=5,
    )
    assert len(result.rows) == 3
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(3,)]
    # the cursor is usable afterwards (no transaction left open)
    assert _execute(cursor, "SELECT 1", max_rows=1, timeout_seconds=5).rows == [(1,)]
