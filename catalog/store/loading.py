"""Set-based snapshot replacement: Arrow in, one anti-join out, history kept by run id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import orjson
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


def _json_fallback(value: Any) -> Any:
    """What orjson cannot write: integers beyond 64 bits become floats, as in JavaScript."""
    if isinstance(value, dict):
        return {k: _json_fallback(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_fallback(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return float(value)
    return value


def to_json(value: Any) -> str:
    """JSON text for a JSON column: fast (orjson), standard (NaN and infinities become null)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return orjson.dumps(_json_fallback(value), default=str).decode()


def to_arrow(table: SnapshotTable, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    missing = set(table.column_names) - set(columns)
    if missing:
        raise StoreError(f"{table.name}: batch lacks columns {sorted(missing)}")
    arrays = []
    for name, kind in table.columns:
        values = columns[name]
        if kind == "JSON":
            values = [None if v is None else to_json(v) for v in values]
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
            f"SELECT DISTINCT ON (row_hash) md5_number(concat_ws('\x1f', {hash_input})) "
            f"AS row_hash, {select_cols} FROM {staged_view}"
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
