"""The scorecard engine's scratch space: TEMP tables of the writer's connection.

A run fills and empties them inside its transaction (see ``scorecards.engine``). As TEMP tables
they live in memory beside the connection and are never written to the database file: the run
neither compresses nor checkpoints its ~50,000 scope rows, levels and ~300,000 dependency edges
at L (about 0.3 CPU-s of ``steward scorecard run``), and an ingest's reader never sees them.

Migration 5 created tables of the same names in the file (all but ``_sc_dep_exempt``; its
``_sc_dep_edges`` has an ``exempt`` column these do not need); they stay there, empty (dropping
them would need a migration of its own). On the connection that runs this DDL the TEMP tables
take precedence over them: DuckDB resolves an unqualified name in ``temp`` before ``main``.
"""

from __future__ import annotations

import duckdb

SCRATCH_TABLES = (
    "_sc_scope",
    "_sc_exemptions",
    "_sc_levels",
    "_sc_dep_edges",
    "_sc_dep_exempt",
    "_sc_checks",
)

_DDL = """
CREATE TEMP TABLE IF NOT EXISTS _sc_scope (
  scorecard VARCHAR, ref VARCHAR, kind VARCHAR, owner VARCHAR, lifecycle VARCHAR,
  tags VARCHAR[], facts JSON[], source VARCHAR, stale VARCHAR
);
CREATE TEMP TABLE IF NOT EXISTS _sc_exemptions (
  idx INTEGER, entity VARCHAR, owner VARCHAR, scorecard VARCHAR, check_id VARCHAR,
  reason VARCHAR, expires DATE, file VARCHAR, line INTEGER
);
CREATE TEMP TABLE IF NOT EXISTS _sc_levels (
  scorecard VARCHAR, ref VARCHAR, bad_from INTEGER
);
-- one edge set per scorecard, relations and target scorecard (check_id: its first check's)
CREATE TEMP TABLE IF NOT EXISTS _sc_dep_edges (
  scorecard VARCHAR, check_id VARCHAR, ref VARCHAR, dependency VARCHAR
);
-- the entities for which a dependency check is exempt (they do not pull the entity down)
CREATE TEMP TABLE IF NOT EXISTS _sc_dep_exempt (
  scorecard VARCHAR, check_id VARCHAR, ref VARCHAR
);
CREATE TEMP TABLE IF NOT EXISTS _sc_checks (
  scorecard VARCHAR, scorecard_title VARCHAR, check_id VARCHAR, title VARCHAR, type VARCHAR,
  level VARCHAR, level_rank INTEGER, weight DOUBLE, levels VARCHAR[],
  dep_scorecard VARCHAR, dep_rank INTEGER
);
"""


def create_scorecard_scratch(con: duckdb.DuckDBPyConnection) -> None:
    """Create the scratch tables on ``con`` (the writer's cursor) unless it has them already.

    Call it outside a transaction: a dry run rolls its transaction back, and the tables must
    outlive it."""
    con.execute(_DDL)
