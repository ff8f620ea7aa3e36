"""Set-based snapshot replacement: Arrow in, one anti-join out, history kept by run id."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from catalog.errors import StoreError
from catalog.store.schema import SnapshotTable

_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR[]": pa.list_(pa.string()),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}


def to_arrow(table: SnapshotTable, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    missing = set(table.column_names) - set(columns)
    if missing:
        raise StoreError(f"{table.name}: batch lacks columns {sorted(missing)}")
    arrays = []
    for name, kind in table.columns:
        values = columns[name]
        if kind == "JSON":
            values = [None if v is None else json.dumps(v, sort_keys=False) for v in values]
        arrays.append(pa.array(values, type=_ARROW_TYPES[kind]))
    return pa.Table.from_arrays(arrays, names=list(table.column_names))


def replace_snapshot_table(
    con: duckdb.DuckDBPyConnection,
    table: SnapshotTable,
    source: str,
    run_id: int,
    columns: Mapping[str, Sequence[Any]],
) -> None:
    """Make ``columns`` the current rows of ``source`` in ``table``; must run inside a transaction.

    Rows identical to a current row keep their ``valid_from``; rows that disappeared get
    ``valid_to = run_id``. Both steps are single set-based statements.
    """
    arrow = to_arrow(table, columns)
    staged_view = f"_staged_{table.name}"
    staged = f"_new_{table.name}"
    con.register(staged_view, arrow)
    try:
        select_cols = ", ".join(
            f"CAST({name} AS JSON) AS {name}" if kind == "JSON" else name
            for name, kind in table.columns
        )
        hash_input = ", ".join(
            f"coalesce(CAST({name} AS VARCHAR), '\x00')" for name in table.column_names
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {staged} AS "
            f"SELECT md5(concat_ws('\x1f', {hash_input})) AS row_hash, {select_cols} "
            f"FROM {staged_view} QUALIFY row_number() OVER (PARTITION BY row_hash) = 1"
        )
        con.execute(
            f"UPDATE {table.name} SET valid_to = ? WHERE source = ? AND valid_to IS NULL "
            f"AND row_hash NOT IN (SELECT row_hash FROM {staged})",
            [run_id, source],
        )
        cols = ", ".join(table.column_names)
        con.execute(
            f"INSERT INTO {table.name} (source, valid_from, valid_to, row_hash, {cols}) "
            f"SELECT ?, ?, NULL, s.row_hash, {', '.join('s.' + c for c in table.column_names)} "
            f"FROM {staged} s WHERE s.row_hash NOT IN "
            f"(SELECT row_hash FROM {table.name} WHERE source = ? AND valid_to IS NULL)",
            [source, run_id, source],
        )
        con.execute(f"DROP TABLE {staged}")
    finally:
        con.unregister(staged_view)
