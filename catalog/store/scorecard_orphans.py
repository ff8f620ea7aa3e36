"""Rows of unfinished scorecard runs: found and deleted before the next run.

A scorecard run writes its results in two transactions committed one after the other (half
of the checks each, so that DuckDB compresses the two halves on both cores), then levels,
scores, checks, exemptions and last the ``scorecard_runs`` row in a third. A run exists for a
reader only through that row: every view and reader of the history tables joins
``scorecard_runs`` or takes its run ids from ``scorecard_check_rows``, written in the same
transaction. A process killed between those commits leaves result rows whose run id has no
``scorecard_runs`` row; nothing reads them, and the next run deletes them before it starts
(under the write lock, so no run of this process is live; no other process holds the file).
"""

from __future__ import annotations

import duckdb

from catalog.store.retention import SCORECARD_ROW_TABLES


def unfinished_scorecard_runs(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Run ids that have rows in a history table but no ``scorecard_runs`` row."""
    union = " UNION ".join(f"SELECT DISTINCT run_id FROM {t}" for t in SCORECARD_ROW_TABLES)
    rows = con.execute(
        f"SELECT run_id FROM ({union}) WHERE run_id NOT IN (SELECT run_id FROM scorecard_runs) "
        "ORDER BY 1"
    ).fetchall()
    return [int(r[0]) for r in rows]


def delete_unfinished_scorecard_runs(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Delete every row of the unfinished runs in one transaction of ``con`` (the writer's
    cursor, outside a transaction, under the write lock); returns their run ids."""
    orphans = unfinished_scorecard_runs(con)
    if not orphans:
        return orphans
    con.begin()
    try:
        for table in SCORECARD_ROW_TABLES:
            con.execute(f"DELETE FROM {table} WHERE list_contains(?, run_id)", [orphans])
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return orphans
