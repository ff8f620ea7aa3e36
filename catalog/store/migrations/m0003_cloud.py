"""Migration 3: cloud resources from AWS resource tags (issue 5).

Owned by the cloud source: declare its snapshot tables here and put its views in the SQL
(replace the placeholder views `_gaps_cloud` created empty by migration 2 with
`CREATE OR REPLACE VIEW`).
"""

from __future__ import annotations

from catalog.store.schema import Migration

MIGRATION = Migration(
    version=3,
    description="cloud resources from AWS resource tags (issue 5)",
    sql="SELECT 1",
    tables=(),
)
