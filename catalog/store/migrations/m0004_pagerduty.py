"""Migration 4: PagerDuty services, teams, escalation policies, schedules, users, on-calls (issue 5).

Owned by the pagerduty source: declare its snapshot tables here and put its views in the SQL
(replace the placeholder views `_gaps_pagerduty`, `_oncall_claims`, `entity_oncall` created empty by migration 2 with
`CREATE OR REPLACE VIEW`).
"""

from __future__ import annotations

from catalog.store.schema import Migration

MIGRATION = Migration(
    version=4,
    description="PagerDuty services, teams, escalation policies, schedules, users, on-calls (issue 5)",
    sql="SELECT 1",
    tables=(),
)
