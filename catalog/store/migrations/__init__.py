"""All schema migrations, in order. Each module ``mNNNN_<topic>.py`` defines one ``MIGRATION``.

To add one: create the next-numbered module and list it here. Only the store runs them.
"""

from __future__ import annotations

from catalog.store.migrations import (
    m0001_catalog,
    m0002_ownership,
    m0003_cloud,
    m0004_pagerduty,
    m0005_scorecards,
    m0006_store_meta,
    m0007_scorecard_semantics,
    m0008_materialised_ownership,
    m0009_stored_scorecard_runs,
)
from catalog.store.schema import Migration, SnapshotTable

MIGRATIONS: tuple[Migration, ...] = tuple(
    m.MIGRATION
    for m in (
        m0001_catalog,
        m0002_ownership,
        m0003_cloud,
        m0004_pagerduty,
        m0005_scorecards,
        m0006_store_meta,
        m0007_scorecard_semantics,
        m0008_materialised_ownership,
        m0009_stored_scorecard_runs,
    )
)
assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1)), "gap in migrations"

SNAPSHOT_TABLES: dict[str, SnapshotTable] = {t.name: t for m in MIGRATIONS for t in m.tables}
