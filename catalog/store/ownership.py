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
        refill_table(con, table, live, order)


def _fill(con: duckdb.DuckDBPyConnection, table: str, rows: str, order: str) -> None:
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {rows} ORDER BY {order}")


def refill_table(con: duckdb.DuckDBPyConnection, table: str, live: str, order: str) -> None:
    """Make ``table`` hold exactly the rows of ``live``, deleting and inserting only the rows
    that differ: a load that changed 1 % of the catalog rewrote all ~300,000 rows at
    organisation L, and committing that rewrite cost as much as computing them (at L: 3.0 s
    for both, 2.1 s this way). Rows are matched on a hash of every column, then on every
    column (NULLs equal). When either side holds two rows with one hash (equal rows, which the
    views do not produce, or a hash collision) matching by value would miscount them, and the
    table is refilled whole instead. New rows go at the end, in ``order`` among themselves."""
    if con.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchall() == [(True,)]:
        _fill(con, table, live, order)
        return
    columns = [f'"{row[0]}"' for row in con.execute(f"DESCRIBE {table}").fetchall()]
    hashed = f"hash({', '.join(columns)}) AS _hash"
    old = f"(SELECT rowid AS _row, *, {hashed} FROM {table}) o"
    same = " AND ".join(
        ["o._hash = n._hash"] + [f"o.{c} IS NOT DISTINCT FROM n.{c}" for c in columns]
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _refill AS SELECT *, {hashed} FROM {live}")
    try:
        ((repeated,),) = con.execute(
            f"SELECT (SELECT count(*) - count(DISTINCT _hash) FROM _refill) "
            f"+ (SELECT count(*) - count(DISTINCT _hash) FROM {old})"
        ).fetchall()
        if repeated:  # the view's rows are in _refill already: not computed again
            con.execute(f"DELETE FROM {table}")
            _fill(con, table, "(SELECT * EXCLUDE (_hash) FROM _refill)", order)
            return
        con.execute(
            f"DELETE FROM {table} WHERE rowid IN "
            f"(SELECT o._row FROM {old} ANTI JOIN _refill n ON {same})"
        )
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT {', '.join(f'n.{c}' for c in columns)} "
            f"FROM _refill n ANTI JOIN {old} ON {same} ORDER BY {order}"
        )
    finally:
        con.execute("DROP TABLE _refill")
