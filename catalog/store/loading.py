"""Set-based snapshot replacement: Arrow in, one anti-join out, history kept by run id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    extra = set(columns) - set(table.column_names)
    if extra:  # a record field the table has no column for would be lost
        raise StoreError(f"{table.name}: batch has columns the table lacks {sorted(extra)}")
    arrays = []
    for name, kind in table.columns:
        values = columns[name]
        if kind == "JSON":
            values = [None if v is None else to_json(v) for v in values]
        arrays.append(pa.array(values, type=_ARROW_TYPES[kind]))
    return pa.Table.from_arrays(arrays, names=list(table.column_names))


ROW_HASH_FUNCTION = f"duckdb-hash-128:{duckdb.__version__}"
"""What ``row_hash_sql`` computes with; stored in ``store_meta`` (migration 6)."""


def row_hash_sql(table: SnapshotTable) -> str:
    """128 bits identifying a row's content: two 64-bit DuckDB ``hash()`` values of its typed
    columns, the second salted (a collision needs both to collide).

    JSON columns are hashed as their text, so staged strings and stored JSON agree."""
    args = ", ".join(
        f"CAST({name} AS {'VARCHAR' if kind == 'JSON' else kind})" for name, kind in table.columns
    )
    return f"((hash({args})::UHUGEINT << 64) | hash('steward', {args})::UHUGEINT)"


def ensure_row_hashes(con: duckdb.DuckDBPyConnection, tables: Iterable[SnapshotTable]) -> None:
    """Recompute the current rows' hashes if they were computed by another function (another
    DuckDB release, or md5 before migration 6)."""
    rows = con.execute("SELECT value FROM store_meta WHERE key = 'row_hash_function'").fetchall()
    if rows and rows[0][0] == ROW_HASH_FUNCTION:
        return
    con.begin()
    try:
        for table in tables:
            con.execute(
                f"UPDATE {table.name} SET row_hash = {row_hash_sql(table)} WHERE valid_to IS NULL"
            )
        con.execute(
            "INSERT OR REPLACE INTO store_meta VALUES ('row_hash_function', ?, now())",
            [ROW_HASH_FUNCTION],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def replace_snapshot_table(
    con: duckdb.DuckDBPyConnection,
    table: SnapshotTable,
    source: str,
    run_id: int,
    arrow: pa.Table,
) -> bool:
    """Make ``arrow`` (from :func:`to_arrow`) the current rows of ``source`` in ``table``; must
    run inside a transaction. Returns whether any current row changed (closed or added).

    Rows identical to a current row keep their ``valid_from``; rows that disappeared get
    ``valid_to = run_id``; identical rows in ``columns`` are stored once. Every step is one
    set-based statement. A source with no current rows in ``table`` (its first load) skips the
    staging table: the rows go straight from Arrow into the table.
    """
    staged_view = f"_staged_{table.name}"
    con.register(staged_view, arrow)
    try:
        select_cols = ", ".join(
            f"CAST({name} AS JSON) AS {name}" if kind == "JSON" else name
            for name, kind in table.columns
        )
        row_hash = row_hash_sql(table)
        # fetchall: a half-read result would keep the connection busy (DuckDB 2)
        ((current,),) = con.execute(
            f"SELECT count(*) FROM {table.name} WHERE source = ? AND valid_to IS NULL", [source]
        ).fetchall()
        if current == 0:
            if arrow.num_rows == 0:
                return False
            _insert_first_load(con, table, source, run_id, staged_view, row_hash, select_cols)
            return True
        return _replace_current(con, table, source, run_id, staged_view, row_hash, select_cols)
    finally:
        con.unregister(staged_view)


def _insert_first_load(
    con: duckdb.DuckDBPyConnection,
    table: SnapshotTable,
    source: str,
    run_id: int,
    staged_view: str,
    row_hash: str,
    select_cols: str,
) -> None:
    cols = ", ".join(table.column_names)
    con.execute(
        f"INSERT INTO {table.name} (source, valid_from, valid_to, row_hash, {cols}) "
        f"SELECT ?, ?, NULL, {row_hash}, {select_cols} FROM {staged_view}",
        [source, run_id],
    )
    _drop_duplicate_rows(
        con, table.name, "source = $source AND valid_from = $run_id", source=source, run_id=run_id
    )


def _replace_current(
    con: duckdb.DuckDBPyConnection,
    table: SnapshotTable,
    source: str,
    run_id: int,
    staged_view: str,
    row_hash: str,
    select_cols: str,
) -> bool:
    staged = f"_new_{table.name}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {staged} AS "
        f"SELECT {row_hash} AS row_hash, {select_cols} FROM {staged_view}"
    )
    _drop_duplicate_rows(con, staged, "TRUE")
    ((closed,),) = con.execute(
        f"UPDATE {table.name} SET valid_to = ? WHERE source = ? AND valid_to IS NULL "
        f"AND row_hash NOT IN (SELECT row_hash FROM {staged})",
        [run_id, source],
    ).fetchall()
    cols = ", ".join(table.column_names)
    ((added,),) = con.execute(
        f"INSERT INTO {table.name} (source, valid_from, valid_to, row_hash, {cols}) "
        f"SELECT ?, ?, NULL, s.row_hash, {', '.join('s.' + c for c in table.column_names)} "
        f"FROM {staged} s WHERE s.row_hash NOT IN "
        f"(SELECT row_hash FROM {table.name} WHERE source = ? AND valid_to IS NULL)",
        [source, run_id, source],
    ).fetchall()
    con.execute(f"DROP TABLE {staged}")
    return bool(closed or added)


def _drop_duplicate_rows(
    con: duckdb.DuckDBPyConnection, table: str, where: str, **params: Any
) -> None:
    """Keep one row per ``row_hash`` among the rows of ``table`` matching ``where``.

    Identical rows are one row of the snapshot. Sources rarely emit any, and counting distinct
    hashes is far cheaper than a DISTINCT ON over every column, so delete only when there is
    something to remove."""
    rows = f"FROM {table} WHERE {where}"
    ((total, distinct),) = con.execute(
        f"SELECT count(*), count(DISTINCT row_hash) {rows}", params
    ).fetchall()
    if total != distinct:
        con.execute(
            f"DELETE {rows} AND rowid NOT IN (SELECT min(rowid) {rows} GROUP BY row_hash)", params
        )
