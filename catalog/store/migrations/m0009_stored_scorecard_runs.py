"""Migration 9: a scorecard run is visible only through its ``scorecard_runs`` row (issue 15).

A run writes its results in two transactions committed before the one that writes its checks,
levels, scores, exemptions and run row (``scorecards.engine``); a process killed between them
leaves rows under a run id that has no ``scorecard_runs`` row, deleted by the next run
(``catalog.store.scorecard_orphans``). Every view already joined ``scorecard_runs`` except
``_scorecard_latest``, which took each scorecard's latest run from ``scorecard_check_rows``
alone: it now reads ``_scorecard_checks``, the check rows of stored runs, which readers outside
SQL (the API, the gate, retention) use too. No public view changes shape.
"""

from __future__ import annotations

from catalog.store.schema import Migration

_SQL = """
CREATE VIEW _scorecard_checks AS
SELECT c.* FROM scorecard_check_rows c WHERE c.run_id IN (SELECT run_id FROM scorecard_runs);

CREATE OR REPLACE VIEW _scorecard_latest AS
SELECT scorecard, max(run_id) AS run_id FROM _scorecard_checks GROUP BY scorecard;
"""

MIGRATION = Migration(
    version=9,
    description="scorecard runs visible only through their scorecard_runs row",
    sql=_SQL,
)
