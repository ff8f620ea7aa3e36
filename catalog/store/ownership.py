"""Refilling the materialised ownership tables (migration 8) from their views.

``ownership`` and ``ownership_conflicts`` (and ``_resolved_claims``, a copy of
``ownership_claims``) are tables so that a reader's lookup of one ref is a lookup, not a
resolution of every claim. They depend only on the current snapshots, so the store refills them
in the transaction of every snapshot load (``Store.finish_run``): a reader never sees them
disagree with the loaded claims.
"""

from __future__ import annotations

import duckdb

from catalog.store.migrations.m0008_materialised_ownership import MATERIALISED


def refresh_ownership(con: duckdb.DuckDBPyConnection) -> None:
    """Refill the tables from their views, set-based, in order (each reads the tables refilled
    before it). Must run inside the transaction that changed the snapshots."""
    for table, live, order in MATERIALISED:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {live} ORDER BY {order}")
