"""Migration 5: readiness scorecards — results per run, levels, scores, team roll-ups (issue 7).

Owned by the scorecards package: declare its tables here and its views in the SQL (replace the
placeholder view ``entity_levels`` created empty by migration 2 with ``CREATE OR REPLACE VIEW``,
keeping its columns ref, scorecard, level).
"""

from __future__ import annotations

from catalog.store.schema import Migration

MIGRATION = Migration(
    version=5,
    description="readiness scorecards: results, levels, scores, team roll-ups, history",
    sql="SELECT 1",
    tables=(),
)
