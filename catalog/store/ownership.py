"""Refilling the materialised ownership tables (migration 8) from their views.

``ownership`` and ``ownership_conflicts`` (and ``_resolved_claims``, a copy of
``ownership_claims``) are tables so that a reader's lookup of one ref is a lookup, not a
resolution of every claim. They depend only on the current snapshots, so the store refills them
in the transaction of every snapshot load that changed a table they read
(``Store.finish_run``): a reader never sees them disagree with the loaded claims.

What they read is taken from the views themselves (:func:`ownership_inputs`): a load that
changed only other tables (PagerDuty on-call windows, a repository's HEAD, cloud resources
without claims) leaves them as they are. ``runs`` is not among the inputs: the views read it
only for ``ownership_claims.observed_at``, which ``_resolved_claims`` leaves out.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from catalog.store.inputs import view_inputs
from catalog.store.migrations.m0008_materialised_ownership import MATERIALISED


def ownership_inputs(con: duckdb.DuckDBPyConnection) -> frozenset[str] | None:
    """The snapshot tables the materialised ownership tables are refilled from (None: not
    known, the database lacks the views)."""
    live = {table: view for table, view, _ in MATERIALISED}
    found = view_inputs(con, tuple(live.values()), expand=live)
    return None if found.missing else found.tables


def needs_refresh(con: duckdb.DuckDBPyConnection, changed: Iterable[str]) -> bool:
    """Whether a load that changed the snapshot tables ``changed`` can change ownership."""
    changed = set(changed)
    if not changed:
        return False
    inputs = ownership_inputs(con)
    return inputs is None or bool(changed & inputs)


def refresh_ownership(con: duckdb.DuckDBPyConnection) -> None:
    """Refill the tables from their views, set-based, in order (each reads the tables refilled
    before it). Must run inside the transaction that changed the snapshots."""
    for table, live, order in MATERIALISED:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {live} ORDER BY {order}")
