"""History retention (``history.keep_days``): what is older than the cutoff is deleted.

* ingest runs that finished before the cutoff, except each source's latest good run (its
  fingerprint and "last seen" time) and runs that first stored a row still current;
* snapshot rows that stopped being current (``valid_to``) in a run that finished before it;
* scorecard runs started before it, except each scorecard's latest run, with their results,
  scores, checks and exemptions;
* gap episodes closed before it.

Everything runs in the caller's transaction, one set-based statement per table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from catalog.store.schema import SnapshotTable

SCORECARD_ROW_TABLES = (
    "scorecard_check_rows",
    "scorecard_result_rows",
    "scorecard_entity_rows",
    "scorecard_exemption_rows",
)


@dataclass(frozen=True)
class Pruned:
    runs: int
    snapshot_rows: int
    scorecard_runs: int
    scorecard_rows: int
    gap_episodes: int


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> int:
    return len(con.execute(sql, params).fetchall())


def prune_history(
    con: duckdb.DuckDBPyConnection, tables: list[SnapshotTable], cutoff: datetime
) -> Pruned:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _old_runs AS SELECT run_id FROM runs "
        "WHERE status <> 'running' AND coalesce(finished_at, started_at) < ?",
        [cutoff],
    )
    snapshot_rows = sum(
        _count(
            con,
            f"DELETE FROM {t.name} WHERE valid_to IN (SELECT run_id FROM _old_runs) RETURNING 1",
            [],
        )
        for t in tables
    )
    still_needed = " UNION ".join(
        f"SELECT DISTINCT valid_from FROM {t.name} WHERE valid_to IS NULL" for t in tables
    )
    runs = _count(
        con,
        "DELETE FROM runs WHERE run_id IN (SELECT run_id FROM _old_runs) "
        "AND run_id NOT IN (SELECT max(run_id) FROM runs WHERE status IN ('ok', 'unchanged') "
        f"GROUP BY source) AND run_id NOT IN ({still_needed}) RETURNING 1",
        [],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _old_scorecard_runs AS SELECT run_id FROM scorecard_runs "
        "WHERE started_at < ? AND run_id NOT IN "
        "(SELECT run_id FROM _scorecard_latest)",
        [cutoff],
    )
    scorecard_rows = sum(
        _count(
            con,
            f"DELETE FROM {table} WHERE run_id IN (SELECT run_id FROM _old_scorecard_runs) "
            "RETURNING 1",
            [],
        )
        for table in SCORECARD_ROW_TABLES
    )
    scorecard_runs = _count(
        con,
        "DELETE FROM scorecard_runs WHERE run_id IN (SELECT run_id FROM _old_scorecard_runs) "
        "RETURNING 1",
        [],
    )
    gap_episodes = _count(con, "DELETE FROM gap_episodes WHERE closed_at < ? RETURNING 1", [cutoff])
    con.execute("DROP TABLE _old_runs")
    con.execute("DROP TABLE _old_scorecard_runs")
    return Pruned(runs, snapshot_rows, scorecard_runs, scorecard_rows, gap_episodes)
